"""Text tables and SVG charts of a run."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from evaluation.calibration import calibration_compute
from evaluation.comparison import runs_compare
from evaluation.report import (
    report_calibration_svg,
    report_comparison_text,
    report_field_chart_svg,
    report_text,
)
from evaluation.results import RunScore
from evaluation.scoring import document_score

SCHEMA = {
    "type": "object",
    "properties": {
        "number": {"type": "string"},
        "total": {"type": "number"},
        "lines": {"type": "array", "items": {"type": "object"}},
    },
}


def sample_run() -> RunScore:
    first = document_score(
        expected={"number": "1", "total": 10, "lines": [{"a": "x"}, {"a": "y"}]},
        predicted={"number": "1", "total": 11, "lines": [{"a": "y"}]},
        schema=SCHEMA,
        document_id="inv-1",
        schema_name="invoice",
        doc_type="invoice",
        confidences={"number": 0.9, "total": 0.8, "lines[0].a": 0.7},
    )
    second = document_score(
        expected={"number": "2", "total": 20},
        predicted=None,
        schema=SCHEMA,
        document_id="inv-2",
        schema_name="invoice",
        doc_type="invoice",
        error="unreadable PDF",
    )
    return RunScore([first, second])


def test_the_text_report_ends_with_the_accuracy_line() -> None:
    text = report_text(sample_run())
    lines = text.splitlines()
    assert lines[-1] == "accuracy: 0.333 (2/6)"
    assert any(line.split() == ["invoice", "2", "1", "2", "6", "0.333"] for line in lines)
    assert any(
        line.split() == ["invoice.total", "0", "2", "0.000", "1", "1", "0"] for line in lines
    )
    assert any(
        line.split() == ["invoice.lines[].a", "1", "2", "0.500", "0", "1", "0"] for line in lines
    )
    assert any(
        line.split() == ["invoice.lines", "2", "1", "1", "1", "1.000", "0.500"] for line in lines
    )
    assert "calibration: ECE" in text
    assert "error in inv-2: unreadable PDF" in lines


def test_the_text_report_can_list_every_document() -> None:
    lines = report_text(sample_run(), by_document=True).splitlines()
    assert lines[0].split() == ["inv-1", "2/4"]
    assert lines[1].split() == ["inv-2", "0/2", "ERROR", "unreadable", "PDF"]
    assert lines[-1] == "accuracy: 0.333 (2/6)"


def test_an_empty_run_reports_zero() -> None:
    assert report_text(RunScore([])).splitlines()[-1] == "accuracy: 0.000 (0/0)"


def test_the_comparison_text_lists_changes_and_ends_with_the_gate() -> None:
    baseline = sample_run()
    candidate = RunScore(
        [
            document_score(
                expected={"number": "1", "total": 10},
                predicted={"number": "1", "total": 10},
                schema=SCHEMA,
                document_id="inv-1",
                schema_name="invoice",
            )
        ]
    )
    text = report_comparison_text(runs_compare(baseline=baseline, candidate=candidate))
    assert "inv-1 total: 11 -> 10 (better)" in text
    assert "1 documents only in the baseline: inv-2" in text
    assert text.splitlines()[-1].startswith("gate ")


def test_the_field_chart_is_valid_svg_with_a_bar_per_field_and_escaped_names() -> None:
    run = sample_run()
    aggregates = run.field_aggregates()
    hostile = document_score(
        expected={"<script>alert(1)</script>": "x"},
        predicted={"<script>alert(1)</script>": "x"},
        schema={},
        schema_name='s"&',
    )
    svg = report_field_chart_svg([*aggregates, *RunScore([hostile]).field_aggregates()])
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    bars = [r for r in root.iter("{http://www.w3.org/2000/svg}rect") if r.get("fill") != "#eeeeee"]
    assert len(bars) == len(aggregates) + 1
    # The bar of a field half right is half the width of a full bar.
    widths = {float(bar.get("width", "0")) for bar in bars}
    assert {0.0, 180.0, 360.0} <= widths


def test_the_calibration_plot_is_valid_svg_with_the_ece() -> None:
    calibration = calibration_compute(sample_run().field_results())
    svg = report_calibration_svg(calibration)
    root = ET.fromstring(svg)
    circles = list(root.iter("{http://www.w3.org/2000/svg}circle"))
    assert len(circles) == sum(1 for bucket in calibration.buckets if bucket.count)
    assert f"ECE {calibration.ece:.3f}" in svg


def test_an_empty_chart_says_so() -> None:
    svg = report_field_chart_svg([])
    assert "No scored fields." in svg
    ET.fromstring(svg)
