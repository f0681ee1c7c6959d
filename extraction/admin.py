"""Admin for inspecting jobs: status, durations, errors, pretty JSON, retry and cancel."""

from __future__ import annotations

import json

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
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


def pretty_json(value: object) -> str:
    # format_html escapes the JSON, so document text inside it cannot inject markup.
    return format_html(
        '<pre style="white-space:pre-wrap;max-height:32em;overflow:auto">{}</pre>',
        json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True),
    )


class HasErrorFilter(admin.SimpleListFilter):
    title = "has error"
    parameter_name = "has_error"

    def lookups(self, request, model_admin):  # noqa: ANN001, ANN201 - Django signature
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request, queryset):  # noqa: ANN001, ANN201
        if self.value() == "yes":
            return queryset.exclude(error="")
        if self.value() == "no":
            return queryset.filter(error="")
        return queryset


class WebhookDeliveryInline(admin.TabularInline):
    model = WebhookDelivery
    extra = 0
    can_delete = False
    fields = ["event", "url", "attempt", "status_code", "error", "delivered_at", "created_at"]
    readonly_fields = fields


@admin.register(ExtractionJob)
class ExtractionJobAdmin(admin.ModelAdmin):
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

    def _apply(self, request: HttpRequest, queryset: QuerySet, action, verb: str) -> None:  # noqa: ANN001
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
class ExtractionRunAdmin(admin.ModelAdmin):
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
class ExtractionAgentAdmin(admin.ModelAdmin):
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
class SourceFileAdmin(admin.ModelAdmin):
    list_display = ["name", "project", "mime_type", "size", "page_count", "purpose", "created_at"]
    list_filter = ["mime_type", "purpose", "project"]
    search_fields = ["id", "name", "sha256", "external_file_id"]
    ordering = ["-created_at"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["job", "event", "url", "attempt", "status_code", "delivered_at", "created_at"]
    list_filter = ["event", "status_code"]
    search_fields = ["job__id", "url"]
    ordering = ["-created_at"]


@admin.register(ExtractionCacheEntry)
class ExtractionCacheEntryAdmin(admin.ModelAdmin):
    list_display = ["key", "project", "created_at", "expires_at"]
    search_fields = ["key"]
    ordering = ["-created_at"]
