from django.contrib import admin
from django.urls import include, path

from config.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/", include("extraction.api.urls")),
    path("accounts/", include("accounts.urls")),
    path("", include("extraction.web.urls")),
]

handler404 = "extraction.api.exceptions.not_found"
handler500 = "extraction.api.exceptions.server_error"
