"""Saved configurations and the v2 extract vocabulary, mapped onto jobs.

The v2 API describes an extraction with a *configuration* (``data_schema``, ``tier``,
``target_pages``, ...) instead of an agent's ``config``. This module translates one into the
other both ways, stores named configurations (``/beta/configurations``: saving under an existing
name + product type replaces it), and submits v2 jobs through ``jobs.jobs_submit`` on the
project's default agent, so v1 and v2 read the same jobs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction

from accounts.audit import audited_delete
from extraction.models import (
    ExtractionJob,
    ExtractionJobConfiguration,
    SavedConfiguration,
    SourceFile,
)
from extraction.pipeline.config import (
    OPTIONS,
    ConfigError,
    ExtractConfig,
    ExtractionMode,
    ExtractionTarget,
    parse_page_range,
)
from extraction.services.agents import agent_get_or_create_default
from extraction.services.errors import ServiceError
from extraction.services.jobs import jobs_submit
from extraction.services.requests import config_clean, data_schema_clean, job_request_clean

if TYPE_CHECKING:
    from accounts.models import Project, User

EXTRACT_V2 = "extract_v2"
PRODUCT_TYPES = ("extract_v2", "classify_v2", "parse_v2", "split_v1", "spreadsheet_v1", "unknown")

# Our engine's PREMIUM mode already runs a verification pass, so agentic_plus gets it too.
TIER_MODES = {
    "cost_effective": ExtractionMode.BALANCED,
    "agentic": ExtractionMode.PREMIUM,
    "agentic_plus": ExtractionMode.PREMIUM,
    "turbo": ExtractionMode.FAST,
}
MODE_TIERS = {
    ExtractionMode.FAST: "turbo",
    ExtractionMode.BALANCED: "cost_effective",
    ExtractionMode.MULTIMODAL: "agentic",
    ExtractionMode.PREMIUM: "agentic",
}
TARGETS = {
    "per_doc": ExtractionTarget.PER_DOC,
    "per_page": ExtractionTarget.PER_PAGE,
    "per_table_row": ExtractionTarget.PER_TABLE_ROW,
}
PARSE_TIERS = ("fast", "cost_effective", "agentic", "agentic_plus")
# Options with a v2 name of their own and the same meaning (``Option.v2``), v1 name -> v2 name.
# The others translate: tier <-> extraction_mode, target_pages + max_pages -> page_range.
V2_RENAMES = {name: spec.v2 for name, spec in OPTIONS.items() if spec.v2}
# Accepted and echoed back, but with no effect here: there is one parser and no spreadsheet agent.
RECORDED_ONLY = ("version", "parse_tier", "sheet_names", "spreadsheet_mode")
# Every field of a v2 extract configuration this server reads or echoes.
CONFIGURATION_FIELDS = (
    "data_schema",
    "tier",
    "extraction_target",
    "target_pages",
    "max_pages",
    "parse_config_id",
    "parse_tier",
    *V2_RENAMES.values(),
    *RECORDED_ONLY,
)


# --- The v2 configuration vocabulary -----------------------------------------------------------


def extract_configuration_clean(*, configuration: dict[str, Any]) -> dict[str, Any]:
    """Check a v2 extract configuration; return it with only the known fields that were set.

    Types are checked by the API's input serializers; this judges the content. Raises
    ``SchemaError`` (bad data_schema), ``ConfigError`` (bad values, named with v2 field names)
    or ``ServiceError`` (options that need a product this server does not have).
    """
    cleaned = {
        key: configuration[key]
        for key in CONFIGURATION_FIELDS
        if key in configuration and configuration[key] is not None
    }
    if "data_schema" not in cleaned:
        raise ConfigError({"data_schema": "is required"})
    if cleaned.get("parse_config_id"):
        raise ServiceError(
            "parse_config_id is not supported: this server has no Parse API; omit it."
        )
    cleaned["data_schema"] = data_schema_clean(data_schema=cleaned["data_schema"])
    extract_configuration_to_config(configuration=cleaned)
    return cleaned


def extract_configuration_to_config(*, configuration: dict[str, Any]) -> dict[str, Any]:
    """The job ``config`` (v1 vocabulary, normalised) for a v2 configuration.

    Raises ``ConfigError`` naming v2 fields (``target_pages``, ``tier``...).
    """
    problems: dict[str, str] = {}
    config: dict[str, Any] = {}
    tier = configuration.get("tier")
    if tier is not None:
        if tier in TIER_MODES:
            config["extraction_mode"] = TIER_MODES[tier].value
        else:
            problems["tier"] = f"{tier!r} is not one of {', '.join(TIER_MODES)}"
    target = configuration.get("extraction_target")
    if target is not None:
        if target in TARGETS:
            config["extraction_target"] = TARGETS[target].value
        else:
            problems["extraction_target"] = f"{target!r} is not one of {', '.join(TARGETS)}"
    parse_tier = configuration.get("parse_tier")
    if parse_tier is not None and parse_tier not in PARSE_TIERS:
        problems["parse_tier"] = f"{parse_tier!r} is not one of {', '.join(PARSE_TIERS)}"
    try:
        page_range = page_range_for(
            target_pages=configuration.get("target_pages"),
            max_pages=configuration.get("max_pages"),
        )
    except ValueError as exc:
        problems["target_pages"] = str(exc)
    else:
        if page_range is not None:
            config["page_range"] = page_range
    for v1_name, v2_name in V2_RENAMES.items():
        if configuration.get(v2_name) is not None:
            config[v1_name] = configuration[v2_name]
    if problems:
        raise ConfigError(problems)
    try:
        return config_clean(config=config)
    except ConfigError as exc:
        v2_names = {**V2_RENAMES, "page_range": "target_pages"}
        raise ConfigError({v2_names.get(k, k): msg for k, msg in exc.problems.items()}) from None


def page_range_for(*, target_pages: str | None, max_pages: object) -> str | None:
    """``target_pages`` cut to its first ``max_pages`` pages, as a ``page_range``.

    ``max_pages`` alone means pages 1..max_pages. Raises ``ValueError`` for a bad range.
    """
    if target_pages is not None and not isinstance(target_pages, str):
        raise ValueError("must be a string such as '1,3,5-7'")
    if max_pages is None:
        if target_pages is not None:
            parse_page_range(target_pages)
        return target_pages
    if isinstance(max_pages, bool) or not isinstance(max_pages, int) or max_pages < 1:
        raise ValueError("max_pages must be a positive integer")
    spans = sorted(parse_page_range(target_pages)) if target_pages else [(1, max_pages)]
    kept: list[tuple[int, int]] = []
    remaining = max_pages
    for start, end in spans:
        if kept and start <= kept[-1][1]:  # overlapping spans: count each page once
            start = kept[-1][1] + 1
        if start > end:
            continue
        if remaining <= 0:
            break
        stop = min(end, start + remaining - 1)
        kept.append((start, stop))
        remaining -= stop - start + 1
    return ",".join(str(a) if a == b else f"{a}-{b}" for a, b in kept)


def extract_configuration_for_job(*, job: ExtractionJob) -> dict[str, Any]:
    """The v2 configuration of a job: as submitted through v2, or derived from its config."""
    request = getattr(job, "v2_request", None)
    if request is not None:
        configuration: dict[str, Any] = request.configuration
        return configuration
    try:
        config = ExtractConfig.from_dict(job.config)
    except ConfigError:
        return {"data_schema": job.data_schema}
    derived: dict[str, Any] = {
        "data_schema": job.data_schema,
        "tier": MODE_TIERS[config.extraction_mode],
        "extraction_target": config.extraction_target.value.lower(),
    }
    for v1_name, v2_name in V2_RENAMES.items():
        value = getattr(config, v1_name)
        if isinstance(value, bool) or value:
            derived[v2_name] = value
    if config.page_range:
        derived["target_pages"] = config.page_range
    return derived


def saved_configuration_for_job(*, job: ExtractionJob) -> SavedConfiguration | None:
    request = getattr(job, "v2_request", None)
    return request.saved_configuration if request is not None else None


# --- v2 jobs -----------------------------------------------------------------------------------


def extract_job_submit(
    *,
    project: Project,
    source: SourceFile,
    configuration: dict[str, Any] | None = None,
    saved: SavedConfiguration | None = None,
    webhook_configurations: list[dict[str, Any]] | None = None,
) -> ExtractionJob:
    """Submit a v2 job on ``source`` with an inline ``configuration`` or a ``saved`` one.

    The job runs on the project's default agent with the translated schema and config, and
    remembers the configuration as given. Raises ``ServiceError``, ``SchemaError`` or
    ``ConfigError``; nothing is stored then.
    """
    if (configuration is None) == (saved is None):
        raise ServiceError("Provide exactly one of configuration or configuration_id.")
    if saved is not None:
        if saved.product_type != EXTRACT_V2:
            raise ServiceError(
                f"Configuration {saved.id} is a {saved.product_type} configuration; "
                f"extraction needs an {EXTRACT_V2} one."
            )
        configuration = {k: v for k, v in saved.parameters.items() if k != "product_type"}
    cleaned = extract_configuration_clean(configuration=configuration or {})
    agent = agent_get_or_create_default(project=project)
    request = job_request_clean(
        agent=agent,
        data_schema=cleaned["data_schema"],
        config=extract_configuration_to_config(configuration=cleaned),
        webhook_configurations=webhook_configurations,
    )
    with transaction.atomic():
        [job] = jobs_submit(project=project, agent=agent, request=request, documents=[source])
        ExtractionJobConfiguration.objects.create(
            job=job, configuration=cleaned, saved_configuration=saved
        )
    return job


# --- Saved configurations ----------------------------------------------------------------------


def configuration_parameters_clean(*, parameters: dict[str, Any]) -> dict[str, Any]:
    """Checked parameters (``product_type`` included); extract_v2 ones are judged in full.

    Raises ``ServiceError``, ``SchemaError`` or ``ConfigError``.
    """
    product_type = parameters.get("product_type")
    if product_type not in PRODUCT_TYPES:
        raise ServiceError(f"parameters.product_type must be one of {', '.join(PRODUCT_TYPES)}.")
    if product_type != EXTRACT_V2:
        return dict(parameters)
    rest = {k: v for k, v in parameters.items() if k != "product_type"}
    return {"product_type": EXTRACT_V2, **extract_configuration_clean(configuration=rest)}


def configuration_save(
    *, project: Project, name: str, parameters: dict[str, Any]
) -> SavedConfiguration:
    """Create a configuration, or replace the parameters of the one with this name and type."""
    name = configuration_name_clean(name=name)
    parameters = configuration_parameters_clean(parameters=parameters)
    lookup = {"project": project, "name": name, "product_type": parameters["product_type"]}
    try:
        with transaction.atomic():
            saved, _ = SavedConfiguration.objects.update_or_create(
                **lookup, defaults={"parameters": parameters}
            )
    except IntegrityError:  # created concurrently under the same name: update that one
        saved = SavedConfiguration.objects.get(**lookup)
        saved.parameters = parameters
        saved.save(update_fields=["parameters", "updated_at"])
    return saved


def configuration_update(
    *,
    configuration: SavedConfiguration,
    name: str | None = None,
    parameters: dict[str, Any] | None = None,
) -> SavedConfiguration:
    """Rename and/or replace the parameters; raises ``ServiceError`` on a taken name or a
    change of product type (plus what ``configuration_parameters_clean`` raises)."""
    if parameters is not None:
        parameters = configuration_parameters_clean(parameters=parameters)
        if parameters["product_type"] != configuration.product_type:
            raise ServiceError(
                f"parameters.product_type cannot change (it is {configuration.product_type})."
            )
        configuration.parameters = parameters
    if name is not None and name != configuration.name:
        name = configuration_name_clean(name=name)
        taken = SavedConfiguration.objects.filter(
            project=configuration.project_id,
            product_type=configuration.product_type,
            name=name,
        ).exists()
        if taken:
            raise ServiceError(
                f"A {configuration.product_type} configuration named {name!r} already exists."
            )
        configuration.name = name
    configuration.save()
    return configuration


def configuration_delete(*, configuration: SavedConfiguration, actor: User | None = None) -> None:
    """Delete it; jobs that used it keep their copy of the configuration."""
    audited_delete(
        configuration,
        action="configuration.delete",
        actor=actor,
        project=configuration.project,
        details={"name": configuration.name},
    )


def configuration_name_clean(*, name: object) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ServiceError("name must be a non-empty string.")
    if len(name) > 200:
        raise ServiceError("name must be at most 200 characters.")
    return name
