"""Record security-relevant actions in ``AuditEvent`` (visible in the admin)."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction

from accounts.models import AuditEvent, Organization, Project, User
from config.request_id import current_request_id


def audit_record(
    *,
    action: str,
    actor: User | None = None,
    project: Project | None = None,
    organization: Organization | None = None,
    target: models.Model | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one audit event; the organization defaults to the project's."""
    if organization is None and project is not None:
        organization = project.organization
    actor = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    request_id = current_request_id.get()
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        project=project,
        organization=organization,
        target_type=(target._meta.model_name or "") if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        details=details or {},
        request_id="" if request_id == "-" else request_id,
    )


def audited_delete(
    target: models.Model,
    *,
    action: str,
    actor: User | None = None,
    project: Project | None = None,
    organization: Organization | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Delete ``target`` and record who did it: both in one transaction, or neither."""
    with transaction.atomic():
        audit_record(
            action=action,
            actor=actor,
            project=project,
            organization=organization,
            target=target,
            details=details,
        )
        target.delete()
