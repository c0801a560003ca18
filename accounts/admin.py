from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from accounts.models import Commune, Job, Organization, Province, RoleGrant, User


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "province", "is_pilot", "effective_from"]
    list_filter = ["kind", "is_pilot", "province"]
    list_editable = ["is_pilot"]
    search_fields = ["code", "name", "search_name"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "commune", "parent"]
    list_filter = ["kind", "province"]
    search_fields = ["name", "search_name"]
    autocomplete_fields = ["commune", "parent"]


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    extra = 0
    autocomplete_fields = ["commune", "organization"]


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["phone", "full_name"]


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    add_form = UserCreationForm
    form = UserEditForm
    ordering = ["search_name"]
    list_display = ["full_name", "phone", "commune", "organization", "participant_kind"]
    list_filter = ["participant_kind", "is_staff", "phone_verified", "commune__is_pilot"]
    search_fields = ["phone", "full_name", "search_name"]
    autocomplete_fields = ["commune", "organization"]
    inlines = [RoleGrantInline]
    fieldsets = [
        (None, {"fields": ["phone", "phone_verified", "password"]}),
        (
            _("Hồ sơ"),
            {
                "fields": [
                    "full_name",
                    "email",
                    "birth_year",
                    "gender",
                    "commune",
                    "organization",
                    "participant_kind",
                    "consent_at",
                ]
            },
        ),
        (_("Quyền"), {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        (_("Thời điểm"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["phone", "full_name", "usable_password", "password1", "password2"],
            },
        )
    ]
    readonly_fields = ["consent_at", "last_login", "date_joined"]


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    """Background jobs, read-only: what failed, for whom, and why (the person sees only a
    Vietnamese message and "Thử lại")."""

    list_display = ["__str__", "created_by", "created_at", "done", "total", "message"]
    list_filter = ["kind", "state"]
    list_select_related = ["created_by"]
    readonly_fields = [f.name for f in Job._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
