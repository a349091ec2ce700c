from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils import timezone

from . import services
from .models import RoleLink, SignIn
from .selectors import role_link_state


def _unlock(modeladmin: admin.ModelAdmin, request, usernames: set[str]) -> None:
    for username in sorted(usernames):
        services.account_unlock(username=username)
    modeladmin.message_user(request, f"May sign in again: {', '.join(sorted(usernames))}.")


@admin.register(SignIn)
class SignInAdmin(admin.ModelAdmin):
    """The record of sign-ins: read only."""

    list_display = ("at", "username", "user", "outcome")
    list_filter = ("outcome", "at")
    search_fields = ("username",)
    date_hierarchy = "at"
    actions = ("unlock_accounts",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    # Unlocking changes no row of the record; whoever may change accounts may unlock them.
    def has_unlock_permission(self, request) -> bool:
        return request.user.has_perm(f"{get_user_model()._meta.app_label}.change_user")

    @admin.action(description="Unlock the accounts of the selected sign-ins", permissions=["unlock"])
    def unlock_accounts(self, request, queryset):
        _unlock(self, request, set(queryset.values_list("username", flat=True)))


class RoleLinkState(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("live", "live"), ("expired", "expired"), ("revoked", "revoked")]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "live":
            return queryset.filter(revoked_at__isnull=True, expires_at__gt=now)
        if self.value() == "expired":
            return queryset.filter(revoked_at__isnull=True, expires_at__lte=now)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(RoleLink)
class RoleLinkAdmin(admin.ModelAdmin):
    """Role links handed out. The links themselves are never shown again: only who got what, until when."""

    list_display = ("id", "event", "role", "expires_at", "issued", "issued_at", "state")
    list_filter = (RoleLinkState, "event", "role")
    list_select_related = ("event", "issued_by")
    readonly_fields = ("event", "role", "expires_at", "issued_at", "issued_by", "issued_via", "revoked_at")
    actions = ("revoke",)

    def has_add_permission(self, request) -> bool:
        return False  # links are printed by `manage.py rolelink`

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # revoke instead: the row is the record that the link existed

    @admin.display(description="issued by")
    def issued(self, link: RoleLink) -> str:
        return link.issued_by.get_username() if link.issued_by else link.issued_via

    @admin.display(description="state")
    def state(self, link: RoleLink) -> str:
        return role_link_state(link)

    @admin.action(description="Revoke the selected role links", permissions=["change"])
    def revoke(self, request, queryset):
        count = services.role_links_revoke(links=queryset)
        self.message_user(request, f"{count} role link(s) revoked; they no longer open a page or a socket.")


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    actions = ("unlock_sign_in",)

    @admin.action(description="Unlock sign-in (after too many wrong passwords)", permissions=["change"])
    def unlock_sign_in(self, request, queryset):
        _unlock(self, request, {user.get_username() for user in queryset})
