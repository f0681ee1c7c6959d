"""The request types of our views, for the type checker: ``request.htmx`` (set by django-htmx's
middleware on every request) and a signed-in ``request.user`` behind ``login_required``.

``request_user`` narrows ``request.user`` where a guard (``login_required``, the admin's staff
check, DRF's ``IsAuthenticated``) has already turned anonymous callers away.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from accounts.models import User

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """A request that went through django-htmx's middleware (all of ours do)."""

    htmx: HtmxDetails


class AuthenticatedHttpRequest(HtmxHttpRequest):
    """A request to a ``login_required`` view: its user is signed in."""

    user: User


def request_user(request: HttpRequest) -> User:
    """The signed-in user of ``request``.

    Raises ``PermissionDenied`` (403) for an anonymous one, which the views calling this have
    already turned away with ``login_required``, the admin's login or ``IsAuthenticated``.
    """
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied("Sign in first.")
    return user
