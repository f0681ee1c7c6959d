"""What the pages' view-models share: attribute access that fails loudly.

A page with a view-model gets it in its context under one name (``job_page``,
``workspace_page``, ``jobs_page``) and its templates read ``<name>.<field>``. Django templates
swallow ``AttributeError`` and render an unknown field as empty; a view-model raises
``UnknownField`` instead, so renaming a field without its template fails every test that
renders the page.
"""

from __future__ import annotations

from typing import Any


class UnknownField(Exception):
    """A template asked a view-model for a field it does not have."""


class StrictViewModel:
    """Attribute access that fails loudly: Django templates swallow ``AttributeError``."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        raise UnknownField(f"{type(self).__name__} has no field {name!r}")
