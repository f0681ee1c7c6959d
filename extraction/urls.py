from django.urls import path

from extraction import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]
