"""Finding 7: repeated wrong passwords (per account and per address) and wrong API keys (per
address) are throttled."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.api.helpers import AGENTS

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"  # tests.factories.UserFactory's


def log_in(username: str, password: str, address: str = "10.1.1.1") -> int:
    response = Client(REMOTE_ADDR=address).post(
        "/accounts/login/", {"username": username, "password": password}
    )
    return response.status_code


def test_wrong_passwords_for_one_account_lock_it_even_from_many_addresses(owner, settings):
    limit = settings.AXES_FAILURE_LIMIT
    statuses = [log_in("owner", "wrong", f"10.0.0.{n}") for n in range(limit)]
    assert statuses[:-1] == [200] * (limit - 1)  # the form again, with its error
    assert log_in("owner", "wrong", "10.0.9.9") == 429
    # The right password is refused too while the account is locked...
    assert log_in("owner", PASSWORD, "10.0.9.8") == 429
    # ...while another account logs in from one of those addresses.
    from tests.factories import UserFactory

    UserFactory(username="other")
    assert log_in("other", PASSWORD, "10.0.0.1") == 302


def test_wrong_passwords_from_one_address_lock_the_address(owner, settings):
    limit = settings.AXES_FAILURE_LIMIT
    for n in range(limit):
        log_in(f"guess{n}", "wrong", "10.2.2.2")
    assert log_in("owner", PASSWORD, "10.2.2.2") == 429
    assert log_in("owner", PASSWORD, "10.3.3.3") == 302


def test_twenty_five_wrong_passwords_then_the_right_one_is_refused(owner):
    statuses = [log_in("owner", f"wrong-{n}", "10.4.4.4") for n in range(25)]
    assert 429 in statuses
    assert log_in("owner", PASSWORD, "10.4.4.4") == 429


def test_a_success_before_the_limit_resets_the_count(owner, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in("owner", "wrong", "10.5.5.5")
    assert log_in("owner", PASSWORD, "10.5.5.5") == 302
    assert log_in("owner", "wrong", "10.5.5.5") == 200


def test_wrong_api_keys_from_one_address_are_throttled(owner_key, settings):
    settings.API_KEY_FAILURE_LIMIT = 5
    wrong = APIClient()
    wrong.credentials(HTTP_AUTHORIZATION="Bearer oe_deadbeef_not-a-real-key")
    assert [wrong.get(AGENTS).status_code for _ in range(5)] == [401] * 5
    response = wrong.get(AGENTS)
    assert response.status_code == 429
    assert "wrong API key" in response.json()["detail"]
    assert int(response["Retry-After"]) > 0
    right = APIClient()
    right.credentials(HTTP_AUTHORIZATION=f"Bearer {owner_key}")
    assert right.get(AGENTS).status_code == 429  # the address, not the key, is throttled
    elsewhere = APIClient(REMOTE_ADDR="10.9.9.9")
    elsewhere.credentials(HTTP_AUTHORIZATION=f"Bearer {owner_key}")
    assert elsewhere.get(AGENTS).status_code == 200


def test_x_forwarded_for_is_ignored_unless_proxies_are_declared(owner_key, settings):
    settings.API_KEY_FAILURE_LIMIT = 3
    for n in range(3):
        client = APIClient(HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
        client.credentials(HTTP_AUTHORIZATION="Bearer oe_deadbeef_wrong")
        assert client.get(AGENTS).status_code == 401
    forged = APIClient(HTTP_X_FORWARDED_FOR="203.0.113.99")
    forged.credentials(HTTP_AUTHORIZATION="Bearer oe_deadbeef_wrong")
    assert forged.get(AGENTS).status_code == 429
