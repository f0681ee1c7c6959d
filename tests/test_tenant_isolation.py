"""Every id-taking URL, API or page, answers 404 to another tenant and changes nothing.

The URL conf is walked, not a hand-picked list: a new route taking an id is covered
automatically, and one taking an unknown kind of id fails here until it is registered below.
"""

from __future__ import annotations

import re

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from accounts.models import APIKey, Membership, Project
from accounts.services import api_key_create
from extraction import services
from extraction.models import (
    ExtractionAgent,
    ExtractionJob,
    ExtractionRun,
    SavedConfiguration,
    SourceFile,
    WorkspaceDocument,
)
from tests.factories import (
    AgentFactory,
    UserFactory,
    api_key_for,
    api_key_in,
    default_project,
    join_organization,
    submit_job,
)

# Routes whose parameter is not an object id of a tenant: signed download tokens are
# unguessable and checked by their signature (tested with the files API).
EXEMPT = {"file-download"}
METHODS = ("get", "post", "put", "patch", "delete")
PARAMETER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


def id_routes() -> list[tuple[str, str]]:
    routes: list[tuple[str, str]] = []

    def walk(patterns: list, prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                if PARAMETER.search(route) and not route.startswith("admin/"):
                    routes.append((route, pattern.name or route))

    walk(get_resolver().url_patterns, "")
    return [(route, name) for route, name in routes if name not in EXEMPT]


@pytest.fixture
def owned(db):
    """Objects of every kind belonging to the owner."""
    owner = UserFactory(username="victim")
    project = default_project(owner)
    agent = AgentFactory(project=project, name="victim-agent")
    source = SourceFile(
        project=project, name="secret.txt", size=6, sha256="0" * 64, mime_type="text/plain"
    )
    source.content.save("secret.txt", ContentFile(b"secret"), save=False)
    source.save()
    job = submit_job(project=project, agent=agent, source=source)
    key, _ = api_key_create(user=owner, project=project)
    [workspace_entry] = services.workspace_documents_add(agent=agent, documents=[source])
    config = SavedConfiguration.objects.create(
        project=project,
        name="victim-config",
        product_type="extract_v2",
        parameters={"data_schema": {}},
    )
    values = {
        "job_id": str(job.pk),
        "run_id": str(job.run.pk),
        "agent_id": str(agent.pk),
        "name": agent.name,
        "file_id": str(source.pk),
        "config_id": str(config.pk),
        "key_id": str(key.pk),
        "project_id": str(project.pk),
        "page": "1",
        "document_id": str(workspace_entry.pk),
        "extension": "csv",
    }
    return {
        "owner": owner,
        "project": project,
        "job": job,
        "agent": agent,
        "file": source,
        "key": key,
        "secret": project.webhook_secret,
        "config": config,
        "workspace_entry": workspace_entry,
        "values": values,
    }


def fill(route: str, values: dict[str, str]) -> str:
    def replace(match: re.Match) -> str:
        name = match.group("name")
        assert name in values, f"register how to build a {name!r} for tenant isolation tests"
        return values[name]

    return "/" + PARAMETER.sub(replace, route).lstrip("^").rstrip("$")


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "name"), id_routes())
def test_outsider_gets_404_and_changes_nothing(route, name, owned):
    outsider = UserFactory(username="intruder")
    url = fill(route, owned["values"])
    if route.startswith("api/"):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key_for(outsider)}")
        forged = f"{url}?project_id={owned['project'].pk}"
        attempts = [(method, target) for method in METHODS for target in (url, forged)]
    else:
        client = APIClient(enforce_csrf_checks=False)
        client.force_login(outsider)
        attempts = [(method, url) for method in METHODS]
    statuses = {}
    for method, target in attempts:
        response = getattr(client, method)(target, {}, format="json")
        statuses[(method, target)] = response.status_code
        assert response.status_code in (404, 405), (
            f"{method.upper()} {target} -> {response.status_code}"
        )
    assert 404 in statuses.values(), f"{url}: no method answered 404 ({statuses})"

    job = ExtractionJob.objects.get(pk=owned["job"].pk)
    assert job.status == owned["job"].status
    assert ExtractionAgent.objects.filter(pk=owned["agent"].pk, name="victim-agent").exists()
    assert SourceFile.objects.filter(pk=owned["file"].pk).exists()
    assert APIKey.objects.get(pk=owned["key"].pk).revoked_at is None
    assert Project.objects.get(pk=owned["project"].pk).webhook_secret == owned["secret"]
    assert SavedConfiguration.objects.filter(pk=owned["config"].pk).exists()
    assert WorkspaceDocument.objects.filter(pk=owned["workspace_entry"].pk).exists()


# GET routes that answer 404 for a reason other than tenancy: the owned file is text, which has
# no page images.
MEMBER_EXEMPT = {"page_image"}
# Pages for the organization's owners and admins only: a member is refused (403), not lost.
OWNERS_ONLY = {"organization_key_revoke", "project_webhook_secret_rotate"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("route", "name"), [(r, n) for r, n in id_routes() if n not in MEMBER_EXEMPT]
)
def test_member_of_the_organization_reads_what_it_owns(route, name, owned):
    """The member persona beside owner and outsider: a member of the owner's organization
    reaches every object of its project (and only POST-only routes refuse a GET)."""
    member = UserFactory(username="colleague")
    join_organization(member, owned["owner"], Membership.Role.MEMBER)
    job = owned["job"]
    ExtractionJob.objects.filter(pk=job.pk).update(status="SUCCESS")
    ExtractionRun.objects.filter(job=job).update(status="SUCCESS", data={"total": 1})
    url = fill(route, owned["values"])
    if route.startswith("api/"):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key_in(member, owned['project'])}")
    else:
        client = APIClient()
        client.force_login(member)
    response = client.get(url)
    if name in OWNERS_ONLY:
        assert response.status_code == 403, f"GET {url} -> {response.status_code}"
    elif response.status_code != 405:  # POST-only routes are tested with each action
        # 286: an HTMX fragment telling its poller that nothing is running any more.
        assert response.status_code in (200, 286), f"GET {url} -> {response.status_code}"
