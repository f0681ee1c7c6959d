"""Resumes, contracts (leases and NDAs) and research-paper first pages."""

from __future__ import annotations

import datetime as dt
import random

from tests.corpus.draft import Draft, docx_bytes
from tests.corpus.sheet import Sheet
from tests.corpus.truth import Truth
from tests.corpus.values import MONTHS, Locale, address_lines, company, money, person, pick

SKILLS = [
    "Python",
    "SQL",
    "Kubernetes",
    "Terraform",
    "Go",
    "React",
    "Data modelling",
    "Airflow",
    "Spark",
    "PostgreSQL",
    "Project management",
    "Technical writing",
    "AWS",
    "Rust",
]
TITLES = [
    "Data Engineer",
    "Senior Software Engineer",
    "Product Analyst",
    "Platform Engineer",
    "Engineering Manager",
    "Backend Developer",
    "Machine Learning Engineer",
]
SCHOOLS = [
    ("University of Leeds", "B.Sc. Computer Science"),
    ("Technical University of Munich", "M.Sc. Informatics"),
    ("University of Toronto", "B.A. Economics"),
    ("ETH Zurich", "M.Sc. Data Science"),
    ("University of Melbourne", "Bachelor of Engineering"),
    ("Georgia Institute of Technology", "M.S. Analytics"),
]
NUMBER_WORDS = {6: "six", 12: "twelve", 18: "eighteen", 24: "twenty-four", 36: "thirty-six"}
LAWS = {
    "US": "State of Illinois",
    "UK": "England and Wales",
    "CA": "Province of Ontario",
    "AU": "State of Victoria",
}
TOPICS = [
    (
        "Sparse Retrieval for Long Scanned Documents",
        ["document retrieval", "OCR", "sparse indexing"],
    ),
    (
        "Calibrated Confidence for Field Extraction",
        ["calibration", "information extraction", "isotonic regression"],
    ),
    (
        "Layout-Aware Table Recognition in Invoices",
        ["table recognition", "document layout", "invoices"],
    ),
]


def _month(value: dt.date, style: int) -> str:
    return (
        f"{MONTHS[value.month - 1][:3]} {value.year}",
        f"{value.month:02d}/{value.year}",
        f"{MONTHS[value.month - 1]} {value.year}",
    )[style]


def _months_before(value: dt.date, months: int) -> dt.date:
    index = value.year * 12 + value.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def _career(
    rng: random.Random,
) -> tuple[list[tuple[str, str, dt.date, dt.date | None]], list[tuple[str, str, int]]]:
    """Jobs newest first (the first one current) and degrees, all in a plausible order."""
    jobs = []
    end: dt.date | None = None
    cursor = dt.date(2024, rng.randint(1, 10), 1)
    for _ in range(rng.randint(2, 3)):
        start = _months_before(cursor, rng.randint(10, 48))
        jobs.append((company(rng), pick(rng, TITLES), start, end))
        end = _months_before(start, rng.randint(1, 3))
        cursor = end
    year = cursor.year
    education = []
    for institution, degree in rng.sample(SCHOOLS, rng.randint(1, 2)):
        education.append((institution, degree, year))
        year -= rng.randint(2, 3)
    return jobs, education


def _record_career(truth: Truth, jobs: list, education: list, page: int, style: int) -> None:
    for i, (employer, title, start, end) in enumerate(jobs):
        truth.put(f"work_experience[{i}].company", employer, page=page)
        truth.put(f"work_experience[{i}].job_title", title, page=page)
        truth.put(
            f"work_experience[{i}].start_date",
            _month(start, style),
            page=page,
            value=start.strftime("%Y-%m"),
        )
        if end is None:
            truth.null(f"work_experience[{i}].end_date")
        else:
            truth.put(
                f"work_experience[{i}].end_date",
                _month(end, style),
                page=page,
                value=end.strftime("%Y-%m"),
            )
    for i, (institution, degree, year) in enumerate(education):
        truth.put(f"education[{i}].institution", institution, page=page)
        truth.put(f"education[{i}].degree", degree, page=page)
        truth.put(f"education[{i}].graduation_year", str(year), page=page, value=year)


def resume(rng: random.Random, *, locale: str, layout: str) -> Draft:
    """A resume: layout "classic" or "sidebar" (PDF), "md" or "docx"."""
    truth = Truth()
    name = person(rng)
    email = f"{name.lower().replace(' ', '.')}@example.com"
    phone = {
        "US": f"+1 (555) 0{rng.randint(10, 99)}-{rng.randint(1000, 9999)}",
        "UK": f"+44 20 7946 0{rng.randint(100, 999)}",
        "DE": f"+49 30 {rng.randint(1000000, 9999999)}",
    }[locale]
    city = (
        address_lines(rng, locale)[-1].split(", ")[0]
        if locale == "US"
        else address_lines(rng, locale)[-1]
    )
    skills = rng.sample(SKILLS, rng.randint(4, 7))
    jobs, education = _career(rng)
    style = {"classic": 0, "sidebar": 1, "md": 2, "docx": 0}[layout]
    dash = " – " if layout != "sidebar" else " - "

    def period(start: dt.date, end: dt.date | None) -> str:
        return f"{_month(start, style)}{dash}{_month(end, style) if end else 'Present'}"

    if layout in ("md", "docx"):
        truth.put("full_name", name, page=1)
        truth.put("email", email, page=1)
        truth.put("phone", phone, page=1)
        truth.put("location", city, page=1)
        for i, skill in enumerate(skills):
            truth.put(f"skills[{i}]", skill, page=1)
        _record_career(truth, jobs, education, 1, style)
        blocks: list[tuple[str, str]] = [
            ("Heading 1", name),
            ("Normal", f"{email} · {phone} · {city}"),
            ("Heading 2", "Experience"),
        ]
        for employer, title, start, end in jobs:
            blocks += [
                ("Heading 3", f"{title}, {employer}"),
                ("Normal", period(start, end)),
                ("Normal", f"Led work on {pick(rng, SKILLS)} systems used across the company."),
            ]
        blocks.append(("Heading 2", "Education"))
        blocks += [
            ("Normal", f"{degree}, {institution}, {year}")
            for institution, degree, year in education
        ]
        blocks += [("Heading 2", "Skills")] + [("Bullet", skill) for skill in skills]
        if layout == "docx":
            paragraphs = [
                (style_ if style_ != "Bullet" else "Normal", text) for style_, text in blocks
            ]
            return Draft(
                "resume", "resume.json", "docx", layout, locale, docx_bytes(paragraphs), truth
            )
        marks = {
            "Heading 1": "# ",
            "Heading 2": "\n## ",
            "Heading 3": "\n### ",
            "Normal": "",
            "Bullet": "- ",
        }
        text = "\n".join(f"{marks[style_]}{line}" for style_, line in blocks) + "\n"
        return Draft("resume", "resume.json", "md", layout, locale, text.encode(), truth)

    sheet = Sheet(truth, size="letter" if locale == "US" else "a4")
    if layout == "classic":
        sheet.field("full_name", name, 56, 64, size=20, bold=True)
        sheet.field("email", email, 56, 86, size=9)
        sheet.field("phone", phone, 220, 86, size=9)
        sheet.field("location", city, 380, 86, size=9)
        sheet.text(56, 120, "SKILLS", size=11, bold=True)
        sheet.text(56, 136, ", ".join(skills), size=9)
        for i, skill in enumerate(skills):
            truth.put(f"skills[{i}]", skill, page=1)
        body_x, y = 56, 170
    else:
        sheet.shade(0, 0, 180, sheet.height, 0.93)
        sheet.field("full_name", name, 20, 64, size=15, bold=True)
        sheet.text(20, 100, "Contact", bold=True)
        sheet.field("email", email, 20, 116, size=8)
        sheet.field("phone", phone, 20, 130, size=8)
        sheet.field("location", city, 20, 144, size=8)
        sheet.text(20, 180, "Skills", bold=True)
        for i, skill in enumerate(skills):
            sheet.field(f"skills[{i}]", skill, 20, 196 + 14 * i, size=9)
        body_x, y = 200, 64
    sheet.text(
        body_x, y, "EXPERIENCE" if layout == "classic" else "Work history", size=11, bold=True
    )
    y += 20
    for i, (employer, title, start, end) in enumerate(jobs):
        sheet.field(f"work_experience[{i}].job_title", title, body_x, y, bold=True)
        sheet.field(f"work_experience[{i}].company", employer, body_x, y + 14)
        sheet.field(
            f"work_experience[{i}].start_date",
            _month(start, style),
            body_x + 300 if layout == "classic" else body_x,
            y + (0 if layout == "classic" else 28),
            value=start.strftime("%Y-%m"),
            size=9,
        )
        label_x = (
            (body_x + 300 if layout == "classic" else body_x) + 6 + 5 * len(_month(start, style))
        )
        sheet.text(label_x, y + (0 if layout == "classic" else 28), dash.strip(), size=9)
        if end is None:
            sheet.text(label_x + 10, y + (0 if layout == "classic" else 28), "Present", size=9)
            truth.null(f"work_experience[{i}].end_date")
        else:
            sheet.field(
                f"work_experience[{i}].end_date",
                _month(end, style),
                label_x + 10,
                y + (0 if layout == "classic" else 28),
                value=end.strftime("%Y-%m"),
                size=9,
            )
        y = (
            sheet.paragraph(
                body_x + 10,
                y + (30 if layout == "classic" else 44),
                f"Built and ran {pick(rng, SKILLS)} services for {rng.randint(3, 40)} teams; "
                f"cut costs by {rng.randint(5, 40)}% and mentored {rng.randint(1, 6)} engineers.",
                330,
                size=9,
            )
            + 12
        )
    sheet.text(body_x, y, "EDUCATION" if layout == "classic" else "Education", size=11, bold=True)
    y += 20
    for i, (institution, degree, year) in enumerate(education):
        sheet.field(f"education[{i}].degree", degree, body_x, y, bold=True)
        sheet.field(f"education[{i}].institution", institution, body_x, y + 14)
        sheet.field(f"education[{i}].graduation_year", str(year), body_x + 300, y, value=year)
        y += 36
    return Draft("resume", "resume.json", "pdf", layout, locale, sheet.finish(), truth, sheet.page)


def _contract_terms(rng: random.Random, locale: str, kind: str) -> dict:
    loc = Locale(locale, {"US": "long_us", "UK": "long_uk", "CA": "iso", "AU": "short_uk"}[locale])
    effective = dt.date(rng.choice((2024, 2025)), rng.randint(1, 12), rng.randint(1, 28))
    months = rng.choice((12, 24, 36) if kind == "lease" else (6, 12, 24))
    return {
        "loc": loc,
        "title": "Commercial Lease Agreement"
        if kind == "lease"
        else "Mutual Non-Disclosure Agreement",
        "type_text": "Lease Agreement" if kind == "lease" else "Non-Disclosure Agreement",
        "first": company(rng),
        "second": company(rng) if rng.random() < 0.7 else person(rng),
        "effective": effective,
        "months": months,
        "term_text": f"{NUMBER_WORDS[months]} ({months}) months",
        "notice": rng.choice((30, 45, 60, 90)),
        "law": LAWS[locale],
        "rent": money(rng.randint(12, 120) * 100),
        "premises": ", ".join(address_lines(rng, locale)),
    }


def _clauses(t: dict) -> list[tuple[str, str, tuple]]:
    """(heading, text, fields) in order; the governing-law clause comes last."""
    loc = t["loc"]
    lease = t["type_text"] == "Lease Agreement"
    first_role, second_role = (
        ("Landlord", "Tenant") if lease else ("Disclosing Party", "Receiving Party")
    )
    codes = ("landlord", "tenant") if lease else ("disclosing_party", "receiving_party")
    opening = (
        f'This {t["title"]} (this "Agreement") is made and entered into on '
        f"{loc.date(t['effective'])} "
        f'(the "Effective Date") by and between {t["first"]} (the "{first_role}") and '
        f"{t['second']} "
        f'(the "{second_role}").'
    )
    clauses: list[tuple[str, str, tuple]] = [
        (
            "",
            opening,
            (
                ("effective_date", loc.date(t["effective"]), t["effective"].isoformat()),
                ("parties[0].name", t["first"], t["first"]),
                ("parties[0].role", first_role, codes[0]),
                ("parties[1].name", t["second"], t["second"]),
                ("parties[1].role", second_role, codes[1]),
            ),
        )
    ]
    if lease:
        clauses += [
            (
                "Premises",
                f"The Landlord leases to the Tenant the office space located at {t['premises']} "
                '(the "Premises"), together with two parking spaces.',
                (("property_address", t["premises"], t["premises"]),),
            ),
            (
                "Term",
                f"The term of this Agreement shall be {t['term_text']}, commencing on the "
                "Effective Date.",
                (("term_months", t["term_text"], t["months"]),),
            ),
            (
                "Rent",
                f"The Tenant shall pay a monthly rent of {loc.amount(t['rent'])}, payable in "
                "advance on the "
                f"first day of each month. A late charge of {loc.amount(money(75))} applies to "
                "any payment received "
                "more than five days late.",
                (("monthly_rent", loc.amount(t["rent"]), float(t["rent"])),),
            ),
            (
                "Security Deposit",
                f"On signing, the Tenant shall deposit {loc.amount(t['rent'] * 2)} as security for "
                "the performance of its obligations, returned within thirty days after the end of "
                "the term.",
                (),
            ),
        ]
    else:
        clauses += [
            (
                "Confidential Information",
                "Confidential Information means any business, technical or financial "
                "information disclosed by one party to the other, whether orally or in writing, "
                "that is marked or "
                "would reasonably be understood to be confidential.",
                (),
            ),
            (
                "Term",
                f"This Agreement remains in force for {t['term_text']} from the Effective Date. "
                "The "
                "obligations of confidentiality survive for three years after it ends.",
                (("term_months", t["term_text"], t["months"]),),
            ),
        ]
    filler = (
        "Each party shall use the other party's information only for the purposes of this "
        "Agreement "
        "and shall protect it with at least the care it uses for its own information of a similar "
        "kind. "
    )
    clauses += [
        ("Obligations", filler * 3, ()),
        (
            "Termination",
            f"Either party may terminate this Agreement by giving the other party not less than "
            f"{t['notice']} days' prior written notice.",
            (("termination_notice_days", f"{t['notice']} days", t["notice"]),),
        ),
        (
            "Notices",
            "All notices shall be in writing and delivered by hand, by registered mail or by "
            "email to the "
            "addresses stated above. " + filler,
            (),
        ),
        (
            "Assignment",
            "Neither party may assign this Agreement without the prior written consent of the "
            "other "
            "party, which shall not be unreasonably withheld. " + filler,
            (),
        ),
        (
            "Force Majeure",
            "Neither party is liable for a delay caused by events beyond its reasonable control, "
            "including fire, flood, strikes and failures of public networks. " + filler * 2,
            (),
        ),
        (
            "Severability",
            "If any provision of this Agreement is held invalid, the remaining provisions continue "
            "in full force and effect. " + filler,
            (),
        ),
        (
            "Entire Agreement",
            "This Agreement is the entire agreement of the parties on its subject and replaces "
            "all earlier discussions. " + filler * 2,
            (),
        ),
        (
            "Governing Law",
            f"This Agreement is governed by the laws of the {t['law']}, and the courts there have "
            "exclusive jurisdiction over any dispute arising from it.",
            (("governing_law", t["law"], t["law"]),),
        ),
    ]
    return clauses


def _contract_nulls(truth: Truth, lease: bool) -> None:
    if not lease:
        truth.null("monthly_rent")
        truth.null("property_address")


def contract(rng: random.Random, *, locale: str, kind: str, fmt: str) -> Draft:
    """A lease or NDA as a two-page PDF, Markdown (numbered ``##`` sections) or plain text."""
    t = _contract_terms(rng, locale, kind)
    truth = Truth()
    clauses = _clauses(t)
    code = "lease" if kind == "lease" else "nda"
    if fmt in ("md", "txt"):
        truth.put("contract_type", t["type_text"], page=1, value=code)
        lines = [f"# {t['title']}" if fmt == "md" else t["title"].upper(), ""]
        for number, (heading, text, fields) in enumerate(clauses):
            if heading:
                lines += [
                    f"## {number}. {heading}" if fmt == "md" else f"{number}. {heading.upper()}",
                    "",
                ]
            lines += [text, ""]
            for path, rendered, value in fields:
                truth.put(path, rendered, page=1, value=value)
        _contract_nulls(truth, kind == "lease")
        lines += [
            "",
            f"Signed for {t['first']}: ____________________",
            f"Signed for {t['second']}: ____________________",
        ]
        return Draft(
            "contract",
            "contract.json",
            fmt,
            f"{kind}_{fmt}",
            locale,
            "\n".join(lines).encode(),
            truth,
        )
    sheet = Sheet(truth, size="letter" if locale == "US" else "a4")
    sheet.text(
        sheet.width / 2,
        70,
        t["title"].upper() if kind == "nda" else t["title"],
        size=16,
        bold=True,
        align="center",
    )
    sheet.truth.put("contract_type", t["type_text"], page=1, value=code)
    y = 110
    for number, (heading, text, fields) in enumerate(clauses):
        if heading:
            if y > sheet.height - 120:
                sheet.new_page()
                y = 72
            sheet.text(60, y, f"{number}. {heading}", size=11, bold=True)
            y += 16
        y = sheet.paragraph(60, y, text, sheet.width - 120, size=10, fields=fields) + 10
    _contract_nulls(truth, kind == "lease")
    sheet.text(60, y + 30, f"Signed for {t['first']}: ____________________")
    sheet.text(60, y + 60, f"Signed for {t['second']}: ____________________")
    return Draft(
        "contract", "contract.json", "pdf", f"{kind}_pdf", locale, sheet.finish(), truth, sheet.page
    )


def _abstract(rng: random.Random, topic: str) -> str:
    return (
        f"We study {topic.lower()} on a corpus of {rng.randint(2, 90)},{rng.randint(100, 999)} "
        "business documents. "
        "Existing methods lose accuracy when layouts vary, and they rarely say how sure they "
        "are. We propose a "
        "two-stage method that first segments each page and then scores candidate values with a "
        "small model. "
        "On three public benchmarks it improves field accuracy by "
        f"{rng.randint(2, 9)}.{rng.randint(0, 9)} points "
        f"and halves the calibration error, while running {rng.randint(2, 6)} times faster than "
        "the strongest baseline."
    )


def research_paper(rng: random.Random, *, layout: str, doi: bool) -> Draft:
    """First pages: "acm" and "arxiv" PDFs (headings in a larger font) or a "txt" version."""
    title, keywords = pick(rng, TOPICS)
    authors = [person(rng) for _ in range(rng.randint(2, 4))]
    abstract = _abstract(rng, title)
    journal = rng.choice(("3580305", "jdoc", "tacl"))
    doi_text = f"10.{rng.randint(1000, 9999)}/{journal}.{rng.randint(1000, 9999)}"
    truth = Truth()
    intro = (
        "Documents such as invoices, statements and contracts carry the data that business "
        "processes "
        "depend on, yet most of it still arrives as PDF files and scans. "
    ) * 4
    if layout == "txt":
        truth.put("title", title, page=1)
        for i, author in enumerate(authors):
            truth.put(f"authors[{i}]", author, page=1)
        truth.put("abstract", abstract, page=1)
        for i, keyword in enumerate(keywords):
            truth.put(f"keywords[{i}]", keyword, page=1)
        if doi:
            truth.put("doi", doi_text, page=1)
        else:
            truth.null("doi")
        text = "\n".join(
            [
                title,
                ", ".join(authors),
                "Department of Computer Science, University of Port Alder",
                "",
                "Abstract",
                abstract,
                "",
                "Keywords: " + "; ".join(keywords),
                *([f"DOI: {doi_text}"] if doi else []),
                "",
                "1 Introduction",
                intro,
                "",
                "2 Related Work",
                intro,
            ]
        )
        return Draft(
            "research_paper",
            "research_paper.json",
            "txt",
            "text",
            "US",
            (text + "\n").encode(),
            truth,
        )
    sheet = Sheet(truth, size="letter" if layout == "acm" else "a4", font="Times-Roman")
    mid = sheet.width / 2
    y = 60
    if layout == "arxiv":
        sheet.text(
            40,
            40,
            f"arXiv:{rng.randint(2301, 2412)}.{rng.randint(10000, 99999)}v{rng.randint(1, 3)} "
            "[cs.CL]",
            size=8,
        )
        y = 80
    sheet.field("title", title, mid, y, size=17, bold=True, align="center")
    x_names = ", ".join(authors)
    sheet.text(mid, y + 28, x_names, size=11, align="center")
    for i, author in enumerate(authors):
        truth.put(f"authors[{i}]", author, page=1)
    sheet.text(
        mid, y + 44, "School of Informatics, University of Port Alder", size=9, align="center"
    )
    y += 78
    sheet.text(72, y, "Abstract" if layout == "arxiv" else "ABSTRACT", size=11, bold=True)
    y = sheet.paragraph(
        72,
        y + 16,
        abstract,
        sheet.width - 144,
        size=9.5,
        fields=(("abstract", abstract, abstract),),
    )
    sheet.text(72, y + 6, "Keywords:", size=9.5, bold=True)
    keyword_line = "; ".join(keywords)
    sheet.text(122, y + 6, keyword_line, size=9.5)
    for i, keyword in enumerate(keywords):
        truth.put(f"keywords[{i}]", keyword, page=1)
    if doi:
        sheet.text(72, y + 22, "DOI:", size=9.5, bold=True)
        sheet.field("doi", doi_text, 100, y + 22, size=9.5)
    else:
        truth.null("doi")
    y += 56
    for heading in (
        ("1 INTRODUCTION", "2 RELATED WORK")
        if layout == "acm"
        else ("1 Introduction", "2 Background")
    ):
        sheet.text(72, y, heading, size=12, bold=True)
        y = sheet.paragraph(72, y + 18, intro, sheet.width - 144, size=9.5) + 12
    return Draft(
        "research_paper",
        "research_paper.json",
        "pdf",
        layout,
        "US",
        sheet.finish(),
        truth,
        sheet.page,
    )
