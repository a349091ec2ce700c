"""Writes about staff: sign-in attempts (the rule and the record), unlocking, role links, demo passwords."""

import math
import secrets
from datetime import datetime

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from sessions.models import Event

from . import throttle
from .models import RoleLink, SignIn
from .selectors import account_named, accounts_with_demo_password


class SignInLocked(ValidationError):
    """Refused before the password is checked. A ValidationError, so that every form built on
    Django's AuthenticationForm (ours, the admin's, any later one) shows it as the form's error."""

    def __init__(self, *, retry_after: float) -> None:
        self.retry_after = max(math.ceil(retry_after), 1)
        minutes = math.ceil(self.retry_after / 60)
        message = ngettext(
            "Too many failed sign-ins for this account or from your network. Try again in %(minutes)d minute, "
            "or ask an organiser to unlock the account.",
            "Too many failed sign-ins for this account or from your network. Try again in %(minutes)d minutes, "
            "or ask an organiser to unlock the account.",
            minutes,
        )
        super().__init__(message, code="signin_locked", params={"minutes": minutes})


class SignInUnavailable(ValidationError):
    """The rule's counters (Redis) did not answer: no password is checked without the rule, and
    the form says to try again shortly (503 with Retry-After) instead of failing with a 500."""

    retry_after = 5

    def __init__(self) -> None:
        super().__init__(
            gettext("Signing in is not possible for a moment. Please try again in a few seconds."),
            code="signin_unavailable",
        )


def _typed(username: str) -> str:
    # PostgreSQL refuses NUL in text; the column holds 150 characters.
    return username.replace("\x00", "")[:150]


def signin_record(*, username: str, outcome: str, user: AbstractBaseUser | None = None) -> SignIn:
    """One row of the sign-in record; the account is linked when the typed name is one."""
    typed = _typed(username)
    if user is None:
        user = account_named(typed)
    return SignIn.objects.create(username=typed, user=user, outcome=outcome)


def signin_check(*, username: str, address: str) -> None:
    """Raise SignInLocked (and record it) when the account or the address is locked."""
    remaining = throttle.lock_remaining(username=username, address=address)
    if remaining > 0:
        signin_record(username=username, outcome=SignIn.Outcome.LOCKED)
        raise SignInLocked(retry_after=remaining)


def signin_fail(*, username: str, address: str) -> None:
    throttle.failure_add(username=username, address=address)
    signin_record(username=username, outcome=SignIn.Outcome.FAILURE)


def signin_succeed(*, username: str, user: AbstractBaseUser) -> None:
    """A right password starts the account's count again (its address's count stays)."""
    throttle.account_clear(username=username)
    signin_record(username=username, outcome=SignIn.Outcome.SUCCESS, user=user)


def account_unlock(*, username: str) -> None:
    """Lift the account's lock and forget its failures, before the 15 minutes are over."""
    throttle.account_clear(username=username)


def role_link_issue(
    *,
    event: Event,
    role: str,
    expires_at: datetime,
    issued_by: AbstractBaseUser | None = None,
    issued_via: str = "",
) -> RoleLink:
    return RoleLink.objects.create(
        event=event, role=role, expires_at=expires_at, issued_by=issued_by, issued_via=issued_via[:40]
    )


def role_links_revoke(*, links: QuerySet[RoleLink]) -> int:
    """Revoke these links (those not revoked yet); the socket and the pages refuse them from now on."""
    return links.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())


@transaction.atomic
def demo_passwords_replace() -> dict[str, str]:
    """Give every demo account that still has its printed password a random one: {username: password}."""
    replaced = {}
    for user in accounts_with_demo_password():
        password = secrets.token_urlsafe(12)
        user.set_password(password)
        user.save(update_fields=["password"])
        replaced[user.get_username()] = password
    return replaced
