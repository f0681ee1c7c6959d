"""Read and write evaluation datasets: examples of documents with their expected JSON.

Two layouts, read into the same plain dataclasses (``Dataset`` of ``Example``):

* **Folder** (the layout of ``../shared/realdev``)::

      manifest.json        [{"id", "schema", "file", "expected_file"?, "mime_type"?, "doc_type"?,
                             "sha256"?, ...}, ...]   (or {"documents": [...]})
      docs/<id>.<ext>      the document bytes
      expected/<id>.json   the expected object (the default when "expected_file" is absent)
      schemas/<name>.json  the JSON Schemas, scorer hints (x-*) included

  Other manifest keys (notes, source, licence, pages…) are kept in ``Example.metadata`` and
  written back on export.

* **JSONL**, one example per line::

      {"id": "inv-1", "schema": "invoice", "expected": {...},
       "document": "docs/inv-1.pdf"}                      a path relative to the JSONL file
      {"id": "inv-2", "schema": {...}, "schema_name": "invoice", "expected": {...},
       "document_base64": "JVBERi0...", "mime_type": "application/pdf", "file_name": "x.pdf"}

  A schema given by name is looked up in ``schemas=`` or ``<jsonl folder>/schemas/<name>.json``;
  an inline schema without ``schema_name`` is named ``inline-<hash>``. ``doc_type`` and
  ``metadata`` are optional.

Every problem is collected and raised at once as a ``DatasetError`` whose lines name the entry
(``manifest entry 3 (id 'inv-1'): docs/inv-1.pdf does not exist``). Document paths must stay
inside the dataset's folder, and ids and schema names must be safe file names, because export
writes files named after them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import mimetypes
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jsonschema.exceptions import SchemaError
from jsonschema.validators import validator_for

from evaluation.matching import schema_node

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "Dataset",
    "DatasetError",
    "Example",
    "dataset_read",
    "dataset_read_folder",
    "dataset_read_jsonl",
    "dataset_write_folder",
    "dataset_write_jsonl",
]

_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")
_MANIFEST_KEYS = {"id", "schema", "file", "expected_file", "mime_type", "doc_type"}
_RECOMPUTED_KEYS = {"bytes", "sha256"}
_DEFAULT_MIME = "application/octet-stream"


class DatasetError(ValueError):
    """A dataset that cannot be read or written; ``problems`` lists every problem found."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        head = "1 problem" if len(problems) == 1 else f"{len(problems)} problems"
        super().__init__(f"{head} in the dataset:\n" + "\n".join(f"- {p}" for p in problems))


@dataclass(frozen=True)
class Example:
    """One document with its expected values. The document is either a file on disk
    (``document_path``) or bytes in memory (``document_bytes``)."""

    id: str
    schema_name: str
    expected: dict[str, Any]
    mime_type: str
    document_path: Path | None = None
    document_bytes: bytes | None = None
    file_name: str | None = None
    doc_type: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    def read_document(self) -> bytes:
        """The document's bytes. Raises ``OSError`` when its file cannot be read."""
        if self.document_bytes is not None:
            return self.document_bytes
        if self.document_path is None:
            raise OSError(f"example {self.id!r} has no document")
        return self.document_path.read_bytes()

    @property
    def name(self) -> str:
        """A file name for the document: the original one, else ``<id><extension>``."""
        if self.file_name:
            return self.file_name
        if self.document_path is not None:
            return self.document_path.name
        return f"{self.id}{_extension(self.mime_type)}"


@dataclass
class Dataset:
    """Examples and the schemas they name (``schemas[example.schema_name]``)."""

    examples: list[Example]
    schemas: dict[str, dict[str, Any]]

    def schema_for(self, example: Example) -> dict[str, Any]:
        return self.schemas[example.schema_name]


def dataset_read(path: Path | str) -> Dataset:
    """A folder dataset when ``path`` is a directory, a JSONL dataset when it is a file."""
    location = Path(path)
    if location.is_dir():
        return dataset_read_folder(location)
    if location.is_file():
        return dataset_read_jsonl(location)
    raise DatasetError([f"{location} is neither a dataset folder nor a JSONL file"])


# ------------------------------------------------------------------------------- folder


def dataset_read_folder(root: Path | str, *, verify_checksums: bool = True) -> Dataset:
    """Read a folder dataset (see the module docstring).

    ``verify_checksums`` compares each document with the manifest's ``sha256`` when present.
    Raises ``DatasetError`` listing every problem (missing files, bad entries, invalid JSON
    or schemas, expected keys the schema does not define, duplicate ids).
    """
    folder = Path(root)
    manifest_path = folder / "manifest.json"
    problems: list[str] = []
    entries = _manifest_entries(manifest_path, problems)
    schemas: dict[str, dict[str, Any]] = {}
    examples: list[Example] = []
    seen: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        where = f"manifest entry {number}"
        if not isinstance(entry, dict):
            problems.append(f"{where}: must be an object, got {type(entry).__name__}")
            continue
        example_id = entry.get("id")
        if isinstance(example_id, str):
            where = f"{where} (id {example_id!r})"
        example = _folder_example(folder, entry, where, seen, schemas, problems, verify_checksums)
        if example is not None:
            examples.append(example)
    if problems:
        raise DatasetError(problems)
    return Dataset(examples=examples, schemas=schemas)


def _manifest_entries(path: Path, problems: list[str]) -> list[Any]:
    if not path.is_file():
        raise DatasetError([f"{path} does not exist"])
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DatasetError([f"{path.name} is not readable JSON: {error}"]) from error
    if isinstance(manifest, dict) and isinstance(manifest.get("documents"), list):
        manifest = manifest["documents"]
    if not isinstance(manifest, list):
        raise DatasetError([f"{path.name} must be a list of entries (or {{'documents': [...]}})"])
    if not manifest:
        problems.append(f"{path.name} lists no documents")
    return manifest


def _folder_example(
    folder: Path,
    entry: dict[str, Any],
    where: str,
    seen: set[str],
    schemas: dict[str, dict[str, Any]],
    problems: list[str],
    verify_checksums: bool,
) -> Example | None:
    before = len(problems)
    example_id = _safe_name(entry.get("id"), "id", where, problems)
    if example_id is not None:
        if example_id in seen:
            problems.append(f"{where}: the id {example_id!r} is used twice")
        seen.add(example_id)
    schema_name = _safe_name(entry.get("schema"), "schema", where, problems)
    if schema_name is not None and schema_name not in schemas:
        schema = _schema_file(folder / "schemas" / f"{schema_name}.json", where, problems)
        if schema is not None:
            schemas[schema_name] = schema
    document = _inside(folder, entry.get("file"), "file", where, problems)
    expected_file = entry.get(
        "expected_file", f"expected/{example_id}.json" if example_id else None
    )
    expected = None
    if expected_file is not None:  # None: the id is already reported as unusable
        expected_path = _inside(folder, expected_file, "expected_file", where, problems)
        expected = _json_object_file(expected_path, where, problems) if expected_path else None
    if document is not None and verify_checksums and isinstance(entry.get("sha256"), str):
        digest = hashlib.sha256(document.read_bytes()).hexdigest()
        if digest != entry["sha256"].lower():
            problems.append(f"{where}: {entry['file']} does not match its sha256 in the manifest")
    if expected is not None and schema_name in schemas:
        problems.extend(f"{where}: {p}" for p in _expected_problems(expected, schemas[schema_name]))
    mime_type = entry.get("mime_type")
    if mime_type is not None and not isinstance(mime_type, str):
        problems.append(f"{where}: mime_type must be text")
    doc_type = entry.get("doc_type")
    if len(problems) > before or example_id is None or schema_name is None:
        return None
    if document is None or expected is None:
        return None
    return Example(
        id=example_id,
        schema_name=schema_name,
        expected=expected,
        mime_type=mime_type or _guess_mime(document.name),
        document_path=document,
        file_name=document.name,
        doc_type=doc_type if isinstance(doc_type, str) else None,
        metadata={
            key: value
            for key, value in entry.items()
            if key not in _MANIFEST_KEYS and key not in _RECOMPUTED_KEYS
        },
    )


def _safe_name(value: Any, key: str, where: str, problems: list[str]) -> str | None:
    if not isinstance(value, str) or not value:
        problems.append(f"{where}: {key!r} is required and must be text")
        return None
    if not _SAFE_NAME.fullmatch(value):
        problems.append(
            f"{where}: {key} {value!r} must be letters, digits, '.', '_' or '-' "
            "(it names files on export)"
        )
        return None
    return value


def _inside(folder: Path, value: Any, key: str, where: str, problems: list[str]) -> Path | None:
    """``folder / value`` when it is an existing file inside ``folder``."""
    if not isinstance(value, str) or not value:
        problems.append(f"{where}: {key!r} is required and must be a relative path")
        return None
    relative = Path(value)
    if relative.is_absolute():
        problems.append(f"{where}: {key} {value!r} must be relative to the dataset folder")
        return None
    path = folder / relative
    if not path.resolve().is_relative_to(folder.resolve()):
        problems.append(f"{where}: {key} {value!r} points outside the dataset folder")
        return None
    if not path.is_file():
        problems.append(f"{where}: {value} does not exist")
        return None
    return path


def _json_object_file(path: Path, where: str, problems: list[str]) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        problems.append(f"{where}: {path.name} is not readable JSON: {error}")
        return None
    if not isinstance(data, dict):
        problems.append(f"{where}: {path.name} must hold a JSON object")
        return None
    return data


def _schema_file(path: Path, where: str, problems: list[str]) -> dict[str, Any] | None:
    if not path.is_file():
        problems.append(f"{where}: schemas/{path.name} does not exist")
        return None
    schema = _json_object_file(path, where, problems)
    if schema is None:
        return None
    return schema if _schema_valid(schema, f"{where}: schemas/{path.name}", problems) else None


def _schema_valid(schema: dict[str, Any], where: str, problems: list[str]) -> bool:
    try:
        validator_for(schema).check_schema(schema)
    except SchemaError as error:
        problems.append(f"{where} is not a valid JSON Schema: {error.message}")
        return False
    return True


def _expected_problems(expected: Any, schema: Any, root: Any = None, path: str = "") -> list[str]:
    """Expected keys the schema does not define, and malformed ``$any`` values."""
    root = schema if root is None else root
    node = schema_node(schema, root if isinstance(root, dict) else None)
    if isinstance(expected, dict) and "$any" in expected:
        options = expected["$any"]
        if not isinstance(options, list) or not options:
            return [f"expected {path or 'value'}: $any must list at least one value"]
        return []
    problems: list[str] = []
    if isinstance(expected, dict):
        properties = node.get("properties")
        closed = isinstance(properties, dict) and properties and "patternProperties" not in node
        closed = closed and not isinstance(node.get("additionalProperties"), dict)
        for key, value in expected.items():
            inner = f"{path}.{key}" if path else key
            if closed and isinstance(properties, dict) and key not in properties:
                problems.append(f"expected key {inner!r} is not a property of the schema")
                continue
            sub = properties.get(key) if isinstance(properties, dict) else None
            problems.extend(_expected_problems(value, sub, root, inner))
    elif isinstance(expected, list):
        for index, value in enumerate(expected):
            problems.extend(_expected_problems(value, node.get("items"), root, f"{path}[{index}]"))
    return problems


def _guess_mime(name: str) -> str:
    guessed, _ = mimetypes.guess_type(name)
    return guessed or _DEFAULT_MIME


def _extension(mime_type: str) -> str:
    known = {"image/jpeg": ".jpg", "text/plain": ".txt", "application/pdf": ".pdf"}
    return known.get(mime_type) or mimetypes.guess_extension(mime_type) or ".bin"


# ------------------------------------------------------------------------------- JSONL


def dataset_read_jsonl(
    path: Path | str, *, schemas: Mapping[str, dict[str, Any]] | None = None
) -> Dataset:
    """Read a JSONL dataset (see the module docstring). Named schemas come from ``schemas``,
    else from ``<folder of the file>/schemas/<name>.json``. Raises ``DatasetError`` listing
    every problem, each naming its line."""
    source = Path(path)
    try:
        lines = source.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise DatasetError([f"{source} cannot be read: {error}"]) from error
    problems: list[str] = []
    known: dict[str, dict[str, Any]] = dict(schemas or {})
    examples: list[Example] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"line {number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            problems.append(f"{where}: not JSON ({error.msg})")
            continue
        if not isinstance(record, dict):
            problems.append(f"{where}: must be a JSON object")
            continue
        if isinstance(record.get("id"), str):
            where = f"{where} (id {record['id']!r})"
        example = _jsonl_example(source.parent, record, where, seen, known, problems)
        if example is not None:
            examples.append(example)
    if not examples and not problems:
        problems.append(f"{source.name} holds no examples")
    if problems:
        raise DatasetError(problems)
    used = {example.schema_name for example in examples}
    return Dataset(examples=examples, schemas={k: v for k, v in known.items() if k in used})


def _jsonl_example(
    folder: Path,
    record: dict[str, Any],
    where: str,
    seen: set[str],
    schemas: dict[str, dict[str, Any]],
    problems: list[str],
) -> Example | None:
    before = len(problems)
    example_id = _safe_name(record.get("id"), "id", where, problems)
    if example_id is not None:
        if example_id in seen:
            problems.append(f"{where}: the id {example_id!r} is used twice")
        seen.add(example_id)
    schema_name = _jsonl_schema(folder, record, where, schemas, problems)
    expected = record.get("expected")
    if not isinstance(expected, dict):
        problems.append(f"{where}: 'expected' is required and must be a JSON object")
        expected = None
    elif schema_name in schemas:
        problems.extend(f"{where}: {p}" for p in _expected_problems(expected, schemas[schema_name]))
    path, content, mime_type, file_name = _jsonl_document(folder, record, where, problems)
    doc_type = record.get("doc_type")
    metadata = record.get("metadata", {})
    if not isinstance(metadata, dict):
        problems.append(f"{where}: 'metadata' must be an object")
    if len(problems) > before or example_id is None or schema_name is None or expected is None:
        return None
    return Example(
        id=example_id,
        schema_name=schema_name,
        expected=expected,
        mime_type=mime_type,
        document_path=path,
        document_bytes=content,
        file_name=file_name,
        doc_type=doc_type if isinstance(doc_type, str) else None,
        metadata=dict(metadata),
    )


def _jsonl_schema(
    folder: Path,
    record: dict[str, Any],
    where: str,
    schemas: dict[str, dict[str, Any]],
    problems: list[str],
) -> str | None:
    schema = record.get("schema")
    if isinstance(schema, dict):
        digest = hashlib.sha256(json.dumps(schema, sort_keys=True).encode()).hexdigest()[:12]
        name = _safe_name(
            record.get("schema_name", f"inline-{digest}"), "schema_name", where, problems
        )
        if name is None or not _schema_valid(schema, f"{where}: the schema", problems):
            return None
        if name in schemas and schemas[name] != schema:
            problems.append(f"{where}: schema {name!r} differs from an earlier one of that name")
            return None
        schemas[name] = schema
        return name
    name = _safe_name(schema, "schema", where, problems)
    if name is None or name in schemas:
        return name
    loaded = _schema_file(folder / "schemas" / f"{name}.json", where, problems)
    if loaded is None:
        return None
    schemas[name] = loaded
    return name


def _jsonl_document(
    folder: Path, record: dict[str, Any], where: str, problems: list[str]
) -> tuple[Path | None, bytes | None, str, str | None]:
    file_name = record.get("file_name")
    if file_name is not None and not isinstance(file_name, str):
        problems.append(f"{where}: 'file_name' must be text")
        file_name = None
    mime_type = record.get("mime_type")
    if mime_type is not None and not isinstance(mime_type, str):
        problems.append(f"{where}: 'mime_type' must be text")
        mime_type = None
    if "document_base64" in record:
        encoded = record["document_base64"]
        try:
            content = base64.b64decode(encoded, validate=True) if isinstance(encoded, str) else None
        except (binascii.Error, ValueError):
            content = None
        if not content:
            problems.append(f"{where}: 'document_base64' is not valid, non-empty base64")
            return None, None, _DEFAULT_MIME, file_name
        guessed = _guess_mime(file_name) if file_name else _DEFAULT_MIME
        return None, content, mime_type or guessed, file_name
    if "document" not in record:
        problems.append(f"{where}: give the document as 'document' (a path) or 'document_base64'")
        return None, None, _DEFAULT_MIME, file_name
    path = _inside(folder, record.get("document"), "document", where, problems)
    if path is None:
        return None, None, _DEFAULT_MIME, file_name
    return path, None, mime_type or _guess_mime(path.name), file_name or path.name


# ------------------------------------------------------------------------------- export


def dataset_write_folder(dataset: Dataset, root: Path | str) -> Path:
    """Write ``dataset`` as a folder dataset into ``root`` (created; it must be empty or
    absent). Returns the manifest's path. Raises ``DatasetError`` when ``root`` holds files or
    an example's schema is missing, ``OSError`` when a document cannot be read."""
    folder = Path(root)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise DatasetError([f"{folder} already exists and is not an empty folder"])
    _check_schemas_present(dataset)
    for sub in ("docs", "expected", "schemas"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    manifest = []
    for example in dataset.examples:
        content = example.read_document()
        document = f"docs/{example.id}{_suffix(example)}"
        (folder / document).write_bytes(content)
        expected_file = f"expected/{example.id}.json"
        _write_json(folder / expected_file, example.expected)
        manifest.append(
            {
                "id": example.id,
                "doc_type": example.doc_type or example.schema_name,
                "schema": example.schema_name,
                "file": document,
                "expected_file": expected_file,
                "mime_type": example.mime_type,
                **{
                    key: value
                    for key, value in example.metadata.items()
                    if key not in _MANIFEST_KEYS and key not in _RECOMPUTED_KEYS
                },
                "bytes": len(content),
                "sha256": hashlib.sha256(content).hexdigest(),
            }
        )
    for name, schema in dataset.schemas.items():
        _write_json(folder / "schemas" / f"{name}.json", schema)
    _write_json(folder / "manifest.json", manifest)
    return folder / "manifest.json"


def dataset_write_jsonl(
    dataset: Dataset, path: Path | str, *, embed_documents: bool = True
) -> Path:
    """Write ``dataset`` as JSONL at ``path``, each line carrying its schema inline. Documents
    go in as base64, or (``embed_documents=False``) as files under ``<folder>/docs/`` named in
    ``document``. Returns ``path``. Raises ``DatasetError`` when a schema is missing."""
    target = Path(path)
    _check_schemas_present(dataset)
    target.parent.mkdir(parents=True, exist_ok=True)
    lines = []
    for example in dataset.examples:
        content = example.read_document()
        record: dict[str, Any] = {
            "id": example.id,
            "schema_name": example.schema_name,
            "schema": dataset.schema_for(example),
            "expected": example.expected,
            "mime_type": example.mime_type,
            "file_name": example.name,
        }
        if example.doc_type:
            record["doc_type"] = example.doc_type
        if example.metadata:
            record["metadata"] = example.metadata
        if embed_documents:
            record["document_base64"] = base64.b64encode(content).decode("ascii")
        else:
            relative = f"docs/{example.id}{_suffix(example)}"
            (target.parent / "docs").mkdir(exist_ok=True)
            (target.parent / relative).write_bytes(content)
            record["document"] = relative
        lines.append(json.dumps(record, ensure_ascii=False))
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def _check_schemas_present(dataset: Dataset) -> None:
    missing = sorted({e.schema_name for e in dataset.examples} - set(dataset.schemas))
    if missing:
        raise DatasetError([f"no schema named {name!r} in the dataset" for name in missing])


def _suffix(example: Example) -> str:
    suffix = Path(example.name).suffix.lower()
    return suffix if re.fullmatch(r"\.[a-z0-9]{1,8}", suffix) else _extension(example.mime_type)


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
