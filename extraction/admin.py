"""Admin for inspecting jobs: status, durations, errors, pretty JSON, retry and cancel."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Protocol

from django.contrib import admin, messages
from django.utils.html import format_html

from extraction import services
from extraction.models import (
    ExtractionAgent,
    ExtractionCacheEntry,
    ExtractionJob,
    ExtractionRun,
    SourceFile,
    WebhookDelivery,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

    from django.db.models import QuerySet
    from django.http import HttpRequest


def pretty_json(value: object) -> str:
    # format_html escapes the JSON, so document text inside it cannot inject markup.
    return format_html(
        '<pre style="white-space:pre-wrap;max-height:32em;overflow:auto">{}</pre>',
        json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True),
    )


class _JobAction(Protocol):
    """A service that acts on one job (``job_retry``, ``job_cancel``)."""

    def __call__(self, *, job: ExtractionJob) -> ExtractionJob: ...


class HasErrorFilter(admin.SimpleListFilter):
    title = "has error"
    parameter_name = "has_error"

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin[Any]
    ) -> Iterable[tuple[str, str]]:
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.exclude(error="")
        if self.value() == "no":
            return queryset.filter(error="")
        return queryset


_DELIVERY_FIELDS = ("event", "url", "attempt", "status_code", "error", "delivered_at", "created_at")


class WebhookDeliveryInline(admin.TabularInline[WebhookDelivery, ExtractionJob]):
    model = WebhookDelivery
    extra = 0
    can_delete = False
    fields = _DELIVERY_FIELDS
    readonly_fields = _DELIVERY_FIELDS


@admin.register(ExtractionJob)
class ExtractionJobAdmin(admin.ModelAdmin[ExtractionJob]):
    list_display = [
        "id",
        "status",
        "project",
        "agent",
        "file_name",
        "duration",
        "short_error",
        "created_at",
    ]
    list_filter = ["status", "project", HasErrorFilter, "created_at", "priority"]
    search_fields = ["id", "file_name", "file__name", "agent__name"]
    list_select_related = ["project", "agent"]
    ordering = ["-created_at"]
    date_hierarchy = "created_at"
    actions = ["retry_jobs", "cancel_jobs"]
    inlines = [WebhookDeliveryInline]
    readonly_fields = [
        "id",
        "project",
        "agent",
        "file",
        "file_name",
        "status",
        "pages_done",
        "pages_total",
        "error",
        "priority",
        "attempts",
        "from_ui",
        "queued_at",
        "started_at",
        "finished_at",
        "lease_expires_at",
        "run",
        "created_at",
        "updated_at",
        "schema_json",
        "config_json",
        "result_json",
        "metadata_json",
        "webhooks_json",
    ]
    exclude = ["data_schema", "config", "webhook_configurations", "inline_text"]

    @admin.display(description="duration")
    def duration(self, job: ExtractionJob) -> str:
        seconds = job.duration_seconds
        return "—" if seconds is None else f"{seconds:.2f} s"

    @admin.display(description="error")
    def short_error(self, job: ExtractionJob) -> str:
        return job.error[:80]

    @admin.display(description="data schema")
    def schema_json(self, job: ExtractionJob) -> str:
        return pretty_json(job.data_schema)

    @admin.display(description="config")
    def config_json(self, job: ExtractionJob) -> str:
        return pretty_json(job.config)

    @admin.display(description="webhook configurations")
    def webhooks_json(self, job: ExtractionJob) -> str:
        return pretty_json(job.webhook_configurations)

    @admin.display(description="result")
    def result_json(self, job: ExtractionJob) -> str:
        run = job.run
        return pretty_json(run.data if run else None)

    @admin.display(description="extraction metadata")
    def metadata_json(self, job: ExtractionJob) -> str:
        run = job.run
        return pretty_json(run.extraction_metadata if run else None)

    @admin.action(description="Retry selected jobs")
    def retry_jobs(self, request: HttpRequest, queryset: QuerySet[ExtractionJob]) -> None:
        self._apply(request, queryset, services.job_retry, "re-queued")

    @admin.action(description="Cancel selected jobs")
    def cancel_jobs(self, request: HttpRequest, queryset: QuerySet[ExtractionJob]) -> None:
        self._apply(request, queryset, services.job_cancel, "cancelled")

    def _apply(
        self,
        request: HttpRequest,
        queryset: QuerySet[ExtractionJob],
        action: _JobAction,
        verb: str,
    ) -> None:
        done = 0
        for job in queryset:
            try:
                action(job=job)
                done += 1
            except services.ServiceError as exc:
                self.message_user(request, f"{job.id}: {exc}", messages.WARNING)
        if done:
            self.message_user(request, f"{done} job(s) {verb}.", messages.SUCCESS)


@admin.register(ExtractionRun)
class ExtractionRunAdmin(admin.ModelAdmin[ExtractionRun]):
    list_display = ["id", "number", "status", "project", "agent", "job", "created_at"]
    list_filter = ["status", "project"]
    search_fields = ["id", "job__id"]
    list_select_related = ["project", "agent", "job"]
    ordering = ["-created_at"]
    readonly_fields = ["job", "number", "data_json", "metadata_json", "schema_json", "config_json"]
    exclude = ["data", "extraction_metadata", "data_schema", "config"]

    @admin.display(description="data")
    def data_json(self, run: ExtractionRun) -> str:
        return pretty_json(run.data)

    @admin.display(description="extraction metadata")
    def metadata_json(self, run: ExtractionRun) -> str:
        return pretty_json(run.extraction_metadata)

    @admin.display(description="data schema")
    def schema_json(self, run: ExtractionRun) -> str:
        return pretty_json(run.data_schema)

    @admin.display(description="config")
    def config_json(self, run: ExtractionRun) -> str:
        return pretty_json(run.config)


@admin.register(ExtractionAgent)
class ExtractionAgentAdmin(admin.ModelAdmin[ExtractionAgent]):
    list_display = ["name", "project", "is_default", "created_at", "updated_at"]
    list_filter = ["is_default", "project"]
    search_fields = ["id", "name"]
    ordering = ["-created_at"]
    readonly_fields = ["schema_json", "config_json"]

    @admin.display(description="data schema")
    def schema_json(self, agent: ExtractionAgent) -> str:
        return pretty_json(agent.data_schema)

    @admin.display(description="config")
    def config_json(self, agent: ExtractionAgent) -> str:
        return pretty_json(agent.config)


@admin.register(SourceFile)
class SourceFileAdmin(admin.ModelAdmin[SourceFile]):
    list_display = ["name", "project", "mime_type", "size", "page_count", "purpose", "created_at"]
    list_filter = ["mime_type", "purpose", "project"]
    search_fields = ["id", "name", "sha256", "external_file_id"]
    ordering = ["-created_at"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin[WebhookDelivery]):
    list_display = ["job", "event", "url", "attempt", "status_code", "delivered_at", "created_at"]
    list_filter = ["event", "status_code"]
    search_fields = ["job__id", "url"]
    ordering = ["-created_at"]


@admin.register(ExtractionCacheEntry)
class ExtractionCacheEntryAdmin(admin.ModelAdmin[ExtractionCacheEntry]):
    list_display = ["key", "project", "created_at", "expires_at"]
    search_fields = ["key"]
    ordering = ["-created_at"]
