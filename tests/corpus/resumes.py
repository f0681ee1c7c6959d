"""Resumes: classic and sidebar PDFs, Markdown and DOCX."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from tests.corpus.draft import Draft, docx_bytes
from tests.corpus.sheet import Sheet
from tests.corpus.truth import Truth
from tests.corpus.values import MONTHS, address_lines, company, person, pick

if TYPE_CHECKING:
    import random

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
