"""Forms of the web pages: extraction options, new extractions and agents, starter schemas.

The schema itself is edited in the browser (``static/js/schema-editor.js``) and travels as a
JSON string in ``data_schema``; it is judged by ``extraction.pipeline.schemas`` through the
services.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.conf import settings

from extraction.pipeline.config import (
    ChunkMode,
    ExtractionMode,
    ExtractionTarget,
    Priority,
    parse_page_range,
)
from extraction.pipeline.engines.registry import model_registry_from_settings

# One line per option, shown under its control. Keys are ExtractConfig field names.
OPTION_HELP = {
    "extraction_mode": "How hard to work: FAST is cheapest, PREMIUM verifies every field, "
    "MULTIMODAL also sends page images.",
    "extraction_target": "One result for the whole document, one per page, or one per table row.",
    "chunk_mode": "Split long documents by page or by section before extracting.",
    "page_range": "Only read these pages, e.g. 1-3,5. Leave empty for every page.",
    "num_pages_context": "Neighbouring pages to include with each chunk as context.",
    "cite_sources": "Record where each value was found (page, text and box) to highlight it.",
    "citation_bbox": "Same as citations (kept for LlamaCloud compatibility).",
    "confidence_scores": "Score how sure the extraction is of each value (0–100%).",
    "use_reasoning": "Ask the model to explain its choices (slower; ignored by the local engine).",
    "extract_model": "The model that extracts values; empty uses the default for the mode.",
    "parse_model": "The vision model that reads page images in MULTIMODAL mode.",
    "system_prompt": "Extra instructions for the model, e.g. “amounts are in thousands”.",
    "high_resolution_mode": "Read scanned pages at a higher resolution (better OCR, slower).",
    "multimodal_fast_mode": "In MULTIMODAL mode, skip the page images for speed.",
    "invalidate_cache": "Ignore a cached result for the same document, schema and options.",
    "priority": "Queue priority: higher priorities run first when workers are busy.",
}

MODE_CHOICES = [(m.value, m.value.title()) for m in ExtractionMode]
TARGET_CHOICES = [
    (ExtractionTarget.PER_DOC.value, "Per document"),
    (ExtractionTarget.PER_PAGE.value, "Per page"),
    (ExtractionTarget.PER_TABLE_ROW.value, "Per table row"),
]
CHUNK_CHOICES = [(ChunkMode.PAGE.value, "By page"), (ChunkMode.SECTION.value, "By section")]
PRIORITY_CHOICES = [(p.value, p.value.title()) for p in Priority]

STRING_OPTIONS = ("page_range", "system_prompt", "extract_model", "parse_model")
BOOLEAN_OPTIONS = (
    "cite_sources",
    "citation_bbox",
    "confidence_scores",
    "use_reasoning",
    "high_resolution_mode",
    "multimodal_fast_mode",
    "invalidate_cache",
)


def _model_choices() -> list[tuple[str, str]]:
    names = model_registry_from_settings(settings).available_names()
    return [("", "Default for the mode"), *((name, name) for name in names)]


class ExtractOptionsForm(forms.Form):
    """Every ``ExtractConfig`` field as a control; ``config()`` gives the config dict."""

    extraction_mode = forms.ChoiceField(choices=MODE_CHOICES, initial="BALANCED", label="Mode")
    extraction_target = forms.ChoiceField(choices=TARGET_CHOICES, initial="PER_DOC", label="Target")
    chunk_mode = forms.ChoiceField(choices=CHUNK_CHOICES, initial="PAGE", label="Chunking")
    page_range = forms.CharField(required=False, max_length=200, label="Pages")
    num_pages_context = forms.IntegerField(
        required=False, min_value=0, max_value=20, label="Context pages"
    )
    cite_sources = forms.BooleanField(required=False, initial=True, label="Citations")
    citation_bbox = forms.BooleanField(required=False, label="Citation boxes")
    confidence_scores = forms.BooleanField(required=False, initial=True, label="Confidence")
    use_reasoning = forms.BooleanField(required=False, label="Reasoning")
    extract_model = forms.ChoiceField(required=False, label="Model")
    parse_model = forms.ChoiceField(required=False, label="Vision model")
    system_prompt = forms.CharField(
        required=False,
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="System prompt",
    )
    high_resolution_mode = forms.BooleanField(required=False, label="High resolution")
    multimodal_fast_mode = forms.BooleanField(required=False, label="Multimodal fast mode")
    invalidate_cache = forms.BooleanField(required=False, label="Ignore cache")
    priority = forms.ChoiceField(choices=PRIORITY_CHOICES, initial="medium", label="Priority")

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["extract_model"].choices = _model_choices()
        self.fields["parse_model"].choices = _model_choices()
        self.fields["page_range"].widget.attrs.update(
            {
                "placeholder": "e.g. 1-3,5",
                "pattern": r"\s*\d+\s*(-\s*\d+\s*)?(,\s*\d+\s*(-\s*\d+\s*)?)*",
            }
        )
        for name, form_field in self.fields.items():
            form_field.help_text = OPTION_HELP.get(name, "")
            form_field.widget.attrs["data-testid"] = f"option-{name}"

    @classmethod
    def from_config(cls, config: dict[str, Any], **kwargs: Any) -> ExtractOptionsForm:
        """An unbound form showing a stored config."""
        initial = {key: value for key, value in (config or {}).items() if value is not None}
        return cls(initial=initial, **kwargs)

    def clean_page_range(self) -> str:
        value = (self.cleaned_data.get("page_range") or "").strip()
        if value:
            try:
                parse_page_range(value)
            except ValueError as exc:
                raise forms.ValidationError(str(exc)) from None
        return value

    def config(self) -> dict[str, Any]:
        """The config dict for the services (which validate it again)."""
        data = self.cleaned_data
        config: dict[str, Any] = {
            "extraction_mode": data["extraction_mode"],
            "extraction_target": data["extraction_target"],
            "chunk_mode": data["chunk_mode"],
            "priority": data["priority"],
            "num_pages_context": data.get("num_pages_context"),
        }
        for name in STRING_OPTIONS:
            config[name] = data.get(name) or None
        for name in BOOLEAN_OPTIONS:
            config[name] = bool(data.get(name))
        return config

    def add_config_errors(self, problems: dict[str, str]) -> None:
        """Show a ``ConfigError``'s problems next to their controls."""
        for name, message in problems.items():
            self.add_error(name if name in self.fields else None, message)


def _schema_json_field() -> forms.CharField:
    return forms.CharField(widget=forms.HiddenInput, error_messages={"required": "Add a field."})


class SchemaMixin(forms.Form):
    """The editor's hidden ``data_schema`` input, parsed to an object (judged by the services)."""

    data_schema = _schema_json_field()

    def clean_data_schema(self) -> dict[str, Any]:
        try:
            value = json.loads(self.cleaned_data["data_schema"])
        except RecursionError:
            raise forms.ValidationError("The schema nests too deeply.") from None
        except ValueError as exc:
            raise forms.ValidationError(f"The schema is not valid JSON: {exc}") from None
        if not isinstance(value, dict):
            raise forms.ValidationError("The schema must be a JSON object.")
        return value


class NewExtractionForm(SchemaMixin):
    """What to extract from: uploaded files (one job each) or pasted text."""

    text = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 6}))
    file_ids = forms.CharField(required=False, widget=forms.HiddenInput)
    save_agent = forms.BooleanField(required=False, label="Save as agent")
    agent_name = forms.CharField(required=False, max_length=200, label="Agent name")

    def __init__(self, *args: Any, files_required: bool = True, **kwargs: Any):
        self.files_required = files_required
        super().__init__(*args, **kwargs)

    def clean_file_ids(self) -> list[str]:
        raw = self.cleaned_data.get("file_ids") or ""
        return [part for part in raw.split(",") if part.strip()]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        uploads = self.files.getlist("files") if self.files else []
        cleaned["uploads"] = uploads
        for upload in uploads:
            if upload.size > settings.MAX_UPLOAD_BYTES:
                limit_mb = settings.MAX_UPLOAD_BYTES // (1024 * 1024)
                self.add_error(None, f"{upload.name} is larger than the {limit_mb} MB limit.")
        has_text = bool((cleaned.get("text") or "").strip())
        has_files = bool(uploads or cleaned.get("file_ids"))
        if self.files_required and not has_text and not has_files:
            self.add_error(None, "Upload a file or paste some text to extract from.")
        if has_text and has_files:
            self.add_error("text", "Either upload files or paste text, not both.")
        if cleaned.get("save_agent") and not (cleaned.get("agent_name") or "").strip():
            self.add_error("agent_name", "Give the agent a name.")
        return cleaned


class AgentForm(SchemaMixin):
    """An agent's name and schema; its options come from ``ExtractOptionsForm``."""

    name = forms.CharField(max_length=200)


class RunAgentForm(forms.Form):
    """Files to run an agent on (one job each)."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        uploads = self.files.getlist("files") if self.files else []
        if not uploads:
            raise forms.ValidationError("Choose at least one file.")
        cleaned["uploads"] = uploads
        return cleaned


def _leaf(kind: str, description: str) -> dict[str, Any]:
    if kind == "date":
        return {"type": "string", "format": "date", "description": description}
    return {"type": kind, "description": description}


def _object(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required or []}


STARTER_SCHEMAS: dict[str, dict[str, Any]] = {
    "invoice": _object(
        {
            "invoice_number": _leaf("string", "The invoice's number or reference"),
            "invoice_date": _leaf("date", "Date the invoice was issued"),
            "due_date": _leaf("date", "Date payment is due"),
            "vendor": _object(
                {
                    "name": _leaf("string", "Who issued the invoice"),
                    "address": _leaf("string", "The vendor's address"),
                }
            ),
            "line_items": {
                "type": "array",
                "description": "Each billed line",
                "items": _object(
                    {
                        "description": _leaf("string", "What was billed"),
                        "quantity": _leaf("number", "How many"),
                        "unit_price": _leaf("number", "Price of one unit"),
                        "amount": _leaf("number", "Line total"),
                    }
                ),
            },
            "subtotal": _leaf("number", "Total before tax"),
            "tax": _leaf("number", "Tax amount"),
            "total": _leaf("number", "Amount due"),
            "currency": _leaf("string", "ISO currency code, e.g. USD"),
        },
        ["invoice_number", "total"],
    ),
    "receipt": _object(
        {
            "merchant": _leaf("string", "Shop or merchant name"),
            "date": _leaf("date", "Date of purchase"),
            "items": {
                "type": "array",
                "items": _object(
                    {"name": _leaf("string", "Item"), "price": _leaf("number", "Price")}
                ),
            },
            "subtotal": _leaf("number", "Total before tax"),
            "tax": _leaf("number", "Tax amount"),
            "total": _leaf("number", "Amount paid"),
            "payment_method": {
                "type": "string",
                "enum": ["cash", "card", "other"],
                "description": "How it was paid",
            },
        },
        ["merchant", "total"],
    ),
    "resume": _object(
        {
            "name": _leaf("string", "Candidate's full name"),
            "email": _leaf("string", "Email address"),
            "phone": _leaf("string", "Phone number"),
            "skills": {"type": "array", "items": {"type": "string"}, "description": "Skills"},
            "experience": {
                "type": "array",
                "items": _object(
                    {
                        "company": _leaf("string", "Employer"),
                        "title": _leaf("string", "Job title"),
                        "start": _leaf("string", "Start month (YYYY-MM)"),
                        "end": _leaf("string", "End month (YYYY-MM), empty if current"),
                    }
                ),
            },
            "education": {
                "type": "array",
                "items": _object(
                    {
                        "institution": _leaf("string", "School or university"),
                        "degree": _leaf("string", "Degree obtained"),
                        "year": _leaf("integer", "Graduation year"),
                    }
                ),
            },
        },
        ["name"],
    ),
    "contract": _object(
        {
            "title": _leaf("string", "The contract's title"),
            "parties": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Names of the parties",
            },
            "effective_date": _leaf("date", "When the contract takes effect"),
            "term_months": _leaf("integer", "Length of the term in months"),
            "governing_law": _leaf("string", "Jurisdiction whose law governs"),
            "auto_renews": _leaf("boolean", "Whether the contract renews automatically"),
        },
        ["parties", "effective_date"],
    ),
    "table_rows": _object(
        {
            "rows": {
                "type": "array",
                "description": "One entry per table row",
                "items": _object(
                    {
                        "name": _leaf("string", "First column"),
                        "value": _leaf("number", "Numeric column"),
                        "category": _leaf("string", "Category column"),
                    }
                ),
            }
        },
        ["rows"],
    ),
}
STARTER_LABELS = {
    "invoice": "Invoice",
    "receipt": "Receipt",
    "resume": "Résumé",
    "contract": "Contract",
    "table_rows": "Table rows",
}
