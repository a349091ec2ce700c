"""Reads about staff: accounts still on a demo password, an event's live role links."""

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import QuerySet
from django.utils import timezone

from sessions.demo import DEMO_USERS

from .models import RoleLink


def accounts_with_demo_password() -> list[AbstractBaseUser]:
    """The demo accounts whose password is still the one printed by `seed_demo` and the README."""
    users = get_user_model()._default_manager.filter(username__in=list(DEMO_USERS))
    return [user for user in users if user.check_password(DEMO_USERS[user.get_username()][0])]


def role_links_live(*, event_id: int) -> QuerySet[RoleLink]:
    """Links of the event that still open it: neither revoked nor expired."""
    return RoleLink.objects.filter(event_id=event_id, revoked_at__isnull=True, expires_at__gt=timezone.now())


def role_link_state(link: RoleLink) -> str:
    if link.revoked_at is not None:
        return "revoked"
    return "expired" if link.expires_at <= timezone.now() else "live"


def account_named(username: str) -> AbstractBaseUser | None:
    users = get_user_model()
    return users._default_manager.filter(**{users.USERNAME_FIELD: username}).first()
