"""Findings 9 (deleted and expired data stayed), 11 (CSV formulas) and 12 (file modes)."""

from __future__ import annotations

import datetime as dt
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from extraction.models import ExtractionCacheEntry, ExtractionJob, ExtractionRun, JobStatus
from extraction.services import maintenance
from extraction.web import page_images
from extraction.web.result_export import csv_text
from tests.conftest import ROOT
from tests.factories import AgentFactory, store_file, submit_job

TEXT = b"Invoice number: INV-9\nTotal: 12.00\n"
OTHER = "o" * 64  # another document's cached result
HOUR = dt.timedelta(hours=1)


def store(project, name: str):
    return store_file(project, TEXT, name, "text/plain")


def stored_file_with_everything_derived(project):
    """A file, a finished job on it with a cached result, and its text preview on disk."""
    source = store(project, "a.txt")
    agent = AgentFactory(project=project)
    job = submit_job(project=project, agent=agent, source=source)
    key = "k" * 64
    ExtractionJob.objects.filter(pk=job.pk).update(status=JobStatus.SUCCESS)
    ExtractionRun.objects.filter(job=job).update(
        data={"invoice_number": "INV-9"}, extraction_metadata={"cache": {"hit": False, "key": key}}
    )
    ExtractionCacheEntry.objects.create(
        project=project, key=key, data={}, expires_at=timezone.now() + HOUR
    )
    ExtractionCacheEntry.objects.get_or_create(
        project=project, key=OTHER, defaults={"data": {}, "expires_at": timezone.now() + HOUR}
    )
    assert page_images.page_texts(source=source)  # writes renders/<id>/text.json
    folder = Path(settings.DATA_DIR) / "renders" / str(source.id)
    (folder / "1-110.png").write_bytes(b"png")
    return source, job, key, folder


@pytest.mark.django_db
def test_deleting_a_file_through_the_api_removes_everything_derived(owner_client, owner_project):
    source, job, key, folder = stored_file_with_everything_derived(owner_project)
    path = Path(source.content.path)
    assert path.exists()
    assert folder.exists()
    assert owner_client.delete(f"/api/v1/files/{source.id}").status_code == 200
    assert not path.exists()
    assert not folder.exists()  # page images and the text preview
    assert not ExtractionCacheEntry.objects.filter(key=key).exists()
    assert ExtractionCacheEntry.objects.filter(key=OTHER).exists()
    job.refresh_from_db()
    assert job.file_id is None
    assert ExtractionRun.objects.get(job=job).data
    assert AuditEvent.objects.get(action="file.delete").details["cached_results"] == 1


@pytest.mark.django_db
def test_the_v2_and_page_deletes_use_the_same_path(owner_client, owner, owner_project, client):
    source, _, key, folder = stored_file_with_everything_derived(owner_project)
    assert owner_client.delete(f"/api/v1/beta/files/{source.id}").status_code in (200, 204)
    assert not folder.exists()
    assert not ExtractionCacheEntry.objects.filter(key=key).exists()
    source, _, key, folder = stored_file_with_everything_derived(owner_project)
    client.force_login(owner)
    assert client.post(reverse("file_delete", args=[source.id])).status_code == 302
    assert not folder.exists()
    assert not ExtractionCacheEntry.objects.filter(key=key).exists()


@pytest.mark.django_db
def test_expired_files_are_deleted_by_the_beat_task(owner_project, settings):
    settings.FILE_EXPIRY_DAYS = 7
    source, _, key, folder = stored_file_with_everything_derived(owner_project)
    assert source.expires_at is not None
    busy = store_file(owner_project, TEXT, "b.txt", "text/plain")
    submit_job(project=owner_project, agent=AgentFactory(project=owner_project), source=busy)
    fresh = store_file(owner_project, TEXT, "c.txt", "text/plain")
    later = timezone.now() + dt.timedelta(days=8)
    fresh.expires_at = later + dt.timedelta(days=1)
    fresh.save()
    assert maintenance.files_delete_expired(now=later) == 1
    assert not type(source).objects.filter(pk=source.pk).exists()
    assert not folder.exists()
    assert not ExtractionCacheEntry.objects.filter(key=key).exists()
    assert type(source).objects.filter(pk=busy.pk).exists()  # a pending job still reads it
    assert type(source).objects.filter(pk=fresh.pk).exists()
    assert AuditEvent.objects.filter(action="file.expire").count() == 1
    schedule = settings.CELERY_BEAT_SCHEDULE["delete-expired-files"]
    assert schedule["task"] == "extraction.tasks.delete_expired_files"


# --- 11: CSV ----------------------------------------------------------------------------------


def test_csv_cells_that_would_run_as_formulas_are_escaped():
    data = {
        "name": '=HYPERLINK("http://evil.test","x")',
        "a": "+1+2",
        "b": "-2+3",
        "c": "@SUM(A1)",
        "d": "\tcmd",
        "total": -12.5,
        "ok": "plain",
    }
    lines = csv_text(data).splitlines()
    row = lines[1]
    assert row.startswith("\"'=HYPERLINK(")
    assert ",'+1+2,'-2+3,'@SUM(A1)," in row
    assert ",-12.5,plain" in row  # numbers stay numbers


# --- 12: file modes ---------------------------------------------------------------------------


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_fresh_data_directory_and_its_files_are_private(tmp_path):
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)  # as `mkdir -p` in bin/run leaves it
    script = (
        "import django; django.setup()\n"
        "from django.core.management import call_command\n"
        "call_command('migrate', verbosity=0)\n"
        "from accounts.services import user_create\n"
        "from extraction import services\n"
        "from extraction.web.page_images import _write_atomically\n"
        "from django.conf import settings\n"
        "user = user_create(username='u')\n"
        "project = user.memberships.get().organization.projects.get()\n"
        "source = services.file_upload(project=project, "
        "upload=services.Upload(content=b'Total: 1', name='a.txt'))\n"
        "print(source.content.path)\n"
        "_write_atomically(settings.DATA_DIR / 'renders' / 'x' / '1-110.png', b'png')\n"
    )
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "OPENEXTRACT_MEDIA_ROOT")
    }
    env.update(OPENEXTRACT_DATA_DIR=str(data), DJANGO_SETTINGS_MODULE="config.settings")
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    upload = Path(done.stdout.strip().splitlines()[-1])
    assert mode(data) == 0o700
    assert mode(data / "db.sqlite3") == 0o600
    assert mode(data / "secret_key") == 0o600
    assert mode(upload) == 0o600
    assert mode(upload.parent) == 0o700
    assert mode(data / "renders" / "x" / "1-110.png") == 0o600
    for path in data.rglob("*"):
        assert mode(path) & 0o077 == 0, f"{path} is {oct(mode(path))}"
