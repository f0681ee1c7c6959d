"""What every template may need from the site's settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, object]:
    return {"signup_open": settings.SIGNUP_OPEN}
