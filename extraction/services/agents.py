"""Agents: a saved schema and config, and each project's hidden default agent."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction

from accounts.audit import audit_record, audited_delete
from extraction.models import ExtractionAgent
from extraction.pipeline.config import ExtractConfig
from extraction.services.errors import ConflictError, ServiceError
from extraction.services.requests import config_clean, data_schema_clean

if TYPE_CHECKING:
    from accounts.models import Project, User


def agent_get_or_create_default(*, project: Project) -> ExtractionAgent:
    """The project's hidden default agent, used by stateless runs."""
    agent = ExtractionAgent.objects.filter(project=project, is_default=True).first()
    if agent is not None:
        return agent
    try:
        with transaction.atomic():
            return ExtractionAgent.objects.create(
                project=project,
                name=ExtractionAgent.DEFAULT_NAME,
                is_default=True,
                data_schema={},
                config=ExtractConfig().to_dict(),
            )
    except IntegrityError:  # created concurrently by another request
        return ExtractionAgent.objects.get(project=project, is_default=True)


def agent_create(
    *, project: Project, name: str, data_schema: Any, config: dict[str, Any] | None
) -> ExtractionAgent:
    """Create an agent.

    Raises ``SchemaError`` (bad schema), ``ConfigError`` (bad config or model name),
    ``ServiceError`` (bad name) or ``ConflictError`` (name taken).
    """
    name = agent_name_clean(name=name)
    data_schema = data_schema_clean(data_schema=data_schema)
    normalized_config = config_clean(config=config)
    taken = ConflictError(f"An extraction agent named {name!r} already exists in this project.")
    if ExtractionAgent.objects.filter(project=project, name=name).exists():
        raise taken
    try:
        with transaction.atomic():
            return ExtractionAgent.objects.create(
                project=project, name=name, data_schema=data_schema, config=normalized_config
            )
    except IntegrityError:  # the same name created concurrently
        raise taken from None


def agent_name_clean(*, name: object) -> str:
    """A usable agent name; raises ``ServiceError``."""
    if not isinstance(name, str) or not name.strip():
        raise ServiceError("name must be a non-empty string.")
    if len(name) > 200:
        raise ServiceError("name must be at most 200 characters.")
    if name == ExtractionAgent.DEFAULT_NAME:
        raise ServiceError(f"The name {name!r} is reserved for the project's default agent.")
    return name


def agent_update(
    *,
    agent: ExtractionAgent,
    data_schema: Any = None,
    config: dict[str, Any] | None = None,
    name: str | None = None,
    actor: User | None = None,
) -> ExtractionAgent:
    """Replace the given fields; raises like ``agent_create``. Schema changes are audited."""
    previous_schema = agent.data_schema
    if config is not None:
        agent.config = config_clean(config=config)
    if data_schema is not None:
        agent.data_schema = data_schema_clean(data_schema=data_schema)
    if name is not None and name != agent.name:
        name = agent_name_clean(name=name)
        if ExtractionAgent.objects.filter(project=agent.project, name=name).exists():
            raise ConflictError(
                f"An extraction agent named {name!r} already exists in this project."
            )
        agent.name = name
    with transaction.atomic():
        agent.save()
        if agent.data_schema != previous_schema:
            audit_record(
                action="agent.schema_change",
                actor=actor,
                project=agent.project,
                target=agent,
                details={"name": agent.name, "previous_schema": previous_schema},
            )
    return agent


def agent_delete(*, agent: ExtractionAgent, actor: User | None = None) -> None:
    audited_delete(
        agent,
        action="agent.delete",
        actor=actor,
        project=agent.project,
        details={"name": agent.name},
    )
