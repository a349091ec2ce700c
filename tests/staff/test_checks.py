"""`manage.py check --deploy` warns of an account that still has a demo password."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import SystemCheckError

pytestmark = pytest.mark.django_db


def deploy_check() -> str:
    out = StringIO()
    try:
        call_command("check", "--deploy", "--fail-level", "WARNING", stdout=out, stderr=out)
    except SystemCheckError as error:
        return str(error)
    return out.getvalue()


def test_check_deploy_warns_of_each_account_with_a_demo_password(event):
    text = deploy_check()
    assert "staff.W001" in text
    assert "'moderator' still has the demo password" in text and "'speaker' still has the demo password" in text
    assert "changepassword moderator" in text


def test_check_deploy_is_quiet_once_the_passwords_are_changed(event):
    for user in get_user_model().objects.filter(username__in=["moderator", "speaker"]):
        user.set_password("a-password-of-their-own-7319")
        user.save()
    assert "staff.W001" not in deploy_check()


def test_check_deploy_without_demo_accounts_says_nothing_of_them(db):
    assert "staff.W001" not in deploy_check()
