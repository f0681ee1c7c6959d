"""Sign-up, the current-project switcher and API key pages.

Login and logout are Django's own views with our templates. The current project lives in the
session; every page reads it through ``project_for_request``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from accounts.forms import APIKeyForm, ProjectCreateForm, SignUpForm
from accounts.models import APIKey, Organization
from accounts.pages import SESSION_PROJECT, page_context, project_for_request
from accounts.selectors import (
    api_key_in_user_organizations,
    api_keys_for_organization,
    api_keys_for_user,
    membership_role,
    project_for_user,
    user_manages,
)
from accounts.services import (
    api_key_create,
    api_key_revoke,
    project_create,
    user_provision_defaults,
    webhook_secret_rotate,
)

if TYPE_CHECKING:
    from uuid import UUID

    from accounts.http import AuthenticatedHttpRequest


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("dashboard")
    if not settings.SIGNUP_OPEN:
        return render(request, "accounts/signup_closed.html", status=403)
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = form.save()
            user_provision_defaults(user=user)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("dashboard")
    return render(request, "accounts/signup.html", {"form": form})


def _safe_next(request: HttpRequest, fallback: str = "/") -> str:
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@login_required
@require_POST
def project_switch(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Make another of the user's projects current; 404 for a project they cannot see."""
    project_id = request.POST.get("project")
    project = project_for_user(user=request.user, project_id=project_id) if project_id else None
    if project is None:
        raise Http404
    request.session[SESSION_PROJECT] = str(project.id)
    return redirect("dashboard")


@login_required
@require_POST
def project_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Create a project in the current project's organization (owners and admins only)."""
    form = ProjectCreateForm(request.POST)
    current = project_for_request(request)
    if not user_manages(user=request.user, organization=current.organization):
        messages.error(request, "Only owners and admins can create projects.")
    elif not form.is_valid():
        messages.error(request, "Give the project a name.")
    elif current.organization.projects.filter(name=form.cleaned_data["name"]).exists():
        messages.error(request, "A project with that name already exists.")
    else:
        project = project_create(organization=current.organization, name=form.cleaned_data["name"])
        request.session[SESSION_PROJECT] = str(project.id)
        messages.success(request, f"Project “{project.name}” created.")
    return redirect("dashboard")


@login_required
@vary_on_headers("HX-Request")
def api_keys(request: AuthenticatedHttpRequest) -> HttpResponse:
    """List the user's keys for the current project; POST creates one, shown once."""
    project = project_for_request(request)
    form = APIKeyForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        _, new_key = api_key_create(
            user=request.user, project=project, name=form.cleaned_data["name"]
        )
        form = APIKeyForm()
    context = page_context(
        request,
        project=project,
        form=form,
        new_key=new_key,
        keys=api_keys_for_user(user=request.user, project=project),
    )
    template = "accounts/partials/api_keys.html" if request.htmx else "accounts/api_keys.html"
    return render(request, template, context)


@login_required
@require_POST
def api_key_revoke_view(request: AuthenticatedHttpRequest, key_id: str) -> HttpResponse:
    key = APIKey.objects.filter(user=request.user, id=key_id).first()
    if key is None:
        raise Http404
    api_key_revoke(key=key)
    if request.htmx:
        context = page_context(
            request,
            form=APIKeyForm(),
            keys=api_keys_for_user(user=request.user, project=project_for_request(request)),
        )
        return render(request, "accounts/partials/api_keys.html", context)
    messages.success(request, f"Key {key.prefix}… revoked.")
    return redirect("api_keys")


# --- Organization management (owners and admins) ----------------------------------------------


def _require_manager(request: AuthenticatedHttpRequest, organization: Organization | UUID) -> None:
    """403 unless the user is an owner or admin of ``organization``."""
    if not user_manages(user=request.user, organization=organization):
        raise PermissionDenied("Only owners and admins of the organization can do this.")


@login_required
def organization_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The current organization's projects (webhook signing secrets) and every API key on
    them, for owners and admins; members get 403."""
    project = project_for_request(request)
    organization = project.organization
    _require_manager(request, organization)
    context = page_context(
        request,
        project=project,
        organization=organization,
        role=membership_role(user=request.user, organization=organization),
        org_projects=organization.projects.order_by("-is_default", "created_at"),
        keys=api_keys_for_organization(organization=organization),
    )
    return render(request, "accounts/organization.html", context)


@login_required
def organization_key_revoke(request: AuthenticatedHttpRequest, key_id: str) -> HttpResponse:
    """Confirm (GET) and revoke (POST) any key on the organization's projects."""
    key = api_key_in_user_organizations(user=request.user, key_id=key_id)
    if key is None:
        raise Http404
    _require_manager(request, key.project.organization_id)
    if request.method == "POST":
        api_key_revoke(key=key, actor=request.user)
        messages.success(request, f"Key {key.prefix}… of {key.user.username} revoked.")
        return redirect("organization_settings")
    return render(
        request,
        "accounts/confirm.html",
        page_context(
            request,
            heading="Revoke this API key?",
            question=(
                f"Key {key.prefix}… ({key.name or 'unnamed'}) of {key.user.username} on "
                f"project {key.project.name} stops working at once. This cannot be undone."
            ),
            confirm_label="Revoke key",
            cancel_url="organization_settings",
        ),
    )


@login_required
def project_webhook_secret_rotate(
    request: AuthenticatedHttpRequest, project_id: str
) -> HttpResponse:
    """Confirm (GET) and replace (POST) a project's webhook signing secret."""
    project = project_for_user(user=request.user, project_id=project_id)
    if project is None:
        raise Http404
    _require_manager(request, project.organization_id)
    if request.method == "POST":
        webhook_secret_rotate(project=project, actor=request.user)
        messages.success(request, f"The webhook signing secret of {project.name} was replaced.")
        return redirect("organization_settings")
    return render(
        request,
        "accounts/confirm.html",
        page_context(
            request,
            heading="Replace the webhook signing secret?",
            question=(
                f"Webhooks of project {project.name} will be signed with a new secret from now "
                "on; receivers that check signatures must be given the new one."
            ),
            confirm_label="Replace secret",
            cancel_url="organization_settings",
        ),
    )
