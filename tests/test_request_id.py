"""Every response carries an X-Request-ID that also appears in the logs."""

from __future__ import annotations

import logging

import pytest
from django.test import override_settings
from django.urls import path


def noisy_view(request):
    from django.http import JsonResponse

    logging.getLogger("tests.request_id").warning("handling the request")
    return JsonResponse({"ok": True})


urlpatterns = [path("noisy", noisy_view)]


@pytest.mark.django_db
def test_response_carries_a_generated_request_id(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert len(first) == 32
    assert first != second


@pytest.mark.django_db
def test_well_formed_client_request_id_is_kept_and_bad_ones_replaced(client):
    assert (
        client.get("/healthz", HTTP_X_REQUEST_ID="trace-abc-12345")["X-Request-ID"]
        == "trace-abc-12345"
    )
    replaced = client.get("/healthz", HTTP_X_REQUEST_ID="bad id\nwith newline")["X-Request-ID"]
    assert replaced != "bad id\nwith newline"
    assert len(replaced) == 32


@override_settings(ROOT_URLCONF=__name__)
def test_log_lines_written_during_a_request_carry_its_id(client, caplog):
    from config.request_id import RequestIDLogFilter

    logger = logging.getLogger("tests.request_id")
    logger.addFilter(RequestIDLogFilter())
    try:
        with caplog.at_level(logging.WARNING, logger="tests.request_id"):
            response = client.get("/noisy")
    finally:
        logger.filters.clear()
    record = next(r for r in caplog.records if r.getMessage() == "handling the request")
    assert record.request_id == response["X-Request-ID"]
