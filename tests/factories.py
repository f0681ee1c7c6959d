"""Model factories: users come with their default organization and project."""

from __future__ import annotations

import factory

from accounts.models import Membership, User
from accounts.services import api_key_create, membership_set, user_provision_defaults
from extraction import services
from extraction.models import ExtractionAgent


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def provision(user, create, extracted, **kwargs):
        user.save()
        if create:
            user_provision_defaults(user=user)


class AgentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExtractionAgent

    name = factory.Sequence(lambda n: f"agent-{n}")
    data_schema = factory.LazyFunction(
        lambda: {
            "type": "object",
            "properties": {"invoice_number": {"type": "string"}, "total": {"type": "number"}},
        }
    )
    config = factory.LazyFunction(
        lambda: {"extraction_target": "PER_DOC", "extraction_mode": "BALANCED"}
    )


def default_project(user: User):
    return user_provision_defaults(user=user)


def api_key_for(user: User) -> str:
    _, raw = api_key_create(user=user, project=default_project(user))
    return raw


def join_organization(user: User, owner: User, role: str = Membership.Role.MEMBER) -> Membership:
    """Make ``user`` a member of ``owner``'s organization (the one of their default project)."""
    return membership_set(organization=default_project(owner).organization, user=user, role=role)


def api_key_in(user: User, project) -> str:
    """A raw key for ``user`` on ``project`` (another organization's project, say)."""
    _, raw = api_key_create(user=user, project=project)
    return raw


def store_file(project, content: bytes, name: str = "document", declared_type: str = ""):
    """A stored ``SourceFile``, its type judged from the bytes as for any upload."""
    return services.file_upload(
        project=project,
        upload=services.Upload(content=content, name=name, declared_type=declared_type),
    )


def submit_job(
    *,
    project,
    agent: ExtractionAgent,
    source=None,
    text: str | None = None,
    **request: object,
):
    """One job on ``source`` or ``text`` through the write side every edge uses."""
    job_request = services.job_request_clean(agent=agent, **request)
    document = source if source is not None else services.InlineText(text)
    [job] = services.jobs_submit(
        project=project, agent=agent, request=job_request, documents=[document]
    )
    return job


def current_run(job, **fields: object):
    """A run made the job's current one, as ``jobs_submit`` makes it (for tests that build a
    job's rows by hand); it carries the job's schema and config."""
    from extraction.models import ExtractionRun

    run = ExtractionRun.objects.create(
        job=job,
        project=job.project,
        agent=job.agent,
        data_schema=job.data_schema,
        config=job.config,
        **fields,
    )
    job.run = run
    job.save(update_fields=["run"])
    return run
