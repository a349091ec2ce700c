"""The sign-in rule, through the pages people sign in on: /accounts/login/ and the admin's."""

import pytest
from django.contrib.auth.base_user import AbstractBaseUser

from staff.models import SignIn
from tests.staff.conftest import sign_in

pytestmark = pytest.mark.django_db

RIGHT = "sfh2022-moderator"
LOCKED_MESSAGE = "Too many failed sign-ins"


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def password_checks(monkeypatch):
    """How many passwords were checked against a stored hash."""
    checked = []
    original = AbstractBaseUser.check_password

    def counting(user, raw):
        checked.append(user.get_username())
        return original(user, raw)

    monkeypatch.setattr(AbstractBaseUser, "check_password", counting)
    return checked


@pytest.mark.parametrize("path", ["/accounts/login/", "/admin/login/"])
def test_five_wrong_passwords_lock_the_account_and_the_right_one_is_refused(
    client, event, counted, signin_clock, password_checks, path
):
    for attempt in range(5):
        page = sign_in(client, "moderator", f"guess-{attempt}", path=path)
        assert page.status_code == 200 and LOCKED_MESSAGE not in page.content.decode()
    checked_before = len(password_checks)

    page = sign_in(client, "moderator", RIGHT, path=path)

    assert page.status_code == 429
    assert 14 * 60 < int(page["Retry-After"]) <= 15 * 60
    assert LOCKED_MESSAGE in page.content.decode() and "Try again in 15 minutes" in page.content.decode()
    assert not signed_in(client)
    assert len(password_checks) == checked_before, "a password was checked while the account was locked"


def test_the_login_page_says_a_wrong_password_did_not_match(client, event):
    page = sign_in(client, "moderator", "nope")
    assert page.status_code == 200
    assert "That username and password did not match" in page.content.decode()


def test_the_lock_ends_after_15_minutes(client, event, counted, signin_clock):
    for attempt in range(5):
        sign_in(client, "moderator", f"guess-{attempt}")
    signin_clock[0] += 14 * 60
    assert sign_in(client, "moderator", RIGHT).status_code == 429
    signin_clock[0] += 60
    assert sign_in(client, "moderator", RIGHT).status_code == 302
    assert signed_in(client)


def test_failures_older_than_15_minutes_do_not_count(client, event, counted, signin_clock):
    for attempt in range(4):
        sign_in(client, "moderator", f"guess-{attempt}")
    signin_clock[0] += 15 * 60
    sign_in(client, "moderator", "one-more-typo")
    assert sign_in(client, "moderator", RIGHT).status_code == 302


def test_a_right_password_starts_the_accounts_count_again(client, event, counted, signin_clock):
    for attempt in range(4):
        sign_in(client, "moderator", f"guess-{attempt}")
    assert sign_in(client, "moderator", RIGHT).status_code == 302
    client.logout()
    for attempt in range(4):
        sign_in(client, "moderator", f"again-{attempt}")
    assert sign_in(client, "moderator", RIGHT).status_code == 302


def test_failures_from_many_addresses_lock_the_account(client, event, counted, signin_clock):
    for attempt in range(5):
        sign_in(client, "moderator", "guess", address=f"198.51.100.{attempt + 1}")
    assert sign_in(client, "moderator", RIGHT, address="192.0.2.9").status_code == 429


def test_the_username_counts_whatever_its_case(client, event, counted, signin_clock):
    for name in ("Moderator", "MODERATOR", "moderator", "mOderator", "moderatoR"):
        sign_in(client, name, "guess")
    assert sign_in(client, "moderator", RIGHT).status_code == 429


def test_twenty_failures_from_one_address_lock_that_address(client, event, counted, signin_clock):
    for number in range(20):  # four tries each at five accounts: no account reaches its own limit
        sign_in(client, f"guess{number // 4}", "guess", address="203.0.113.7")

    refused = sign_in(client, "moderator", RIGHT, address="203.0.113.7")
    assert refused.status_code == 429 and LOCKED_MESSAGE in refused.content.decode()
    assert sign_in(client, "moderator", RIGHT, address="203.0.113.8").status_code == 302


def test_nineteen_failures_from_one_address_do_not_lock_it(client, event, counted, signin_clock):
    for number in range(19):
        sign_in(client, f"guess{number // 4}", "guess", address="203.0.113.7")
    assert sign_in(client, "moderator", RIGHT, address="203.0.113.7").status_code == 302


def test_every_attempt_is_recorded_with_its_account_and_no_address(client, event, counted, signin_clock):
    sign_in(client, "moderator", RIGHT)
    client.logout()
    for attempt in range(5):
        sign_in(client, "moderator", f"guess-{attempt}")
    sign_in(client, "moderator", RIGHT)
    sign_in(client, "nobody", "guess")

    rows = list(SignIn.objects.order_by("id").values_list("username", "user__username", "outcome"))
    assert rows == [
        ("moderator", "moderator", "success"),
        *[("moderator", "moderator", "failure")] * 5,
        ("moderator", "moderator", "locked"),
        ("nobody", None, "failure"),
    ]
    assert {field.name for field in SignIn._meta.get_fields()} == {"id", "at", "username", "user", "outcome"}


def test_the_rules_counters_hold_no_username_or_address(client, event, settings):
    import redis

    sign_in(client, "moderator", "guess", address="203.0.113.7")
    keys = b" ".join(redis.Redis.from_url(settings.REDIS_URL).keys("lh:signin:*"))
    assert keys and b"moderator" not in keys and b"203.0.113.7" not in keys


def test_with_the_rules_counters_out_of_reach_sign_in_says_to_try_again_and_checks_no_password(
    client, event, settings, password_checks
):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    page = sign_in(client, "moderator", RIGHT)
    assert page.status_code == 503
    assert int(page["Retry-After"]) >= 1
    assert "Signing in is not possible for a moment" in page.content.decode()
    assert not signed_in(client)
    assert password_checks == []
