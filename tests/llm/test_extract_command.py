from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

SCHEMA = {
    "type": "object",
    "properties": {"invoice_number": {"type": "string"}, "total": {"type": "number"}},
    "required": ["invoice_number", "total"],
}


@pytest.fixture
def files(tmp_path):
    document = tmp_path / "invoice.txt"
    document.write_text("Invoice number: INV-001\nTotal: 42.50 USD\n")
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps(SCHEMA))
    return document, schema


def test_prints_the_run_as_json(files):
    document, schema = files
    out = io.StringIO()
    call_command("extract", str(document), "--schema", str(schema), "--engine", "local", stdout=out)
    run = json.loads(out.getvalue())
    assert run["status"] == "SUCCESS" and run["error"] is None
    assert run["data"] == {"invoice_number": "INV-001", "total": 42.5}
    assert run["metadata"]["engine"] == "local"
    assert run["metadata"]["usage"]["num_pages_extracted"] == 1


def test_config_is_applied(files):
    document, schema = files
    out = io.StringIO()
    config = json.dumps({"extraction_target": "PER_PAGE"})
    call_command(
        "extract",
        str(document),
        "--schema",
        str(schema),
        "--config",
        config,
        "--engine",
        "local",
        stdout=out,
    )
    assert json.loads(out.getvalue())["data"] == [{"invoice_number": "INV-001", "total": 42.5}]


def test_bad_inputs_fail_with_the_reason(files, tmp_path):
    document, schema = files
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"type": "array", "items": {"type": "string"}}))
    with pytest.raises(CommandError, match="root of data_schema must be an object"):
        call_command("extract", str(document), "--schema", str(bad), "--engine", "local")
    with pytest.raises(CommandError, match="extraction_mode"):
        call_command(
            "extract",
            str(document),
            "--schema",
            str(schema),
            "--config",
            '{"extraction_mode": "fast"}',
        )
    with pytest.raises(CommandError, match="not a file"):
        call_command("extract", str(tmp_path / "missing.pdf"), "--schema", str(schema))
