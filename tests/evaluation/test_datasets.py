"""Reading and writing datasets: the realdev folder layout and JSONL."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import TYPE_CHECKING, Any

import pytest

from evaluation.datasets import (
    Dataset,
    DatasetError,
    Example,
    dataset_read,
    dataset_read_folder,
    dataset_read_jsonl,
    dataset_write_folder,
    dataset_write_jsonl,
)

if TYPE_CHECKING:
    from pathlib import Path

SCHEMA = {
    "type": "object",
    "properties": {
        "total": {"type": ["number", "null"], "x-compare": "number"},
        "vendor": {"type": ["string", "null"]},
        "lines": {"type": "array", "items": {"type": "object", "properties": {"amount": {}}}},
    },
}
PDF = b"%PDF-1.4 a tiny stand-in document\n"
TEXT = b"Invoice 7\nTotal 12.50\n"


def write(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(json.dumps(data), encoding="utf-8")


def make_folder(root: Path, entries: list[Any] | None = None) -> Path:
    write(root / "docs" / "inv-1.pdf", PDF)
    write(root / "docs" / "inv-2.txt", TEXT)
    write(root / "expected" / "inv-1.json", {"total": 30.9, "vendor": {"$any": ["A", "B"]}})
    write(root / "expected" / "inv-2.json", {"total": 12.5, "lines": [{"amount": 12.5}]})
    write(root / "schemas" / "invoice.json", SCHEMA)
    default = [
        {
            "id": "inv-1",
            "doc_type": "invoice",
            "schema": "invoice",
            "file": "docs/inv-1.pdf",
            "expected_file": "expected/inv-1.json",
            "mime_type": "application/pdf",
            "sha256": hashlib.sha256(PDF).hexdigest(),
            "notes": "kept on export",
        },
        {"id": "inv-2", "schema": "invoice", "file": "docs/inv-2.txt"},
    ]
    write(root / "manifest.json", default if entries is None else entries)
    return root


def problems_of(call: Any) -> list[str]:
    with pytest.raises(DatasetError) as caught:
        call()
    return caught.value.problems


# ------------------------------------------------------------------------------- folder


def test_a_folder_dataset_is_read_into_examples(tmp_path: Path) -> None:
    dataset = dataset_read_folder(make_folder(tmp_path / "set"))
    first, second = dataset.examples
    assert (first.id, first.schema_name, first.doc_type, first.mime_type) == (
        "inv-1",
        "invoice",
        "invoice",
        "application/pdf",
    )
    assert first.expected == {"total": 30.9, "vendor": {"$any": ["A", "B"]}}
    assert first.read_document() == PDF
    assert first.metadata == {"notes": "kept on export"}
    # Defaults: expected/<id>.json and a MIME type guessed from the file name.
    assert (second.expected["total"], second.mime_type, second.doc_type) == (
        12.5,
        "text/plain",
        None,
    )
    assert dataset.schema_for(second) == SCHEMA


def test_a_manifest_wrapped_in_documents_is_accepted(tmp_path: Path) -> None:
    root = make_folder(tmp_path / "set")
    entries = json.loads((root / "manifest.json").read_text())
    write(root / "manifest.json", {"documents": entries})
    assert len(dataset_read_folder(root).examples) == 2


def test_a_missing_document_names_its_entry(tmp_path: Path) -> None:
    root = make_folder(tmp_path / "set")
    (root / "docs" / "inv-2.txt").unlink()
    assert problems_of(lambda: dataset_read_folder(root)) == [
        "manifest entry 2 (id 'inv-2'): docs/inv-2.txt does not exist"
    ]


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    root = make_folder(
        tmp_path / "set",
        [
            {"id": "inv-1", "schema": "invoice", "file": "../outside.pdf"},
            {"id": "inv/2", "schema": "invoice", "file": "docs/inv-2.txt"},
            {"id": "inv-3", "schema": "nope", "file": "docs/inv-1.pdf"},
            "not an entry",
            {"schema": "invoice", "file": "docs/inv-1.pdf"},
            {"id": "inv-1", "schema": "invoice", "file": "/etc/passwd"},
        ],
    )
    write(tmp_path / "outside.pdf", PDF)
    problems = problems_of(lambda: dataset_read_folder(root))
    assert problems == [
        "manifest entry 1 (id 'inv-1'): file '../outside.pdf' points outside the dataset folder",
        "manifest entry 2 (id 'inv/2'): id 'inv/2' must be letters, digits, '.', '_' or '-' "
        "(it names files on export)",
        "manifest entry 3 (id 'inv-3'): schemas/nope.json does not exist",
        "manifest entry 3 (id 'inv-3'): expected/inv-3.json does not exist",
        "manifest entry 4: must be an object, got str",
        "manifest entry 5: 'id' is required and must be text",
        "manifest entry 6 (id 'inv-1'): the id 'inv-1' is used twice",
        "manifest entry 6 (id 'inv-1'): file '/etc/passwd' must be relative to the dataset folder",
    ]


def test_a_checksum_mismatch_is_an_error_unless_not_verified(tmp_path: Path) -> None:
    root = make_folder(tmp_path / "set")
    write(root / "docs" / "inv-1.pdf", PDF + b"changed")
    assert problems_of(lambda: dataset_read_folder(root)) == [
        "manifest entry 1 (id 'inv-1'): docs/inv-1.pdf does not match its sha256 in the manifest"
    ]
    assert len(dataset_read_folder(root, verify_checksums=False).examples) == 2


def test_expected_keys_must_exist_in_the_schema(tmp_path: Path) -> None:
    root = make_folder(tmp_path / "set")
    write(root / "expected" / "inv-2.json", {"totl": 1, "lines": [{"amount": 1, "qty": 2}]})
    assert problems_of(lambda: dataset_read_folder(root)) == [
        "manifest entry 2 (id 'inv-2'): expected key 'totl' is not a property of the schema",
        "manifest entry 2 (id 'inv-2'): expected key 'lines[0].qty' is not a property of the "
        "schema",
    ]


def test_bad_json_an_invalid_schema_and_an_empty_any_are_named(tmp_path: Path) -> None:
    root = make_folder(tmp_path / "set")
    (root / "expected" / "inv-1.json").write_text("{not json")
    write(root / "expected" / "inv-2.json", {"vendor": {"$any": []}})
    write(
        root / "schemas" / "invoice.json", {"type": "object", "properties": {"total": {"type": 5}}}
    )
    problems = problems_of(lambda: dataset_read_folder(root))
    assert problems[0].startswith(
        "manifest entry 1 (id 'inv-1'): schemas/invoice.json is not a valid JSON Schema"
    )
    assert problems[1].startswith("manifest entry 1 (id 'inv-1'): inv-1.json is not readable JSON")


def test_a_missing_or_malformed_manifest(tmp_path: Path) -> None:
    assert problems_of(lambda: dataset_read_folder(tmp_path)) == [
        f"{tmp_path / 'manifest.json'} does not exist"
    ]
    write(tmp_path / "manifest.json", {"entries": 1})
    assert problems_of(lambda: dataset_read_folder(tmp_path)) == [
        "manifest.json must be a list of entries (or {'documents': [...]})"
    ]
    write(tmp_path / "manifest.json", [])
    assert problems_of(lambda: dataset_read_folder(tmp_path)) == [
        "manifest.json lists no documents"
    ]


def test_an_empty_any_is_rejected(tmp_path: Path) -> None:
    root = make_folder(tmp_path / "set")
    write(root / "expected" / "inv-2.json", {"vendor": {"$any": []}})
    assert problems_of(lambda: dataset_read_folder(root)) == [
        "manifest entry 2 (id 'inv-2'): expected vendor: $any must list at least one value"
    ]


def test_a_folder_round_trips(tmp_path: Path) -> None:
    original = dataset_read_folder(make_folder(tmp_path / "set"))
    manifest = dataset_write_folder(original, tmp_path / "export")
    entries = json.loads(manifest.read_text())
    assert entries[0]["notes"] == "kept on export"
    assert entries[0]["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert entries[1]["file"] == "docs/inv-2.txt"
    assert entries[1]["doc_type"] == "invoice"  # the schema name stands in for a missing type
    again = dataset_read_folder(tmp_path / "export")
    assert [e.expected for e in again.examples] == [e.expected for e in original.examples]
    assert [e.read_document() for e in again.examples] == [PDF, TEXT]
    assert again.schemas == original.schemas


def test_metadata_cannot_overwrite_the_manifest_keys_on_export(tmp_path: Path) -> None:
    example = Example(
        id="a",
        schema_name="invoice",
        expected={"total": 1},
        mime_type="text/plain",
        document_bytes=TEXT,
        metadata={"file": "../../elsewhere", "sha256": "0", "source": "review 7"},
    )
    dataset = Dataset(examples=[example], schemas={"invoice": SCHEMA})
    (entry,) = json.loads(dataset_write_folder(dataset, tmp_path / "out").read_text())
    assert entry["file"] == "docs/a.txt"
    assert entry["sha256"] == hashlib.sha256(TEXT).hexdigest()
    assert entry["source"] == "review 7"
    assert dataset_read_folder(tmp_path / "out").examples[0].read_document() == TEXT


def test_writing_into_a_folder_that_holds_files_is_refused(tmp_path: Path) -> None:
    dataset = dataset_read_folder(make_folder(tmp_path / "set"))
    assert problems_of(lambda: dataset_write_folder(dataset, tmp_path / "set")) == [
        f"{tmp_path / 'set'} already exists and is not an empty folder"
    ]


def test_writing_an_example_without_its_schema_is_refused(tmp_path: Path) -> None:
    example = Example(
        id="a", schema_name="gone", expected={}, mime_type="text/plain", document_bytes=b"x"
    )
    dataset = Dataset(examples=[example], schemas={})
    assert problems_of(lambda: dataset_write_folder(dataset, tmp_path / "out")) == [
        "no schema named 'gone' in the dataset"
    ]


# ------------------------------------------------------------------------------- JSONL


def test_jsonl_reads_paths_base64_and_inline_schemas(tmp_path: Path) -> None:
    write(tmp_path / "docs" / "a.pdf", PDF)
    write(tmp_path / "schemas" / "invoice.json", SCHEMA)
    lines = [
        {"id": "a", "schema": "invoice", "expected": {"total": 1}, "document": "docs/a.pdf"},
        {
            "id": "b",
            "schema": SCHEMA,
            "schema_name": "invoice",
            "expected": {"total": 2},
            "document_base64": base64.b64encode(TEXT).decode(),
            "file_name": "b.txt",
            "doc_type": "invoice",
            "metadata": {"source": "review 12"},
        },
        {
            "id": "c",
            "schema": {"type": "object", "properties": {"n": {"type": "string"}}},
            "expected": {"n": "x"},
            "document_base64": base64.b64encode(b"x").decode(),
            "mime_type": "text/plain",
        },
    ]
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n\n")
    dataset = dataset_read_jsonl(path)
    a, b, c = dataset.examples
    assert (a.read_document(), a.mime_type, a.schema_name) == (PDF, "application/pdf", "invoice")
    assert (b.read_document(), b.mime_type, b.metadata) == (
        TEXT,
        "text/plain",
        {"source": "review 12"},
    )
    assert c.schema_name.startswith("inline-")
    assert sorted(dataset.schemas) == sorted(["invoice", c.schema_name])
    assert dataset_read(path).examples[0].id == "a"


def test_jsonl_problems_name_their_line(tmp_path: Path) -> None:
    write(tmp_path / "schemas" / "invoice.json", SCHEMA)
    lines = [
        "not json",
        json.dumps([1]),
        json.dumps(
            {"id": "a", "schema": "invoice", "expected": {"total": 1}, "document_base64": "%%%"}
        ),
        json.dumps(
            {"id": "b", "schema": "invoice", "expected": [1], "document": "../../etc/passwd"}
        ),
        json.dumps({"id": "c", "schema": "missing", "expected": {}, "document_base64": "eA=="}),
        json.dumps({"id": "d", "schema": "invoice", "expected": {}}),
    ]
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(lines))
    assert problems_of(lambda: dataset_read_jsonl(path)) == [
        "line 1: not JSON (Expecting value)",
        "line 2: must be a JSON object",
        "line 3 (id 'a'): 'document_base64' is not valid, non-empty base64",
        "line 4 (id 'b'): 'expected' is required and must be a JSON object",
        "line 4 (id 'b'): document '../../etc/passwd' points outside the dataset folder",
        "line 5 (id 'c'): schemas/missing.json does not exist",
        "line 6 (id 'd'): give the document as 'document' (a path) or 'document_base64'",
    ]


def test_jsonl_round_trips_with_embedded_or_copied_documents(tmp_path: Path) -> None:
    original = dataset_read_folder(make_folder(tmp_path / "set"))
    for embed in (True, False):
        path = dataset_write_jsonl(
            original, tmp_path / f"out-{embed}" / "set.jsonl", embed_documents=embed
        )
        again = dataset_read_jsonl(path)
        assert [e.id for e in again.examples] == ["inv-1", "inv-2"]
        assert [e.read_document() for e in again.examples] == [PDF, TEXT]
        assert [e.expected for e in again.examples] == [e.expected for e in original.examples]
        assert again.examples[0].metadata == {"notes": "kept on export"}
        assert again.schemas == {"invoice": SCHEMA}
    assert (tmp_path / "out-False" / "docs" / "inv-1.pdf").read_bytes() == PDF


def test_an_empty_jsonl_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_text("\n")
    assert problems_of(lambda: dataset_read_jsonl(path)) == ["empty.jsonl holds no examples"]
    assert problems_of(lambda: dataset_read(tmp_path / "nowhere")) == [
        f"{tmp_path / 'nowhere'} is neither a dataset folder nor a JSONL file"
    ]
