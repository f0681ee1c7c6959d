"""Result shaping for the pages: display tree, boxes, CSV rows, text highlights, curl."""

from __future__ import annotations

import io
import json
import subprocess

from extraction.web.result_display import (
    citation_boxes,
    has_citations,
    iter_leaves,
    problem_paths,
    result_tree,
    text_segments,
)
from extraction.web.result_export import (
    DocumentResult,
    csv_rows,
    csv_text,
    curl_command,
    results_csv,
    results_jsonl,
    results_table,
    results_xlsx,
)
from extraction.web.run_diff import run_diff
from extraction.web.schema_shape import data_complete, field_columns, value_at


def test_arrays_of_objects_become_tables_and_leaves_keep_their_paths():
    data = {"id": "A", "items": [{"sku": "x", "qty": 1}, {"sku": "y"}], "tags": ["a", "b"]}
    tree = result_tree(data, {}, cited=False)
    table = dict(tree.fields)["items"]
    assert table.kind == "table"
    assert table.columns == ["sku", "qty"]
    paths = [leaf.path for leaf in iter_leaves(tree)]
    assert paths == [
        "id",
        "items[0].sku",
        "items[0].qty",
        "items[1].sku",
        "items[1].qty",
        "tags[0]",
        "tags[1]",
    ]
    assert table.rows[1][1].is_null


def test_unsupported_values_are_flagged_only_when_cited():
    meta = {
        "a": {"citation": [], "confidence": 0.2, "match": "not_found"},
        "b": {"citation": [{"page": 1}], "confidence": 0.9, "match": "exact"},
    }
    tree = result_tree({"a": "1", "b": "2", "c": None}, meta, cited=True)
    leaves = {leaf.path: leaf for leaf in iter_leaves(tree)}
    assert leaves["a"].unsupported
    assert leaves["a"].confidence_level == "low"
    assert not leaves["b"].unsupported
    assert leaves["b"].confidence_percent == 90
    assert not leaves["c"].unsupported  # null is never "unsupported"
    assert not iter_leaves(result_tree({"a": "1"}, meta, cited=False))[0].unsupported


def test_boxes_are_scaled_to_page_percentages():
    meta = {
        "t": {
            "citation": [
                {
                    "page": 2,
                    "bounding_boxes": [{"x": 306, "y": 396, "w": 61.2, "h": 7.92}],
                    "page_dimensions": {"width": 612, "height": 792},
                }
            ],
            "confidence": 1,
        }
    }
    boxes = citation_boxes({"t": 5}, meta)
    assert boxes == {
        2: [{"path": "t", "left": 50.0, "top": 50.0, "width": 10.0, "height": 1.0, "text": ""}]
    }


def test_csv_repeats_document_values_on_each_line_item_row():
    data = {"number": "7", "lines": [{"a": 1}, {"a": 2, "b": "x"}], "tags": ["p", "q"]}
    assert csv_rows(data) == [
        {"number": "7", "tags": "p; q", "lines.a": 1},
        {"number": "7", "tags": "p; q", "lines.a": 2, "lines.b": "x"},
    ]
    assert csv_text(data).splitlines()[0] == "number,tags,lines.a,lines.b"
    assert csv_rows([{"x": {"y": 1}}, {"x": {"y": 2}}]) == [{"x.y": 1}, {"x.y": 2}]


def test_text_segments_highlight_only_offsets_that_match_their_quote():
    text = "Invoice INV-7 total 12.50"
    meta = {
        "number": {"citation": [{"char_start": 8, "char_end": 13, "matching_text": "INV-7"}]},
        "total": {"citation": [{"char_start": 0, "char_end": 5, "matching_text": "12.50"}]},
    }
    segments = text_segments(text, {"number": "INV-7", "total": 12.5}, meta)
    assert segments == [("Invoice ", None), ("INV-7", "number"), (" total 12.50", None)]


def test_text_segments_of_a_page_use_only_that_pages_citations():
    def cited(page: int, start: int, quote: str) -> dict:
        span = {"page": page, "char_start": start, "char_end": start + 5, "matching_text": quote}
        return {"citation": [span]}

    meta = {"number": cited(2, 0, "INV-7"), "total": cited(1, 6, "12.50")}
    data = {"number": "INV-7", "total": 12.5}
    text = "INV-7 12.50"
    assert text_segments(text, data, meta, page=1) == [("INV-7 ", None), ("12.50", "total")]
    assert text_segments(text, data, meta, page=2) == [("INV-7", "number"), (" 12.50", None)]


def test_curl_command_runs_in_a_shell_and_sends_the_file_base64(tmp_path):
    (tmp_path / "it's.pdf").write_bytes(b"%PDF-1")
    command = curl_command(
        url="http://h/api/v1/extraction/run",
        data_schema={"type": "object", "description": "a 'quoted' schema"},
        config={"cite_sources": True},
        file_name="it's.pdf",
        mime_type="application/pdf",
        text=None,
    )
    # Swap curl for a printer of its last argument (the body) and run it in bash.
    script = "curl() { printf '%s' \"${@: -1}\"; }\n" + command
    body = json.loads(
        subprocess.run(
            ["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True, check=True
        ).stdout
    )
    assert body["file"] == {"data": "JVBERi0x", "mime_type": "application/pdf"}
    assert body["data_schema"]["description"] == "a 'quoted' schema"
    assert body["config"] == {"cite_sources": True}


def test_reasoning_is_kept_and_does_not_count_as_a_citation():
    data = {"total": 5, "vendor": {"name": "A"}}
    meta = {
        "total": {"reasoning": "Printed as Total."},
        "vendor": {"reasoning": "Header.", "name": {"confidence": 0.9}},
    }
    tree = result_tree(data, meta, cited=True)
    fields = dict(tree.fields)
    assert fields["total"].reasoning == "Printed as Total."
    assert fields["vendor"].reasoning == "Header."
    assert dict(fields["vendor"].fields)["name"].confidence == 0.9
    assert not has_citations(data, meta)
    assert has_citations({"a": 1}, {"a": {"citation": [], "match": "not_found"}})


# --- Every field of the schema, found or not ----------------------------------------------------

SCHEMA = {
    "type": "object",
    "properties": {
        "number": {"type": "string"},
        "total": {"type": "number"},
        "vendor": {
            "type": "object",
            "properties": {"name": {"type": "string"}, "vat": {"type": "string"}},
            "required": ["name"],
        },
        "lines": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"sku": {"type": "string"}, "qty": {"type": "integer"}},
            },
        },
        "tags": {"type": ["array", "null"], "items": {"type": "string"}},
    },
    "required": ["number", "total"],
}


def test_the_tree_shows_every_schema_field_with_why_it_is_missing():
    data = {"number": "A-1", "vendor": {"vat": "DE1"}, "lines": [{"sku": "x"}], "extra": 1}
    tree = result_tree(data, {}, schema=SCHEMA, pages_read="1-2")
    fields = dict(tree.fields)
    assert list(fields) == ["number", "total", "vendor", "lines", "tags", "extra"]
    total = fields["total"]
    assert total.not_found
    assert total.required
    assert total.reason == "Required, but not found on the pages read (1-2)."
    assert total.flags == ["required but not found"]
    name = dict(fields["vendor"].fields)["name"]
    assert name.path == "vendor.name"
    assert name.required
    assert name.not_found
    assert fields["lines"].columns == ["sku", "qty"]
    assert fields["lines"].rows[0][1].path == "lines[0].qty"
    assert fields["lines"].rows[0][1].not_found
    assert fields["tags"].kind == "list"
    assert fields["tags"].items == []
    assert not fields["number"].needs_review


def test_validation_errors_and_low_confidence_are_flagged():
    problems = problem_paths(
        [
            "/total: 'abc' is not of type 'number'",
            "/: 'number' is a required property",
            "[1]/sku: bad",
        ]
    )
    assert problems == {
        "total": "'abc' is not of type 'number'",
        "number": "required",
        "[1].sku": "bad",
    }
    meta = {"total": {"confidence": 0.3, "citation": [{"page": 2}]}}
    tree = result_tree({"total": "abc"}, meta, schema=SCHEMA, problems=problems)
    total = dict(tree.fields)["total"]
    assert total.flags == ["low confidence (30%)", "does not fit the schema"]
    assert total.page == 2
    assert dict(tree.fields)["number"].required  # required by the error even if not the schema


def test_downloads_carry_every_field():
    assert data_complete({"number": "A-1", "lines": [{"sku": "x"}]}, SCHEMA) == {
        "number": "A-1",
        "total": None,
        "vendor": None,
        "lines": [{"sku": "x", "qty": None}],
        "tags": None,
    }
    assert csv_text({"number": "A-1"}, SCHEMA).splitlines() == [
        "number,total,vendor,lines,tags",
        "A-1,,,,",
    ]
    # A per-page result is a list of what the schema describes.
    assert data_complete(
        [{"number": "A"}], {"type": "object", "properties": {"number": {}, "x": {}}}
    ) == [{"number": "A", "x": None}]
    assert field_columns(SCHEMA) == [
        "number",
        "total",
        "vendor.name",
        "vendor.vat",
        "lines",
        "tags",
    ]
    assert value_at({"vendor": {"name": "N"}, "lines": [{"sku": "s"}]}, "lines[0].sku") == (
        True,
        "s",
    )
    assert value_at({}, "vendor.name") == (False, None)


def test_run_diff_names_added_changed_and_removed_fields():
    before_schema = {"type": "object", "properties": {"a": {}, "b": {}, "gone": {}}}
    after_schema = {"type": "object", "properties": {"a": {}, "b": {}, "new": {}}}
    rows = run_diff(
        before={"a": 1, "b": "x", "gone": 3},
        before_schema=before_schema,
        after={"a": 1, "b": "y", "new": True},
        after_schema=after_schema,
    )
    assert [(row.path, row.before, row.after, row.state) for row in rows] == [
        ("a", "1", "1", "same"),
        ("b", "x", "y", "changed"),
        ("new", "", "Yes", "added"),
        ("gone", "3", "", "removed"),
    ]


def test_workspace_exports_keep_text_as_text():
    from openpyxl import load_workbook

    results = [
        DocumentResult("a.pdf", "f1", "j1", 2, "SUCCESS", {"number": "=CMD()", "tags": ["x", "y"]}),
        DocumentResult("b.pdf", "f2", "", None, "NOT_RUN", None),
    ]
    header, rows = results_table(results, SCHEMA)
    assert header == ["file_name", "status", "run", *field_columns(SCHEMA)]
    assert rows[0][:4] == ["a.pdf", "SUCCESS", 2, "=CMD()"]
    assert rows[0][-1] == "x; y"
    assert rows[1] == ["b.pdf", "NOT_RUN", None, None, None, None, None, None, None]
    assert results_csv(results, SCHEMA).splitlines()[1].startswith("a.pdf,SUCCESS,2,'=CMD()")
    sheet = load_workbook(io.BytesIO(results_xlsx(results, SCHEMA))).active
    cell = sheet.cell(row=2, column=4)
    assert cell.value == "=CMD()"
    assert cell.data_type == "s"
    records = [json.loads(line) for line in results_jsonl(results, SCHEMA).splitlines()]
    assert records[0]["data"]["total"] is None
    assert records[1]["data"] is None
