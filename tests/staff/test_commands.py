"""`manage.py unlock USER`: an organiser lifts a lock before its 15 minutes are over."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.staff.conftest import lock_moderator, sign_in

pytestmark = pytest.mark.django_db


def test_unlock_lets_a_locked_account_sign_in_again(client, event, counted):
    lock_moderator(client)
    out = StringIO()
    call_command("unlock", "moderator", stdout=out)
    assert "moderator may sign in again" in out.getvalue()
    assert sign_in(client, "moderator", "sfh2022-moderator").status_code == 302


def test_unlock_all_lifts_address_locks_too(client, event, counted):
    for number in range(20):
        sign_in(client, f"guess{number // 4}", "guess", address="203.0.113.7")
    call_command("unlock", "--all", stdout=StringIO())
    assert sign_in(client, "moderator", "sfh2022-moderator", address="203.0.113.7").status_code == 302


def test_unlock_of_an_unknown_account_says_so(event):
    with pytest.raises(CommandError, match="There is no account 'moderater'"):
        call_command("unlock", "moderater", stdout=StringIO())


def test_unlock_without_an_account_says_what_to_name(event):
    with pytest.raises(CommandError, match="Name the account"):
        call_command("unlock", stdout=StringIO())
