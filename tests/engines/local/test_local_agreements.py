"""Agreements: parties, effective date and term read from drafting conventions."""

from __future__ import annotations

from extraction.pipeline.documents import load_text
from extraction.pipeline.engines.local.parties import party_core
from tests.engines.local.helpers import page_from_rows, run_engine

SCHEMA = {
    "type": "object",
    "properties": {
        "effective_date": {"type": ["string", "null"], "format": "date"},
        "jurisdiction": {"type": ["string", "null"], "description": "Governing-law state."},
        "parties": {"type": "array", "items": {"type": "string"}},
        "term": {
            "type": ["string", "null"],
            "description": "Duration of the agreement, as '<number> <unit>'.",
        },
    },
}

PREAMBLE = (
    "MUTUAL NONDISCLOSURE AGREEMENT\n\n"
    "This Mutual Nondisclosure Agreement (this \u201cAgreement\u201d) is made as of March 3, 2015 "
    "(the \u201cEffective Date\u201d) by and between Acme Widgets, Inc., a Delaware corporation "
    "(\u201cAcme\u201d), and Jane Q. Smith (\u201cConsultant\u201d).\n\n"
    "1. Term. This Agreement shall terminate two (2) years from the Effective Date.\n\n"
    "2. Non-solicitation. For a period of twelve (12) months, neither party shall solicit any "
    "employee of the other.\n\n"
    "3. Governing Law. This Agreement shall be governed by the laws of the state of New York.\n"
)


def test_preamble_gives_parties_effective_date_and_term() -> None:
    document = load_text(PREAMBLE)
    data = run_engine(document, SCHEMA).data
    assert data["effective_date"] == "2015-03-03"
    assert data["parties"][:2] == ["Acme Widgets, Inc.", "Jane Q. Smith"]
    assert data["term"] == "2 years"  # not the non-solicitation period
    assert data["jurisdiction"] == "New York"


def test_letter_agreement_parties_come_from_addressee_and_signature_blocks() -> None:
    letter = page_from_rows(
        [
            [(60, "June 5, 2012")],
            [(60, "Globex Corporation")],
            [(60, "12 Elm Street, Springfield")],
            [(60, "Ladies and Gentlemen:")],
            [(60, "You have requested information about the Company. This letter sets out terms.")],
            [(60, "Very truly yours,")],
            [(60, "INITECH HOLDINGS, LLC")],
            [(60, "By: /s/ Bill Lumbergh")],
            [(60, "ACCEPTED AND AGREED:")],
            [(60, "GLOBEX CORPORATION")],
            [(60, "By: /s/ Hank Scorpio")],
        ]
    )
    data = run_engine([letter], SCHEMA).data
    assert data["effective_date"] == "2012-06-05"  # the date heading the letter
    assert {party_core(name) for name in data["parties"]} == {"initech holdings", "globex"}


def test_governing_law_named_as_a_place_law() -> None:
    schema = {
        "type": "object",
        "properties": {
            "jurisdiction": {"type": ["string", "null"], "description": "Governing law."}
        },
    }
    text = "This Agreement shall be governed by and construed in accordance with Delaware law."
    assert run_engine(load_text(text), schema).data["jurisdiction"] == "Delaware"


def test_parties_defined_under_a_heading_and_people_signing_for_themselves() -> None:
    text = (
        "MUTUAL NONDISCLOSURE AGREEMENT\n"
        "PARTIES: Northwind Traders, Inc (the \u201cCompany\u201d) 12 Main Street "
        "Springfield, IL 62701 "
        "Contoso Ltd. (\u201cContoso\u201d) 4 Side Road Shelbyville, IL 62565\n"
        "The parties agree as follows. The Company is a party to an agreement with Fabrikam "
        "Holdings LLC (the \u201cSupply Agreement\u201d).\n"
    )
    names = run_engine(load_text(text), SCHEMA).data["parties"]
    assert {party_core(name) for name in names} == {"northwind traders", "contoso"}
    signatures = page_from_rows(
        [
            [(60, "In consideration of your employment the parties agree as follows.")],
            [(60, "AGREED TO AND ACCEPTED"), (350, "Globex Corporation")],
            [(60, "Signature: /s/ Joan Smith"), (350, "Signature: /s/ Lynda Jones")],
        ]
    )
    names = run_engine([signatures], SCHEMA).data["parties"]
    assert {party_core(name) for name in names} == {"globex", "joan smith"}


def test_three_parties_listed_with_their_defined_terms() -> None:
    text = (
        "This Confidentiality Agreement is dated as of the 1st day of March, 2010, by and among "
        "Alpha Holdings, Inc., a Nevada corporation (\u201cAlpha\u201d), Beta Partners LP, a "
        "Delaware limited partnership (\u201cBeta\u201d), and Gamma Capital LLC "
        "(\u201cGamma\u201d).\n"
    )
    data = run_engine(load_text(text), SCHEMA).data
    assert data["parties"] == ["Alpha Holdings, Inc.", "Beta Partners LP", "Gamma Capital LLC"]
    assert data["effective_date"] == "2010-03-01"
