"""Contracts: leases and NDAs as two-page PDFs, Markdown and plain text."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from tests.corpus.draft import Draft
from tests.corpus.sheet import Sheet
from tests.corpus.truth import Truth
from tests.corpus.values import Locale, address_lines, company, money, person

if TYPE_CHECKING:
    import random

NUMBER_WORDS = {6: "six", 12: "twelve", 18: "eighteen", 24: "twenty-four", 36: "thirty-six"}
LAWS = {
    "US": "State of Illinois",
    "UK": "England and Wales",
    "CA": "Province of Ontario",
    "AU": "State of Victoria",
}


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
