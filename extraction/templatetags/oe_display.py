"""Template filters for the pages: ``{% load oe_display %}``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import template
from django.utils import timezone
from django.utils.timesince import timesince

if TYPE_CHECKING:
    import datetime as dt

register = template.Library()


@register.filter
def ago(moment: dt.datetime | None) -> str:
    """ "just now" under a minute, else "5 minutes ago" (never "0 minutes ago")."""
    if moment is None:
        return ""
    if (timezone.now() - moment).total_seconds() < 60:
        return "just now"
    return f"{timesince(moment, depth=1)} ago"
