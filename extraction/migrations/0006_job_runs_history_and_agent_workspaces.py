"""A job keeps every run, and agents get a workspace of documents.

Before: one ``ExtractionRun`` per job (a OneToOne), overwritten by "Run again". After: a job has
many runs (``job.runs``), each numbered and holding the schema and config it ran with, and
``job.run`` points at the newest one, the one both APIs keep returning.

Existing data: every run becomes run 1 of its job, with its job's schema and config copied in,
and becomes its job's current run, so nothing the APIs answer changes. Reversing keeps only
each job's current run (the others have no place in the old shape).

Also: ``WorkspaceDocument`` (an agent's workspace), and the admin's plural names of the cache
entries and webhook deliveries.
"""

import uuid

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery

import extraction.fields


def runs_snapshot_and_link(apps, schema_editor):  # noqa: ANN001, ANN201
    """Copy each job's schema and config into its run, and make that run the job's current."""
    ExtractionJob = apps.get_model("extraction", "ExtractionJob")
    ExtractionRun = apps.get_model("extraction", "ExtractionRun")
    jobs = ExtractionJob.objects.filter(pk=OuterRef("job_id"))
    ExtractionRun.objects.update(
        data_schema=Subquery(jobs.values("data_schema")[:1]),
        config=Subquery(jobs.values("config")[:1]),
    )
    ExtractionJob.objects.update(
        run=Subquery(ExtractionRun.objects.filter(job_id=OuterRef("pk")).values("pk")[:1])
    )


def runs_keep_current_only(apps, schema_editor):  # noqa: ANN001, ANN201
    """Back to one run per job: every run that is not its job's current one is dropped."""
    ExtractionJob = apps.get_model("extraction", "ExtractionJob")
    ExtractionRun = apps.get_model("extraction", "ExtractionRun")
    current = ExtractionJob.objects.exclude(run=None).values("run_id")
    ExtractionRun.objects.exclude(pk__in=Subquery(current)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_audit_events"),
        ("extraction", "0005_job_attempt_token"),
    ]

    operations = [
        # One job, many runs: the reverse accessor becomes ``runs``, freeing ``job.run``.
        migrations.AlterField(
            model_name="extractionrun",
            name="job",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="runs",
                to="extraction.extractionjob",
            ),
        ),
        migrations.AddField(
            model_name="extractionrun",
            name="number",
            field=models.PositiveIntegerField(default=1),
        ),
        migrations.AddField(
            model_name="extractionrun",
            name="data_schema",
            field=extraction.fields.OrderedJSONField(default=dict),
        ),
        migrations.AddField(
            model_name="extractionrun",
            name="config",
            field=models.JSONField(default=dict),
        ),
        migrations.AddField(
            model_name="extractionjob",
            name="run",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="current_of",
                to="extraction.extractionrun",
            ),
        ),
        migrations.RunPython(runs_snapshot_and_link, runs_keep_current_only, elidable=False),
        migrations.AddConstraint(
            model_name="extractionrun",
            constraint=models.UniqueConstraint(
                fields=("job", "number"), name="one_run_number_per_job"
            ),
        ),
        migrations.CreateModel(
            name="WorkspaceDocument",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "agent",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="workspace_documents",
                        to="extraction.extractionagent",
                    ),
                ),
                (
                    "file",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="workspaces",
                        to="extraction.sourcefile",
                    ),
                ),
                (
                    "job",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="extraction.extractionjob",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["agent", "created_at"], name="extraction__agent_i_c32abd_idx")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("agent", "file"), name="one_workspace_entry_per_file"
                    )
                ],
            },
        ),
        migrations.AlterModelOptions(
            name="extractioncacheentry",
            options={"verbose_name_plural": "extraction cache entries"},
        ),
        migrations.AlterModelOptions(
            name="webhookdelivery",
            options={"verbose_name_plural": "webhook deliveries"},
        ),
    ]
