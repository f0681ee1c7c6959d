"""Agents, source files, jobs, runs, webhook deliveries and the result cache.

``ExtractionJob`` is the truth for status and progress; the UI and both API generations read it.
"""

from __future__ import annotations

import uuid

from django.db import models

from accounts.models import Project
from extraction.fields import OrderedJSONField


class TimestampedModel(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class ExtractionAgent(TimestampedModel):
    """A saved schema + config. Each project has one hidden default agent for stateless runs."""

    DEFAULT_NAME = "default-agent"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="agents")
    name = models.CharField(max_length=200)
    data_schema = OrderedJSONField(default=dict)
    config = models.JSONField(default=dict)
    is_default = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="unique_agent_name"),
            models.UniqueConstraint(
                fields=["project"],
                condition=models.Q(is_default=True),
                name="one_default_agent_per_project",
            ),
        ]
        indexes = [models.Index(fields=["project", "-created_at"])]

    def __str__(self) -> str:
        return self.name


def source_file_path(instance: SourceFile, filename: str) -> str:
    # The user's file name never reaches the path: it is untrusted (traversal, odd characters).
    return f"files/{instance.project_id}/{instance.id}"


class SourceFile(TimestampedModel):
    class Purpose(models.TextChoices):
        EXTRACT = "extract"
        USER_DATA = "user_data"
        PARSE = "parse"
        CLASSIFY = "classify"
        SPLIT = "split"
        SHEET = "sheet"
        AGENT_APP = "agent_app"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=255)
    content = models.FileField(upload_to=source_file_path, max_length=255)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    mime_type = models.CharField(max_length=120)
    purpose = models.CharField(max_length=32, choices=Purpose.choices, default=Purpose.EXTRACT)
    external_file_id = models.CharField(max_length=1024, blank=True, default="")
    page_count = models.IntegerField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["project", "-created_at"])]

    def __str__(self) -> str:
        return self.name


class JobStatus(models.TextChoices):
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    SUCCESS = "SUCCESS"
    ERROR = "ERROR"
    PARTIAL_SUCCESS = "PARTIAL_SUCCESS"
    CANCELLED = "CANCELLED"


TERMINAL_STATUSES = frozenset(
    {JobStatus.SUCCESS, JobStatus.ERROR, JobStatus.PARTIAL_SUCCESS, JobStatus.CANCELLED}
)
ACTIVE_STATUSES = frozenset({JobStatus.PENDING, JobStatus.RUNNING})


class ExtractionJob(TimestampedModel):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="jobs")
    agent = models.ForeignKey(ExtractionAgent, on_delete=models.CASCADE, related_name="jobs")
    file = models.ForeignKey(
        SourceFile, on_delete=models.SET_NULL, null=True, blank=True, related_name="jobs"
    )
    file_name = models.CharField(max_length=255, blank=True, default="")
    # NULL means "no inline text" (the job has a file); "" would be an empty document.
    inline_text = models.TextField(null=True, blank=True)  # noqa: DJ001
    data_schema = OrderedJSONField(default=dict)
    config = models.JSONField(default=dict)
    status = models.CharField(max_length=20, choices=JobStatus.choices, default=JobStatus.PENDING)
    pages_done = models.IntegerField(default=0)
    pages_total = models.IntegerField(null=True, blank=True)
    error = models.TextField(blank=True, default="")
    priority = models.CharField(max_length=10, default="medium")
    webhook_configurations = models.JSONField(default=list, blank=True)
    from_ui = models.BooleanField(default=False)
    attempts = models.IntegerField(default=0)
    # Set by each claim (job_start): a worker's writes match on it, so an attempt that was
    # cancelled, or whose lease ran out and the job was claimed again, can write nothing.
    attempt_token = models.UUIDField(null=True, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The job's current run: the newest one, which the worker fills and both APIs read. A job
    # run again keeps its earlier runs (``runs``); NULL only once that run was deleted.
    run = models.OneToOneField(
        "ExtractionRun",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="current_of",
    )

    class Meta:
        indexes = [
            models.Index(fields=["project", "-created_at"]),
            models.Index(fields=["agent", "-created_at"]),
            models.Index(fields=["status", "lease_expires_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.id} ({self.status})"

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None


class RunStatus(models.TextChoices):
    CREATED = "CREATED"
    PENDING = "PENDING"
    SUCCESS = "SUCCESS"
    ERROR = "ERROR"


class ExtractionRun(TimestampedModel):
    """One result of a job. Failed and cancelled jobs get one too (SDKs fetch it regardless).

    A job runs once when submitted and again each time it is re-run, every run with the schema
    and config it ran with (``number`` counts them from 1); ``job.run`` is the newest.
    """

    job = models.ForeignKey(ExtractionJob, on_delete=models.CASCADE, related_name="runs")
    number = models.PositiveIntegerField(default=1)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="runs")
    agent = models.ForeignKey(ExtractionAgent, on_delete=models.CASCADE, related_name="runs")
    data_schema = OrderedJSONField(default=dict)
    config = models.JSONField(default=dict)
    data = OrderedJSONField(null=True, blank=True)
    extraction_metadata = OrderedJSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.PENDING)
    error = models.TextField(blank=True, default="")
    from_ui = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["project", "-created_at"]),
            models.Index(fields=["agent", "-created_at"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["job", "number"], name="one_run_number_per_job"),
        ]

    def __str__(self) -> str:
        return f"run {self.id} ({self.status})"


class WebhookDelivery(TimestampedModel):
    job = models.ForeignKey(
        ExtractionJob, on_delete=models.CASCADE, related_name="webhook_deliveries"
    )
    event = models.CharField(max_length=40)
    event_id = models.UUIDField(default=uuid.uuid4)
    url = models.URLField(max_length=2000)
    attempt = models.IntegerField(default=0)
    status_code = models.IntegerField(null=True, blank=True)
    error = models.TextField(blank=True, default="")
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "webhook deliveries"
        indexes = [models.Index(fields=["job", "-created_at"])]
        constraints = [
            models.UniqueConstraint(fields=["job", "event", "url"], name="one_delivery_per_event"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.url} (attempt {self.attempt})"


class ExtractionCacheEntry(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="cache_entries")
    key = models.CharField(max_length=64, db_index=True)
    data = OrderedJSONField(null=True)
    metadata = OrderedJSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "extraction cache entries"
        constraints = [
            models.UniqueConstraint(fields=["project", "key"], name="extraction_cache_one_per_key")
        ]

    def __str__(self) -> str:
        return self.key


class SavedConfiguration(TimestampedModel):
    """A named product configuration (LlamaCloud's ``/beta/configurations``).

    ``parameters`` holds the product's settings as the client sent them (for ``extract_v2``: a
    data_schema plus tier, target_pages, ...). Saving under an existing name + product type in
    the same project replaces the parameters, so there is one row per name and product type.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="configurations")
    name = models.CharField(max_length=200)
    product_type = models.CharField(max_length=32)
    parameters = OrderedJSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["project", "product_type", "name"], name="unique_configuration_name"
            ),
        ]
        indexes = [models.Index(fields=["project", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.product_type})"


class ExtractionJobConfiguration(models.Model):
    """What a v2 request asked for: its configuration as given and the saved one it named.

    Jobs submitted through v1 have none; v2 derives their configuration from the job's config.
    """

    job = models.OneToOneField(
        ExtractionJob, on_delete=models.CASCADE, primary_key=True, related_name="v2_request"
    )
    configuration = OrderedJSONField(default=dict)
    saved_configuration = models.ForeignKey(
        SavedConfiguration, on_delete=models.SET_NULL, null=True, blank=True, related_name="jobs"
    )

    def __str__(self) -> str:
        return f"v2 request of {self.job_id}"


class WorkspaceDocument(models.Model):
    """A document in an agent's workspace, where the agent's schema is tried on several
    documents at once: each run of the workspace runs its ``job`` again, so the job's runs are
    the iterations (``job`` is NULL until the first run, or once the job was deleted)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agent = models.ForeignKey(
        ExtractionAgent, on_delete=models.CASCADE, related_name="workspace_documents"
    )
    file = models.ForeignKey(SourceFile, on_delete=models.CASCADE, related_name="workspaces")
    job = models.ForeignKey(
        ExtractionJob, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agent", "file"], name="one_workspace_entry_per_file")
        ]
        indexes = [models.Index(fields=["agent", "created_at"])]

    def __str__(self) -> str:
        return f"{self.file_id} in {self.agent_id}"
