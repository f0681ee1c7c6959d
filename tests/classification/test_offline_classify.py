"""Offline classification of single documents and pages against rules, without a model."""

from __future__ import annotations

import pytest

from classification.base import ClassificationError, PageClassifier, Rule
from classification.classify import document_classify
from classification.offline import OfflineClassifier
from tests.classification.conftest import KINDS, RECIPE, RULES, load_pages, pdf_page_bytes


@pytest.mark.parametrize("doc_id", list(KINDS))
def test_four_kinds_are_classified_with_a_confidence_and_the_cues_that_decided(
    doc_id: str, kind_pdfs: dict[str, bytes]
) -> None:
    kind, page_count = KINDS[doc_id]
    pages = load_pages(kind_pdfs[doc_id])
    assert len(pages) == page_count
    result = document_classify(pages=pages, rules=RULES)
    assert result.type == kind
    assert 0.6 <= result.confidence <= 1.0
    assert result.reasoning.startswith(("Matches", "Page 1: Matches"))
    assert any(cue in result.reasoning for cue in ("title", "key phrases", "layout"))
    assert result.to_dict() == {
        "type": kind,
        "confidence": round(result.confidence, 4),
        "reasoning": result.reasoning,
    }


def test_a_page_that_matches_no_rule_gets_no_type() -> None:
    result = document_classify(pages=load_pages(pdf_page_bytes(RECIPE)), rules=RULES)
    assert result.type is None
    assert result.confidence > 0.5
    assert result.reasoning.startswith("No rule matches")


def test_a_blank_document_gets_no_type() -> None:
    blank = pdf_page_bytes([(" ", 10.0)])
    result = document_classify(pages=load_pages(blank), rules=RULES)
    assert result.type is None
    assert "no readable text" in result.reasoning


def test_rule_types_in_other_languages_and_spellings_find_their_kind(
    kind_pdfs: dict[str, bytes],
) -> None:
    rules = [Rule("Rechnung"), Rule("curriculumVitae"), Rule("Vertrag"), Rule("kassenbon")]
    expected = {"invoice": "Rechnung", "resume": "curriculumVitae", "contract": "Vertrag"}
    expected["receipt"] = "kassenbon"
    for doc_id, (kind, _) in KINDS.items():
        result = document_classify(pages=load_pages(kind_pdfs[doc_id]), rules=rules)
        assert result.type == expected[kind], (doc_id, result)


def test_a_rule_known_only_by_its_description_matches_through_the_kinds_it_names(
    kind_pdfs: dict[str, bytes],
) -> None:
    rules = [
        Rule("supplier_paperwork", "Invoices from our suppliers asking for payment"),
        Rule("hiring", "CVs and resumes of job applicants"),
    ]
    invoice = document_classify(pages=load_pages(kind_pdfs["invoice_long_us"]), rules=rules)
    resume = document_classify(pages=load_pages(kind_pdfs["resume_classic_us"]), rules=rules)
    assert invoice.type == "supplier_paperwork"
    assert resume.type == "hiring"


def test_a_kind_the_description_rules_out_counts_against_the_rule(
    kind_pdfs: dict[str, bytes],
) -> None:
    pages = load_pages(kind_pdfs["invoice_long_us"])[:1]
    plain = [Rule("purchase", "Proof of a purchase: a receipt or an invoice")]
    ruled_out = [Rule("purchase", "Proof of a purchase at a till, not an invoice")]
    classifier = OfflineClassifier()
    accepted = classifier.classify_pages(pages, plain)[0]
    refused = classifier.classify_pages(pages, ruled_out)[0]
    assert accepted.type == "purchase"
    assert refused.probability("purchase") < accepted.probability("purchase")
    assert "reads as invoice" in refused.reasoning or refused.type is None


def test_competing_rules_lower_the_confidence(kind_pdfs: dict[str, bytes]) -> None:
    """A page that fits two rules is less certain of either than of the one it fits alone."""
    pages = load_pages(kind_pdfs["invoice_long_us"])[:1]
    alone = document_classify(pages=pages, rules=[Rule("invoice"), Rule("resume")])
    crowded = document_classify(
        pages=pages, rules=[Rule("invoice"), Rule("bill", "A supplier invoice")]
    )
    assert alone.type == "invoice"
    assert crowded.confidence < alone.confidence


def test_verdicts_keep_the_input_page_numbers_and_score_every_rule(
    kind_pdfs: dict[str, bytes],
) -> None:
    pages = load_pages(kind_pdfs["lease_pdf_us"])
    verdicts = OfflineClassifier().classify_pages(pages, RULES)
    assert [verdict.page for verdict in verdicts] == [1, 2]
    assert set(verdicts[0].scores) == {rule.type for rule in RULES}
    assert sum(verdicts[0].scores.values()) <= 1.0
    assert verdicts[0].type == "contract"
    assert verdicts[0].has_title


def test_max_pages_classifies_only_the_first_pages(kind_pdfs: dict[str, bytes]) -> None:
    pages = load_pages(kind_pdfs["lease_pdf_us"])
    result = document_classify(pages=pages, rules=RULES, max_pages=1)
    assert result.type == "contract"
    assert "pages agree" not in result.reasoning  # one page only


def test_the_offline_classifier_honours_the_page_classifier_protocol() -> None:
    assert isinstance(OfflineClassifier(), PageClassifier)


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ([], "At least one rule"),
        ([Rule(" ")], "empty type"),
        ([Rule("invoice"), Rule("invoice", "again")], "given twice"),
    ],
)
def test_unusable_rules_are_refused_with_a_reason(rules: list[Rule], message: str) -> None:
    with pytest.raises(ClassificationError, match=message):
        document_classify(pages=load_pages(pdf_page_bytes(RECIPE)), rules=rules)
