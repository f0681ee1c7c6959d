"""/healthz reports the database and the broker."""

from __future__ import annotations

import pytest

from config.celery_app import app as celery_app


@pytest.mark.django_db
def test_healthz_reports_ok_when_database_and_broker_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_healthz_reports_a_stopped_broker_as_503(client, monkeypatch, settings):
    if not settings.REDIS_URL:
        pytest.skip("needs the Redis broker configuration")
    # Nothing listens on port 1: this is what a stopped Redis looks like to the web app.
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "broker": "error"}
