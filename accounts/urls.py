from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="accounts/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("signup/", views.signup, name="signup"),
    path("projects/switch/", views.project_switch, name="project_switch"),
    path("projects/new/", views.project_new, name="project_new"),
    path("api-keys/", views.api_keys, name="api_keys"),
    path("api-keys/<uuid:key_id>/revoke/", views.api_key_revoke_view, name="api_key_revoke"),
    path("organization/", views.organization_settings, name="organization_settings"),
    path(
        "organization/keys/<uuid:key_id>/revoke/",
        views.organization_key_revoke,
        name="organization_key_revoke",
    ),
    path(
        "projects/<uuid:project_id>/webhook-secret/rotate/",
        views.project_webhook_secret_rotate,
        name="project_webhook_secret_rotate",
    ),
]
