"""``OrderedJSONField``: JSON stored as text so that object key order survives the database.

PostgreSQL's ``jsonb`` (what Django's ``JSONField`` uses there) sorts object keys, which would
reorder a user's schema properties and every result built from them. Schemas and results are
never queried inside, so keeping them as text costs nothing.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.core import exceptions
from django.db import models

if TYPE_CHECKING:
    from django import forms
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.expressions import Expression


class OrderedJSONField(models.TextField[Any, Any]):
    description = "JSON, stored as text with its key order"
    # What the django-stubs plugin reads for the types of model instances' attributes: any JSON
    # value in and out, as for Django's own JSONField (not TextField's str).
    _pyi_private_set_type: Any
    _pyi_private_get_type: Any

    def from_db_value(
        self, value: str | None, expression: Expression, connection: BaseDatabaseWrapper
    ) -> Any:
        return None if value is None else json.loads(value)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError as exc:
                raise exceptions.ValidationError(f"Invalid JSON: {exc}") from exc
        return value

    def get_prep_value(self, value: Any) -> str | None:
        if value is None:
            return None
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    def value_to_string(self, obj: models.Model) -> str:
        return self.get_prep_value(self.value_from_object(obj)) or ""

    def formfield(self, **kwargs: Any) -> forms.Field | None:
        from django.forms import JSONField as JSONFormField

        return super(models.TextField, self).formfield(form_class=JSONFormField, **kwargs)
