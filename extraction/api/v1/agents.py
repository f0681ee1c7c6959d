"""Extraction agents, their schema helpers, and the project's default agent."""

from __future__ import annotations

from typing import TYPE_CHECKING

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from accounts.http import request_user
from extraction import selectors, services
from extraction.api.base import PROJECT_PARAMETERS, ProjectAPIView, deleted, serialize_many
from extraction.api.v1 import inputs
from extraction.api.v1.serializers import (
    DELETED_RESPONSE,
    AgentSerializer,
    ErrorSerializer,
    SchemaResponseSerializer,
)
from extraction.pipeline.schemas import load_schema

if TYPE_CHECKING:
    from rest_framework.request import Request

TAG = ["Extraction agents"]
ERRORS = {400: ErrorSerializer, 404: ErrorSerializer, 422: ErrorSerializer}


class AgentListCreateView(ProjectAPIView):
    @extend_schema(
        tags=TAG,
        operation_id="list_extraction_agents",
        parameters=[*PROJECT_PARAMETERS, OpenApiParameter("include_default", bool)],
        responses={200: AgentSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        query = inputs.parse_query(inputs.AgentListQuery, request)
        agents = selectors.agents_for_project(
            project=self.project, include_default=query["include_default"]
        )
        return Response(serialize_many(AgentSerializer, agents))

    @extend_schema(
        tags=TAG,
        operation_id="create_extraction_agent",
        parameters=PROJECT_PARAMETERS,
        request=inputs.AgentCreateInput,
        responses={200: AgentSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        body = inputs.parse_body(inputs.AgentCreateInput, request)
        agent = services.agent_create(
            project=self.project,
            name=body["name"],
            data_schema=body["data_schema"],
            config=body.get("config"),
        )
        return Response(AgentSerializer(agent).data)


class AgentDetailView(ProjectAPIView):
    @extend_schema(
        tags=TAG,
        operation_id="get_extraction_agent",
        parameters=PROJECT_PARAMETERS,
        responses={200: AgentSerializer, 404: ErrorSerializer},
    )
    def get(self, request: Request, agent_id: str) -> Response:
        return Response(AgentSerializer(self.get_agent(agent_id)).data)

    @extend_schema(
        tags=TAG,
        operation_id="update_extraction_agent",
        parameters=PROJECT_PARAMETERS,
        request=inputs.AgentUpdateInput,
        responses={200: AgentSerializer, **ERRORS},
    )
    def put(self, request: Request, agent_id: str) -> Response:
        agent = self.get_agent(agent_id)
        body = inputs.parse_body(inputs.AgentUpdateInput, request)
        agent = services.agent_update(
            agent=agent,
            data_schema=body["data_schema"],
            config=body.get("config") if body.get("config") is not None else {},
            name=body.get("name"),
            actor=request_user(request),
        )
        return Response(AgentSerializer(agent).data)

    @extend_schema(
        tags=TAG,
        operation_id="delete_extraction_agent",
        parameters=PROJECT_PARAMETERS,
        responses={200: DELETED_RESPONSE, 404: ErrorSerializer},
    )
    def delete(self, request: Request, agent_id: str) -> Response:
        services.agent_delete(agent=self.get_agent(agent_id), actor=request_user(request))
        return deleted()


class AgentByNameView(ProjectAPIView):
    @extend_schema(
        tags=TAG,
        operation_id="get_extraction_agent_by_name",
        parameters=PROJECT_PARAMETERS,
        responses={200: AgentSerializer, 404: ErrorSerializer},
    )
    def get(self, request: Request, name: str) -> Response:
        agent = self.get_agent_by_name(name)
        return Response(AgentSerializer(agent).data)


class AgentDefaultView(ProjectAPIView):
    @extend_schema(
        tags=TAG,
        operation_id="get_or_create_default_extraction_agent",
        parameters=PROJECT_PARAMETERS,
        responses={200: AgentSerializer},
    )
    def get(self, request: Request) -> Response:
        agent = services.agent_get_or_create_default(project=self.project)
        return Response(AgentSerializer(agent).data)


class SchemaValidationView(ProjectAPIView):
    @extend_schema(
        tags=TAG,
        operation_id="validate_extraction_schema",
        request=inputs.SchemaValidationInput,
        responses={200: SchemaResponseSerializer, 400: ErrorSerializer, 422: ErrorSerializer},
        description="Check a data_schema; answers it with local $refs inlined, or 400 listing "
        "every problem with its JSON pointer.",
    )
    def post(self, request: Request) -> Response:
        body = inputs.parse_body(inputs.SchemaValidationInput, request)
        return Response({"data_schema": load_schema(body["data_schema"])})


class SchemaGenerateView(ProjectAPIView):
    @extend_schema(
        tags=TAG,
        operation_id="generate_extraction_schema",
        parameters=PROJECT_PARAMETERS,
        request=inputs.SchemaGenerateInput,
        responses={200: SchemaResponseSerializer, **ERRORS},
        description="Propose a data_schema from a prompt and/or an uploaded file (its labelled "
        "values and table columns); a given data_schema's properties are kept.",
    )
    def post(self, request: Request) -> Response:
        body = inputs.parse_body(inputs.SchemaGenerateInput, request)
        source = self.get_file(body["file_id"]) if body.get("file_id") else None
        schema = services.schema_generate(
            prompt=body.get("prompt") or None, source=source, data_schema=body.get("data_schema")
        )
        return Response({"data_schema": schema})
