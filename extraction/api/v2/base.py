"""What every v2 and beta view shares: ids may carry LlamaCloud's prefixes (``dfl-<uuid>``),
and jobs are read with what the v2 shape needs joined in the same query."""

from __future__ import annotations

from typing import TYPE_CHECKING

from extraction.api.base import ProjectAPIView
from extraction.api.v2.serializers import plain_id

if TYPE_CHECKING:
    from extraction.models import ExtractionJob, SavedConfiguration, SourceFile

V2_JOB_RELATED = ("run", "v2_request__saved_configuration")


class V2ProjectAPIView(ProjectAPIView):
    def get_file(self, file_id: object) -> SourceFile:
        return super().get_file(plain_id(str(file_id)))

    def get_job(
        self, job_id: object, *, related: tuple[str, ...] = V2_JOB_RELATED
    ) -> ExtractionJob:
        return super().get_job(plain_id(str(job_id)), related=related)

    def get_configuration(self, configuration_id: object) -> SavedConfiguration:
        return super().get_configuration(plain_id(str(configuration_id)))
