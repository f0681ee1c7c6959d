"""Finding 15: closable sign-up, CSP and HSTS, the demo user only where make run bootstraps it."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from tests.conftest import ROOT

SIGNUP = {
    "username": "newcomer",
    "email": "n@example.com",
    "password1": "Vq8!long-pass",
    "password2": "Vq8!long-pass",
}


@pytest.mark.django_db
def test_closed_sign_up_creates_no_account_and_hides_the_link(client, settings):
    settings.SIGNUP_OPEN = False
    assert client.get("/accounts/signup/").status_code == 403
    assert client.post("/accounts/signup/", SIGNUP).status_code == 403
    assert not User.objects.filter(username="newcomer").exists()
    assert "/accounts/signup/" not in client.get("/accounts/login/").content.decode()
    settings.SIGNUP_OPEN = True
    assert client.post("/accounts/signup/", SIGNUP).status_code == 302


@pytest.mark.django_db
def test_pages_and_api_answers_carry_a_content_security_policy(client, owner_client):
    page = client.get("/accounts/login/")
    policy = page["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "object-src 'none'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "Content-Security-Policy" in owner_client.get("/api/v1/files")
    docs = client.get("/api/docs/").content.decode()
    assert "<script>" not in docs.replace(" ", "")  # Swagger UI starts from a file, no inline


def settings_under(**env: str) -> dict:
    names = ["SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "DEMO_USER_ALLOWED", "SIGNUP_OPEN"]
    names += ["SECURE_HSTS_SECONDS", "SECURE_PROXY_SSL_HEADER"]
    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {names!r}}}))"
    )
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", **env}
    for name in ("OPENEXTRACT_HTTPS", "DJANGO_ALLOWED_HOSTS", "OPENEXTRACT_TRUSTED_PROXIES"):
        if name not in env:
            environment.pop(name, None)
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_https_turns_on_hsts_and_secure_cookies_and_off_the_demo_user():
    local = settings_under()
    assert local["SECURE_HSTS_SECONDS"] in (None, 0)
    assert local["DEMO_USER_ALLOWED"] is True
    served = settings_under(OPENEXTRACT_HTTPS="true", OPENEXTRACT_TRUSTED_PROXIES="1")
    assert served["SECURE_HSTS_SECONDS"] == 31_536_000
    assert served["SESSION_COOKIE_SECURE"]
    assert served["CSRF_COOKIE_SECURE"]
    assert served["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert served["DEMO_USER_ALLOWED"] is False
    public = settings_under(DJANGO_ALLOWED_HOSTS="extract.example.com")
    assert public["DEMO_USER_ALLOWED"] is False


@pytest.mark.django_db
def test_hsts_header_is_sent_on_https_requests(client, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    response = client.get("/accounts/login/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


@pytest.mark.django_db
def test_the_demo_user_is_refused_where_production_settings_apply(settings):
    settings.DEMO_USER_ALLOWED = False
    with pytest.raises(CommandError, match="production"):
        call_command("bootstrap_demo", stdout=io.StringIO())
    assert not User.objects.filter(username="demo").exists()
    settings.DEMO_USER_ALLOWED = True
    call_command("bootstrap_demo", stdout=io.StringIO())
    assert User.objects.get(username="demo").is_staff
