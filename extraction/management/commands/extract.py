"""``manage.py extract FILE --schema S.json``: run the pipeline synchronously, print JSON.

For scripts and debugging: no job, no queue, no cache. Prints
``{"status", "data", "metadata", "error"}`` to stdout; bad input exits non-zero with the reason.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from extraction.pipeline.config import ConfigError, ExtractConfig
from extraction.pipeline.documents import DocumentError
from extraction.pipeline.engines.base import EngineError, ExtractionCancelled
from extraction.pipeline.engines.registry import ModelRegistry, model_registry_from_settings
from extraction.pipeline.run import PipelineInput, run_pipeline
from extraction.pipeline.schemas import SchemaError
from extraction.worker.load_options import load_options_from_settings


class Command(BaseCommand):
    help = "Extract structured JSON from FILE against a JSON Schema and print the run as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the document to extract from (any supported type)")
        parser.add_argument("--schema", required=True, help="path to the JSON Schema file")
        parser.add_argument("--config", default="{}", help="ExtractConfig as a JSON object")
        parser.add_argument(
            "--engine",
            choices=["local", "openai"],
            help="force the local engine, or require the configured OpenAI-compatible endpoint",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path} is not a file")
        try:
            schema_text = Path(options["schema"]).read_text()
        except OSError as exc:
            raise CommandError(f"cannot read the schema: {exc}") from None
        try:
            raw_config = json.loads(options["config"])
        except ValueError as exc:
            raise CommandError(f"--config is not valid JSON: {exc}") from None
        if not isinstance(raw_config, dict):
            raise CommandError("--config must be a JSON object")
        registry = model_registry_from_settings(settings)
        if options["engine"] == "local":
            registry = ModelRegistry()
        elif options["engine"] == "openai" and not registry.has_llm:
            raise CommandError("--engine openai needs OPENAI_MODEL (and OPENAI_BASE_URL) set")
        try:
            job_input = PipelineInput(
                data_schema=schema_text,
                config=ExtractConfig.from_dict(raw_config),
                content=path.read_bytes(),
                file_name=path.name,
                load_options=load_options_from_settings(),
            )
            outcome = run_pipeline(job_input, registry=registry)
        except SchemaError as exc:
            problems = "\n".join(f"  {ptr or '/'}: {msg}" for ptr, msg in exc.problems)
            raise CommandError(f"invalid schema:\n{problems}") from None
        except (ConfigError, DocumentError, EngineError, ExtractionCancelled) as exc:
            raise CommandError(str(exc) or type(exc).__name__) from None
        run = {
            "status": outcome.status,
            "data": outcome.data,
            "metadata": outcome.metadata,
            "error": outcome.error,
        }
        self.stdout.write(json.dumps(run, indent=2, ensure_ascii=False))
