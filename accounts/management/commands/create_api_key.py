"""``create_api_key USERNAME [--project NAME]``: the last stdout line is the new key."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from accounts.models import User
from accounts.services import api_key_create, project_create, user_create, user_provision_defaults


class Command(BaseCommand):
    help = "Create an API key for USERNAME (creating the user and its default project if absent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--project", help="project name (created in the user's organization if absent)"
        )
        parser.add_argument("--name", default="", help="a label for the key")

    def handle(
        self, *args: object, username: str, project: str | None, name: str, **options: object
    ) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(username=username)
            self.stderr.write(
                f"Created user {username!r} (no password; set one with changepassword)."
            )
        default_project = user_provision_defaults(user=user)
        target = default_project
        if project:
            organization = default_project.organization
            target = organization.projects.filter(name=project).first() or project_create(
                organization=organization, name=project
            )
        _, raw_key = api_key_create(user=user, project=target, name=name)
        self.stderr.write(f"Key for project {target.name!r} ({target.id}):")
        self.stdout.write(raw_key)
