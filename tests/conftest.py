"""Shared fixtures: personas, API clients, the test corpus and a real Celery worker on the
configured broker."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from accounts.models import Membership
from accounts.services import membership_remove
from tests.corpus import Corpus, build_corpus
from tests.factories import UserFactory, api_key_for, api_key_in, default_project, join_organization

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing() -> None:
    """PBKDF2's deliberate slowness costs ~0.3 s per test user; tests don't need it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    """The test corpus (``tests/corpus``) built once per test session into a temp folder."""
    return build_corpus(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(autouse=True)
def forget_wrong_api_keys() -> None:
    """Wrong API keys are counted per address for ten minutes; the test client is always
    127.0.0.1, so one test's deliberate failures must not throttle the next test."""
    from django.core.cache import cache

    cache.delete("api-key-failures:127.0.0.1")


@pytest.fixture
def owner(db):
    return UserFactory(username="owner")


@pytest.fixture
def outsider(db):
    return UserFactory(username="outsider")


@pytest.fixture
def owner_project(owner):
    return default_project(owner)


@pytest.fixture
def member(owner):
    """A plain member (role ``member``) of the owner's organization."""
    user = UserFactory(username="member")
    join_organization(user, owner, Membership.Role.MEMBER)
    return user


@pytest.fixture
def member_key(member, owner_project) -> str:
    """The member's key on the owner's project."""
    return api_key_in(member, owner_project)


@pytest.fixture
def removed_member(owner, owner_project):
    """A former member of the owner's organization: had a key on the owner's project, then
    was removed. Their raw key is ``removed_member.former_key``."""
    user = UserFactory(username="removed")
    membership = join_organization(user, owner, Membership.Role.MEMBER)
    user.former_key = api_key_in(user, owner_project)
    membership_remove(membership=membership, actor=owner)
    return user


@pytest.fixture
def owner_key(owner) -> str:
    return api_key_for(owner)


@pytest.fixture
def owner_client(owner_key) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {owner_key}")
    return client


@pytest.fixture
def outsider_client(outsider) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key_for(outsider)}")
    return client


def database_url_for_subprocess() -> str:
    """A DATABASE_URL pointing at the test database this session created."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker):
    """A real `celery worker` subprocess on the configured Redis broker and the test database.

    Tests that use it must commit their data: mark them ``django_db(transaction=True)``.
    """
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set: the worker tests need a real Redis broker")
    from config.celery_app import app

    app.control.purge()
    env = {
        **os.environ,
        "DATABASE_URL": database_url_for_subprocess(),
        "REDIS_URL": settings.REDIS_URL,
        "OPENEXTRACT_DATA_DIR": str(settings.DATA_DIR),
        "OPENEXTRACT_MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    log_path = settings.DATA_DIR / f"test-worker-{os.getpid()}.log"
    hostname = f"test-{os.getpid()}@%h"
    with Path(log_path).open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--loglevel=INFO",
                "-Q",
                "critical,high,medium,low",
                "--concurrency=2",
                "--hostname",
                hostname,
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"worker exited early:\n{log_path.read_text()}")
            replies = app.control.ping(timeout=0.5)
            if any(hostname.split("@")[0] in name for reply in replies for name in reply):
                break
        else:
            raise RuntimeError(f"worker did not start:\n{log_path.read_text()}")
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.05):
    """Poll ``predicate`` until it returns a truthy value; fail the test on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"condition not met within {timeout} s")
