from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accounts.models import APIKey, AuditEvent, Membership, Organization, Project, User
from accounts.services import membership_remove, membership_set

admin.site.register(User, UserAdmin)


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "is_default", "created_at"]
    search_fields = ["name", "organization__name"]
    exclude = ["webhook_secret"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Changes go through the services so that each one is audited."""

    list_display = ["user", "organization", "role", "created_at"]
    list_filter = ["role"]

    def save_model(self, request, obj, form, change) -> None:  # noqa: ANN001
        saved = membership_set(
            organization=obj.organization, user=obj.user, role=obj.role, actor=request.user
        )
        obj.pk = saved.pk

    def delete_model(self, request, obj) -> None:  # noqa: ANN001
        membership_remove(membership=obj, actor=request.user)

    def delete_queryset(self, request, queryset) -> None:  # noqa: ANN001
        for membership in queryset:
            membership_remove(membership=membership, actor=request.user)


@admin.register(APIKey)
class APIKeyAdmin(admin.ModelAdmin):
    list_display = ["prefix", "name", "user", "project", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["prefix", "name", "user__username"]
    readonly_fields = ["prefix", "hashed_key", "created_at", "last_used_at"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "action", "actor", "project", "target_type", "target_id"]
    list_filter = ["action", "created_at"]
    search_fields = ["action", "target_id", "actor__username", "request_id"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False
