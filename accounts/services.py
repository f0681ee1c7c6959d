"""Writes for accounts: sign-up provisioning, projects and API keys."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone

from accounts.audit import audit_record, audited_delete
from accounts.models import APIKey, Membership, Organization, Project, User, hash_api_key


@transaction.atomic
def user_provision_defaults(*, user: User) -> Project:
    """Give ``user`` a default organization and project if they have none; return the project."""
    membership = Membership.objects.filter(user=user).select_related("organization").first()
    if membership is None:
        organization = Organization.objects.create(name=f"{user.username}'s organization")
        Membership.objects.create(user=user, organization=organization, role=Membership.Role.OWNER)
    else:
        organization = membership.organization
    project = organization.projects.order_by("-is_default", "created_at").first()
    if project is None:
        project = Project.objects.create(organization=organization, name="Default", is_default=True)
    return project


def user_create(*, username: str, password: str | None = None, email: str = "") -> User:
    """Create a user with its default organization and project."""
    with transaction.atomic():
        user = User.objects.create_user(username=username, email=email, password=password)
        user_provision_defaults(user=user)
    return user


def project_create(*, organization: Organization, name: str) -> Project:
    return Project.objects.create(organization=organization, name=name)


def api_key_create(*, user: User, project: Project, name: str = "") -> tuple[APIKey, str]:
    """Create a key for ``project``; return it with the raw secret, which is never stored."""
    raw_key, prefix = APIKey.generate()
    with transaction.atomic():
        key = APIKey.objects.create(
            user=user, project=project, name=name, prefix=prefix, hashed_key=hash_api_key(raw_key)
        )
        audit_record(
            action="api_key.create",
            actor=user,
            project=project,
            target=key,
            details={"prefix": prefix, "name": name},
        )
    return key, raw_key


def api_key_revoke(*, key: APIKey, actor: User | None = None, reason: str = "") -> APIKey:
    """Revoke ``key`` (audited); a key already revoked is left as it is."""
    if key.revoked_at is None:
        with transaction.atomic():
            key.revoked_at = timezone.now()
            key.save(update_fields=["revoked_at"])
            audit_record(
                action="api_key.revoke",
                actor=actor or key.user,
                project=key.project,
                target=key,
                details={"prefix": key.prefix, "holder": key.user.username}
                | ({"reason": reason} if reason else {}),
            )
    return key


def membership_set(
    *, organization: Organization, user: User, role: str, actor: User | None = None
) -> Membership:
    """Add ``user`` to ``organization`` with ``role``, or change their role."""
    with transaction.atomic():
        membership, created = Membership.objects.update_or_create(
            organization=organization, user=user, defaults={"role": role}
        )
        audit_record(
            action="membership.add" if created else "membership.change",
            actor=actor,
            organization=organization,
            target=membership,
            details={"user": user.username, "role": role},
        )
    return membership


def membership_remove(*, membership: Membership, actor: User | None = None) -> int:
    """Remove a member and revoke every key they hold on the organization's projects (each
    revocation audited); returns how many keys were revoked."""
    with transaction.atomic():
        keys = APIKey.objects.select_for_update().filter(
            user=membership.user,
            project__organization=membership.organization,
            revoked_at__isnull=True,
        )
        revoked = 0
        for key in keys.select_related("user", "project__organization"):
            api_key_revoke(key=key, actor=actor, reason="membership removed")
            revoked += 1
        audited_delete(
            membership,
            action="membership.remove",
            actor=actor,
            organization=membership.organization,
            details={"user": membership.user.username, "keys_revoked": revoked},
        )
    return revoked


def webhook_secret_rotate(*, project: Project, actor: User | None = None) -> str:
    """Give ``project`` a new webhook signing secret (audited, the secret itself is not
    recorded); returns it. Deliveries signed after this use the new secret."""
    with transaction.atomic():
        project.webhook_secret = secrets.token_hex()
        project.save(update_fields=["webhook_secret"])
        audit_record(action="project.webhook_secret_rotate", actor=actor, project=project)
    return project.webhook_secret
