"""Forms of the web pages: extraction options, new extractions and agents, starter schemas.

The schema itself is edited in the browser (``static/js/schema-editor.js``) and travels as a
JSON string in ``data_schema``; it is judged by ``extraction.pipeline.schemas`` through the
services.
"""

from __future__ import annotations

import json
import uuid
from enum import StrEnum
from typing import Any

from django import forms
from django.conf import settings

from extraction.models import JobStatus
from extraction.pipeline.config import (
    OPTIONS,
    ChunkMode,
    ExtractConfig,
    ExtractionTarget,
    Option,
    parse_page_range,
)
from extraction.pipeline.engines.registry import model_registry_from_settings
from extraction.web.engine_choice import (
    EnginePreview,
    engine_preview,
    hidden_options,
    installation_registry,
    runnable_models,
)

# How an enum's values read in the form (the API takes the values themselves).
CHOICE_LABELS = {
    ExtractionTarget.PER_DOC: "Per document",
    ExtractionTarget.PER_PAGE: "Per page",
    ExtractionTarget.PER_TABLE_ROW: "Per table row",
    ChunkMode.PAGE: "By page",
    ChunkMode.SECTION: "By section",
}
PAGE_RANGE_PATTERN = r"\s*\d+\s*(-\s*\d+\s*)?(,\s*\d+\s*(-\s*\d+\s*)?)*"


class ModelField(forms.ChoiceField):
    """A model name: the menu offers what this installation runs (``runnable_models``), and
    any name the registry knows is accepted, so a config saved through the API (with a
    LlamaCloud model name, say) survives being edited here."""

    def valid_value(self, value: Any) -> bool:
        known = model_registry_from_settings(settings).available_names()
        return value in known or super().valid_value(value)


def _option_field(name: str, spec: Option) -> forms.Field:
    """The control for one ``ExtractConfig`` option, from its declaration."""
    common: dict[str, Any] = {"label": spec.label, "help_text": spec.help, "required": False}
    default = ExtractConfig.__dataclass_fields__[name].default
    initial = spec.ui_initial if spec.ui_initial is not None else default
    if spec.kind == "enum":
        assert spec.choices is not None
        choices = [(m.value, CHOICE_LABELS.get(m, m.value.title())) for m in spec.choices]
        value = initial.value if isinstance(initial, StrEnum) else initial
        return forms.ChoiceField(choices=choices, initial=value, **{**common, "required": True})
    if spec.kind == "flag":
        return forms.BooleanField(initial=bool(initial), **common)
    if spec.kind == "count":
        return forms.IntegerField(min_value=0, max_value=spec.maximum, **common)
    if spec.kind == "model":
        return ModelField(**common)
    if spec.kind == "pages":
        return forms.CharField(
            max_length=spec.max_chars,
            widget=forms.TextInput(
                attrs={"placeholder": "e.g. 1-3,5", "pattern": PAGE_RANGE_PATTERN}
            ),
            **common,
        )
    return forms.CharField(
        max_length=spec.max_chars, widget=forms.Textarea(attrs={"rows": 3}), **common
    )


class ExtractOptionsForm(forms.Form):
    """Every ``ExtractConfig`` option as a control (built from ``OPTIONS``); ``config()`` gives
    the config dict. Options no engine of this installation would use are ``hidden`` (still
    sent, so a stored value survives); ``engine`` says which engine the options will run on."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        registry = installation_registry()
        self.hidden = hidden_options(registry)
        models = runnable_models(registry)
        for name, spec in OPTIONS.items():
            form_field = self.fields[name] = _option_field(name, spec)
            if spec.kind == "model":
                assert isinstance(form_field, forms.ChoiceField)
                current = self.initial.get(name) or (self.data.get(name) if self.data else None)
                extra = [] if not current or current in dict(models) else [(current, current)]
                form_field.choices = [("", "Default for the mode"), *models, *extra]
            form_field.widget.attrs["data-testid"] = f"option-{name}"

    @classmethod
    def from_config(cls, config: dict[str, Any], **kwargs: Any) -> ExtractOptionsForm:
        """An unbound form showing a stored config."""
        initial = {key: value for key, value in (config or {}).items() if value is not None}
        return cls(initial=initial, **kwargs)

    @property
    def flag_fields(self) -> list[forms.BoundField]:
        """The shown checkboxes."""
        return [b for b in self if b.name not in self.hidden and b.widget_type == "checkbox"]

    @property
    def other_fields(self) -> list[forms.BoundField]:
        """The shown controls that are not checkboxes."""
        return [b for b in self if b.name not in self.hidden and b.widget_type != "checkbox"]

    @property
    def hidden_fields_kept(self) -> list[forms.BoundField]:
        """The hidden options, sent as they are so a stored value survives a save."""
        return [b for b in self if b.name in self.hidden]

    @property
    def engine(self) -> EnginePreview:
        """The engine these options (as posted, or as stored) will run on."""
        config: dict[str, Any] = {}
        for name in OPTIONS:
            if not self.is_bound:
                config[name] = self[name].initial
            elif name in self.data:
                try:
                    config[name] = self.fields[name].clean(self.data.get(name))
                except forms.ValidationError:
                    continue
        config = {key: value for key, value in config.items() if value not in (None, "")}
        return engine_preview(config)

    def clean_page_range(self) -> str:
        value = (self.cleaned_data.get("page_range") or "").strip()
        if value:
            try:
                parse_page_range(value)
            except ValueError as exc:
                raise forms.ValidationError(str(exc)) from None
        return value

    def config(self) -> dict[str, Any]:
        """The config dict for the services (which check it again): empty text is None."""
        data = self.cleaned_data
        config: dict[str, Any] = {}
        for name, spec in OPTIONS.items():
            value = data.get(name)
            if spec.kind == "flag":
                value = bool(value)
            elif spec.kind in ("text", "pages", "model"):
                value = value or None
            config[name] = value
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

    def __init__(self, *args: Any, files_required: bool = True, **kwargs: Any) -> None:
        self.files_required = files_required
        super().__init__(*args, **kwargs)

    def clean_file_ids(self) -> list[str]:
        raw = self.cleaned_data.get("file_ids") or ""
        return [part for part in raw.split(",") if part.strip()]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        uploads = self.files.getlist("files") if self.files else []
        cleaned["uploads"] = uploads
        for upload in uploads:
            if (upload.size or 0) > settings.MAX_UPLOAD_BYTES:
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


class RerunForm(SchemaMixin):
    """Edit & re-run: the schema (its options come from ``ExtractOptionsForm``)."""


class RunAgentForm(forms.Form):
    """Files to run an agent on (one job each)."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        uploads = self.files.getlist("files") if self.files else []
        if not uploads:
            raise forms.ValidationError("Choose at least one file.")
        cleaned["uploads"] = uploads
        return cleaned


class JobFilterForm(forms.Form):
    """The Jobs page's search and filters (all optional; a bad value is ignored)."""

    q = forms.CharField(required=False, max_length=200, label="Search")
    status = forms.ChoiceField(required=False, label="Status")
    agent = forms.ChoiceField(required=False, label="Agent")
    created_from = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    created_to = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, agents: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        status_field = self.fields["status"]
        assert isinstance(status_field, forms.ChoiceField)
        status_field.choices = [("", "Any status"), *JobStatus.choices]
        agent_field = self.fields["agent"]
        assert isinstance(agent_field, forms.ChoiceField)
        agent_field.choices = [("", "Any agent"), *((str(a.id), a.name) for a in agents)]
        for name, form_field in self.fields.items():
            form_field.widget.attrs["data-testid"] = f"filter-{name}"

    def filters(self) -> dict[str, Any]:
        """The valid filters, as ``selectors.jobs_search`` takes them."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "text": data.get("q") or "",
            "status": data.get("status") or "",
            "agent_id": uuid.UUID(data["agent"]) if data.get("agent") else None,
            "created_from": data.get("created_from"),
            "created_to": data.get("created_to"),
        }


class WorkspaceAddForm(forms.Form):
    """Documents to add to a workspace: uploads and/or stored files (their ids)."""

    file_ids = forms.MultipleChoiceField(required=False)

    def __init__(self, *args: Any, stored: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["file_ids"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(str(source.id), source.name) for source in stored]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cleaned["uploads"] = self.files.getlist("files") if self.files else []
        if not cleaned["uploads"] and not cleaned.get("file_ids"):
            raise forms.ValidationError("Choose files to upload or stored files to add.")
        for upload in cleaned["uploads"]:
            if (upload.size or 0) > settings.MAX_UPLOAD_BYTES:
                limit_mb = settings.MAX_UPLOAD_BYTES // (1024 * 1024)
                raise forms.ValidationError(
                    f"{upload.name} is larger than the {limit_mb} MB limit."
                )
        return cleaned
