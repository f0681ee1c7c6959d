"""``/api/v1/beta/configurations`` (saved configurations) and ``/api/v1/beta/extraction-agents``.

Creating a configuration is an upsert keyed on project + product type + name, as in
LlamaCloud; an ``extract_v2`` one can then run jobs through ``configuration_id``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from accounts.http import request_user
from extraction import selectors
from extraction.api.base import PROJECT_PARAMETERS, serialize_many
from extraction.api.v1.serializers import AgentSerializer, ErrorSerializer
from extraction.api.v2 import inputs
from extraction.api.v2 import serializers as v2
from extraction.api.v2.base import V2ProjectAPIView
from extraction.api.v2.pagination import paginate
from extraction.services import configurations

if TYPE_CHECKING:
    from rest_framework.request import Request

TAG = ["Configurations (beta)"]
ERRORS = {400: ErrorSerializer, 404: ErrorSerializer, 422: ErrorSerializer}


class ConfigurationListCreateView(V2ProjectAPIView):
    @extend_schema(
        tags=TAG,
        operation_id="configuration_create",
        parameters=PROJECT_PARAMETERS,
        request=inputs.ConfigurationCreateInput,
        responses={200: v2.ConfigurationSerializer, **ERRORS},
        description="Save a configuration; one with the same name and product type in this "
        "project is replaced (its id stays).",
    )
    def post(self, request: Request) -> Response:
        body = inputs.parse_body(inputs.ConfigurationCreateInput, request)
        saved = configurations.configuration_save(
            project=self.project, name=body["name"], parameters=dict(body["parameters"])
        )
        return Response(v2.ConfigurationSerializer(saved).data)

    @extend_schema(
        tags=TAG,
        operation_id="configuration_list",
        parameters=[*PROJECT_PARAMETERS, inputs.ConfigurationListQuery],
        responses={
            200: v2.paginated("PaginatedConfigurations", v2.ConfigurationSerializer),
            **ERRORS,
        },
        description="Newest first. There is one version per name, so latest_only changes nothing.",
    )
    def get(self, request: Request) -> Response:
        query = inputs.parse_query(inputs.ConfigurationListQuery, request)
        page = paginate(
            selectors.configurations_for_project(
                project=self.project,
                name=query.get("name") or None,
                product_types=query.get("product_type") or None,
            ),
            ordering=("-created_at", "-id"),
            page_size=query.get("page_size"),
            page_token=query.get("page_token"),
        )
        return Response(
            {
                "items": serialize_many(v2.ConfigurationSerializer, page.items),
                "next_page_token": page.next_page_token,
                "total_size": page.total_size,
            }
        )


class ConfigurationDetailView(V2ProjectAPIView):
    @extend_schema(
        tags=TAG,
        operation_id="configuration_get",
        parameters=PROJECT_PARAMETERS,
        responses={200: v2.ConfigurationSerializer, 404: ErrorSerializer},
    )
    def get(self, request: Request, config_id: str) -> Response:
        return Response(v2.ConfigurationSerializer(self.get_configuration(config_id)).data)

    @extend_schema(
        tags=TAG,
        operation_id="configuration_update",
        parameters=PROJECT_PARAMETERS,
        request=inputs.ConfigurationUpdateInput,
        responses={200: v2.ConfigurationSerializer, **ERRORS},
        description="Rename and/or replace the parameters (the product type cannot change).",
    )
    def put(self, request: Request, config_id: str) -> Response:
        saved = self.get_configuration(config_id)
        body = inputs.parse_body(inputs.ConfigurationUpdateInput, request)
        parameters = body.get("parameters")
        saved = configurations.configuration_update(
            configuration=saved,
            name=body.get("name"),
            parameters=dict(parameters) if parameters is not None else None,
        )
        return Response(v2.ConfigurationSerializer(saved).data)

    @extend_schema(
        tags=TAG,
        operation_id="configuration_delete",
        parameters=PROJECT_PARAMETERS,
        responses={204: None, 404: ErrorSerializer},
        description="Delete it; jobs that ran with it keep their copy of the configuration.",
    )
    def delete(self, request: Request, config_id: str) -> Response:
        configurations.configuration_delete(
            configuration=self.get_configuration(config_id), actor=request_user(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class BetaAgentListView(V2ProjectAPIView):
    @extend_schema(
        tags=TAG,
        operation_id="beta_extraction_agent_list",
        parameters=[*PROJECT_PARAMETERS, inputs.AgentListQuery],
        responses={200: v2.paginated("PaginatedExtractAgents", AgentSerializer), **ERRORS},
        description="The project's v1 extraction agents, newest first.",
    )
    def get(self, request: Request) -> Response:
        query = inputs.parse_query(inputs.AgentListQuery, request)
        page = paginate(
            selectors.agents_for_project(
                project=self.project, include_default=query["include_default"]
            ),
            ordering=("-created_at", "-id"),
            page_size=query.get("page_size"),
            page_token=query.get("page_token"),
        )
        return Response(
            {
                "items": serialize_many(AgentSerializer, page.items),
                "next_page_token": page.next_page_token,
                "total_size": page.total_size,
            }
        )
