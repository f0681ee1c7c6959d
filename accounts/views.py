"""Sign-up, the current-project switcher and API key pages.

Login and logout are Django's own views with our templates. The current project lives in the
session; every page reads it through ``project_for_request``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from accounts.forms import APIKeyForm, ProjectCreateForm, SignUpForm
from accounts.models import APIKey, Membership, Project
from accounts.selectors import api_keys_for_user, project_for_user, projects_for_user
from accounts.services import (
    api_key_create,
    api_key_revoke,
    project_create,
    user_provision_defaults,
)

SESSION_PROJECT = "project_id"


def project_for_request(request: HttpRequest) -> Project:
    """The project chosen in the session, or the user's first; provisions one if none exists."""
    chosen = request.session.get(SESSION_PROJECT)
    project = project_for_user(user=request.user, project_id=chosen) if chosen else None
    if project is None:
        project = projects_for_user(user=request.user).first()
    if project is None:
        project = user_provision_defaults(user=request.user)
    return project


def page_context(request: HttpRequest, **context: object) -> dict[str, object]:
    """What every signed-in page needs: the current project and the others for the switcher."""
    return {
        "project": context.pop("project", None) or project_for_request(request),
        "projects": projects_for_user(user=request.user),
        **context,
    }


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("dashboard")
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
def project_switch(request: HttpRequest) -> HttpResponse:
    """Make another of the user's projects current; 404 for a project they cannot see."""
    project = project_for_user(user=request.user, project_id=request.POST.get("project"))
    if project is None:
        raise Http404
    request.session[SESSION_PROJECT] = str(project.id)
    return redirect("dashboard")


@login_required
@require_POST
def project_new(request: HttpRequest) -> HttpResponse:
    """Create a project in the current project's organization (owners and admins only)."""
    form = ProjectCreateForm(request.POST)
    current = project_for_request(request)
    membership = Membership.objects.filter(
        user=request.user, organization=current.organization
    ).first()
    if membership is None or membership.role not in (
        Membership.Role.OWNER,
        Membership.Role.ADMIN,
    ):
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
def api_keys(request: HttpRequest) -> HttpResponse:
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
def api_key_revoke_view(request: HttpRequest, key_id: str) -> HttpResponse:
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
