"""Downloads of results: every field the schema names, as JSON, CSV, JSONL or XLSX; and the
curl command that repeats a job through the API.

Pure functions over plain data (a run's ``data`` and its schema); no ORM, no HTTP. Cells that
came from a document are escaped against spreadsheet formulas (``csv_cell``).
"""

from __future__ import annotations

import csv
import io
import json
import shlex
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from extraction.web.schema_shape import data_complete, field_columns, value_at

if TYPE_CHECKING:
    from collections.abc import Sequence


def _flatten(value: Any, prefix: str, row: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(item, f"{prefix}.{key}" if prefix else key, row)
    elif isinstance(value, list):
        if all(not isinstance(item, (dict, list)) for item in value):
            row[prefix] = "; ".join("" if item is None else str(item) for item in value)
        else:
            row[prefix] = json.dumps(value, ensure_ascii=False)
    else:
        row[prefix] = value


def csv_rows(data: Any) -> list[dict[str, Any]]:
    """Rows for a CSV download.

    A list (per-page or per-row targets) gives one row per item. An object with an array of
    objects (an invoice's line items) gives one row per item, the object's other values
    repeated on each row and the item's keys prefixed with the array's name; any further
    arrays are kept as JSON text. Anything else is one row.
    """
    if isinstance(data, list):
        rows = []
        for item in data:
            row: dict[str, Any] = {}
            _flatten(item if isinstance(item, dict) else {"value": item}, "", row)
            rows.append(row)
        return rows
    if not isinstance(data, dict):
        return [{"value": data}]
    table_key = next(
        (
            key
            for key, value in data.items()
            if isinstance(value, list) and value and all(isinstance(i, dict) for i in value)
        ),
        None,
    )
    base: dict[str, Any] = {}
    _flatten({k: v for k, v in data.items() if k != table_key}, "", base)
    if table_key is None:
        return [base]
    rows = []
    for item in data[table_key]:
        row = dict(base)
        _flatten(item, table_key, row)
        rows.append(row)
    return rows


# A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_cell(value: Any) -> Any:
    """A value safe to open in a spreadsheet: text that would start a formula gets a leading
    apostrophe (shown as text, not run); numbers and booleans are left as they are."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def result_json(data: Any, schema: Any) -> str:
    """A run's data for download: every field the schema names, null when not found."""
    return json.dumps(data_complete(data, schema), indent=2, ensure_ascii=False)


def csv_text(data: Any, schema: Any = None) -> str:
    """``csv_rows`` of ``data`` (with every field ``schema`` names: an empty cell when not
    found) as CSV text with a header of every column; document text (and the column names made
    from the schema) is escaped with ``csv_cell``."""
    rows = csv_rows(data_complete(data, schema))
    columns = list(dict.fromkeys(key for row in rows for key in row))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([csv_cell(column) for column in columns])
    for row in rows:
        writer.writerow([csv_cell(row.get(column)) for column in columns])
    return buffer.getvalue()


def curl_command(
    *,
    url: str,
    data_schema: dict[str, Any],
    config: dict[str, Any],
    file_name: str | None,
    mime_type: str | None,
    text: str | None,
) -> str:
    """A shell command repeating the job through ``POST /api/v1/extraction/run``.

    A file travels base64-encoded, read from the file name at run time rather than pasted in.
    """
    body: dict[str, Any] = {"config": config, "data_schema": data_schema}
    if file_name is None:
        body["text"] = text or ""
        payload = shlex.quote(json.dumps(body, indent=2, ensure_ascii=False))
        data_arg = f"-d {payload}"
    else:
        body["file"] = {"data": "__FILE_DATA__", "mime_type": mime_type or ""}
        encoded = json.dumps(body, indent=2, ensure_ascii=False)
        before, after = encoded.split('"__FILE_DATA__"')
        data_arg = (
            f'-d {shlex.quote(before)}"\\"$(base64 -w0 {shlex.quote(file_name)})\\""'
            f"{shlex.quote(after)}"
        )
    return (
        f"curl -X POST {shlex.quote(url)} \\\n"
        '  -H "Authorization: Bearer $OPENEXTRACT_API_KEY" \\\n'
        '  -H "Content-Type: application/json" \\\n'
        f"  {data_arg}"
    )


@dataclass(frozen=True)
class DocumentResult:
    """One document's result in a workspace export (``data`` None before it has one)."""

    file_name: str
    file_id: str
    job_id: str
    run: int | None
    status: str
    data: Any


def _result_record(result: DocumentResult, schema: Any) -> dict[str, Any]:
    return {
        "file_name": result.file_name,
        "file_id": result.file_id,
        "job_id": result.job_id,
        "run": result.run,
        "status": result.status,
        "data": None if result.data is None else data_complete(result.data, schema),
    }


def results_json(results: Sequence[DocumentResult], schema: Any) -> str:
    """Every document's result (every field of ``schema``, null when not found), as a list."""
    return json.dumps(
        [_result_record(result, schema) for result in results], indent=2, ensure_ascii=False
    )


def results_jsonl(results: Sequence[DocumentResult], schema: Any) -> str:
    """``results_json``'s records, one JSON object a line."""
    return "".join(
        json.dumps(_result_record(result, schema), ensure_ascii=False) + "\n" for result in results
    )


def _table_value(value: Any) -> Any:
    if isinstance(value, list) and not any(isinstance(item, (dict, list)) for item in value):
        return "; ".join("" if item is None else str(item) for item in value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value


def results_table(
    results: Sequence[DocumentResult], schema: Any
) -> tuple[list[str], list[list[Any]]]:
    """A header and one row per document: its name, status and run, then a column for every
    field of ``schema`` (``None`` where the run found nothing or has not run)."""
    columns = field_columns(schema)
    header = ["file_name", "status", "run", *columns]
    rows = []
    for result in results:
        data = result.data
        if isinstance(data, list):  # a per-page or per-row result: one line per item
            values = [
                "; ".join(str(_table_value(value_at(item, column)[1]) or "") for item in data)
                for column in columns
            ]
        else:
            values = [_table_value(value_at(data, column)[1]) for column in columns]
        rows.append([result.file_name, result.status, result.run, *values])
    return header, rows


def results_csv(results: Sequence[DocumentResult], schema: Any) -> str:
    """``results_table`` as CSV, cells escaped with ``csv_cell``."""
    header, rows = results_table(results, schema)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([csv_cell(column) for column in header])
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return buffer.getvalue()


def results_xlsx(results: Sequence[DocumentResult], schema: Any) -> bytes:
    """``results_table`` as an Excel workbook; text is stored as text, never as a formula."""
    from openpyxl import Workbook  # only the XLSX download needs it

    header, rows = results_table(results, schema)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook always has its first sheet
    sheet.title = "Results"
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    for cells in sheet.iter_rows():
        for cell in cells:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # a value starting with "=" stays text
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
