"""Forms for sign-up, projects and API keys."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import UserCreationForm

from accounts.models import User


class SignUpForm(UserCreationForm[User]):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")


class ProjectCreateForm(forms.Form):
    name = forms.CharField(max_length=200)


class APIKeyForm(forms.Form):
    name = forms.CharField(max_length=200, required=False, label="Name (optional)")
