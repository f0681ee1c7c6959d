"""Create the demo user and API key for ``make run`` if absent, and print how to log in.

The raw demo key is kept in the data directory (``demo_api_key``) so it can be printed again on
each start; keys are otherwise never stored in clear. The demo user is a staff user with a
published password: the command refuses to run where ``settings.DEMO_USER_ALLOWED`` is false
(a server on HTTPS or under a public host name, or ``OPENEXTRACT_DEMO_USER=false``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from accounts.selectors import api_key_lookup
from accounts.services import api_key_create, user_create, user_provision_defaults

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-password"


class Command(BaseCommand):
    help = "Create the demo user and API key (if absent) and print the URL and credentials."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000")

    def handle(self, *args: object, url: str, **options: object) -> None:
        if not settings.DEMO_USER_ALLOWED:
            raise CommandError(
                "Not creating the demo user: this server is configured for production "
                "(OPENEXTRACT_HTTPS, DJANGO_ALLOWED_HOSTS beyond this machine, or "
                "OPENEXTRACT_DEMO_USER=false). Create accounts with the admin or "
                "`manage.py create_api_key`."
            )
        user = User.objects.filter(username=DEMO_USERNAME).first()
        if user is None:
            user = user_create(username=DEMO_USERNAME, password=DEMO_PASSWORD)
            user.is_staff = user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
        project = user_provision_defaults(user=user)
        key_file = settings.DATA_DIR / "demo_api_key"
        raw_key = key_file.read_text().strip() if key_file.exists() else ""
        if not raw_key or api_key_lookup(raw_key=raw_key) is None:
            _, raw_key = api_key_create(user=user, project=project, name="demo")
            key_file.write_text(raw_key)
            key_file.chmod(0o600)
        self.stdout.write(
            "\n"
            f"  OpenExtract is running at {url}/\n"
            f"  Log in as:  {DEMO_USERNAME} / {DEMO_PASSWORD}   (admin: {url}/admin/)\n"
            f"  API key:    {raw_key}\n"
            f"  Health:     {url}/healthz\n"
        )
