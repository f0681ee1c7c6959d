"""Cursor pagination for v2 and beta lists: ``{items, next_page_token, total_size}``.

A page token is the signed sort key of the last item served (keyset pagination), so rows
inserted while a client pages never shift what it has yet to read: new rows sort before the
cursor (lists are newest first) and are simply not part of this walk. The ordering is signed
into the token too, so a token cannot be replayed against another ordering.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.core import signing
from django.db.models import Model, Q, QuerySet

from extraction.services import ServiceError

TOKEN_SALT = "openextract.api.v2.page-token"
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000


_M = TypeVar("_M", bound=Model)


@dataclass
class Page(Generic[_M]):
    items: list[_M]
    next_page_token: str | None
    total_size: int


def _encode(value: object) -> object:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def paginate(
    queryset: QuerySet[_M],
    *,
    ordering: tuple[str, ...],
    page_size: int | None,
    page_token: str | None,
) -> Page[_M]:
    """One page of ``queryset`` in ``ordering`` (field names, ``-`` for descending).

    The last field must be unique (the primary key) so the order is total. Raises
    ``ServiceError`` (400) for a token that is forged, corrupted or from another ordering.
    """
    size = page_size or DEFAULT_PAGE_SIZE
    ordered = queryset.order_by(*ordering)
    total = ordered.count()
    if page_token:
        ordered = ordered.filter(_after(ordering, _decode(page_token, ordering)))
    rows = list(ordered[: size + 1])
    items, more = rows[:size], len(rows) > size
    token = None
    if more and items:
        last = items[-1]
        key = [_encode(getattr(last, name.lstrip("-"))) for name in ordering]
        token = signing.dumps({"o": list(ordering), "k": key}, salt=TOKEN_SALT, compress=True)
    return Page(items=items, next_page_token=token, total_size=total)


def _decode(token: str, ordering: tuple[str, ...]) -> list[object]:
    try:
        claims = signing.loads(token, salt=TOKEN_SALT)
    except signing.BadSignature:
        raise ServiceError("page_token is not valid; pass a next_page_token unchanged.") from None
    key = claims.get("k") if isinstance(claims, dict) else None
    if claims.get("o") != list(ordering) or not isinstance(key, list) or len(key) != len(ordering):
        raise ServiceError("page_token belongs to a list in another order; start again.")
    return key


def _after(ordering: tuple[str, ...], key: list[object]) -> Q:
    """Rows strictly after ``key`` in ``ordering`` (a lexicographic tuple comparison)."""
    condition = Q(pk__in=[])
    for index, name in enumerate(ordering):
        field = name.lstrip("-")
        step = Q(**{f"{field}__{'lt' if name.startswith('-') else 'gt'}": key[index]})
        for earlier, value in zip(ordering[:index], key[:index], strict=True):
            step &= Q(**{earlier.lstrip("-"): value})
        condition |= step
    return condition
