from django.urls import path

from extraction.web import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("extract/new/", views.extraction_new, name="extraction_new"),
    path("schema/validate/", views.schema_validate, name="schema_validate"),
    path("schema/suggest/", views.schema_suggest, name="schema_suggest"),
    path("engine/", views.engine_preview, name="engine_preview"),
    path("jobs/", views.jobs_list, name="jobs"),
    path("jobs/<uuid:job_id>/", views.job_detail, name="job_detail"),
    path("jobs/<uuid:job_id>/edit/", views.job_edit, name="job_edit"),
    path("jobs/<uuid:job_id>/cancel/", views.job_cancel, name="job_cancel"),
    path("jobs/<uuid:job_id>/rerun/", views.job_rerun, name="job_rerun"),
    path("jobs/<uuid:job_id>/result.json", views.job_download_json, name="job_download_json"),
    path("jobs/<uuid:job_id>/result.csv", views.job_download_csv, name="job_download_csv"),
    path("files/", views.files_list, name="files"),
    path("files/<uuid:file_id>/delete/", views.file_delete, name="file_delete"),
    path("files/<uuid:file_id>/pages/<int:page>.png", views.page_image, name="page_image"),
    path("agents/", views.agents_list, name="agents"),
    path("agents/new/", views.agent_new, name="agent_new"),
    path("agents/<uuid:agent_id>/", views.agent_detail, name="agent_detail"),
    path("agents/<uuid:agent_id>/run/", views.agent_run, name="agent_run"),
    path("agents/<uuid:agent_id>/jobs/", views.agent_jobs, name="agent_jobs"),
    path("agents/<uuid:agent_id>/workspace/", views.workspace, name="workspace"),
    path("agents/<uuid:agent_id>/workspace/add/", views.workspace_add, name="workspace_add"),
    path("agents/<uuid:agent_id>/workspace/run/", views.workspace_run, name="workspace_run"),
    path(
        "agents/<uuid:agent_id>/workspace/<uuid:document_id>/remove/",
        views.workspace_remove,
        name="workspace_remove",
    ),
    path(
        "agents/<uuid:agent_id>/workspace/results.<str:extension>",
        views.workspace_export,
        name="workspace_export",
    ),
    path("agents/<uuid:agent_id>/delete/", views.agent_delete, name="agent_delete"),
]
