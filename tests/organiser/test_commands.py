import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_createorganiser_reads_the_password_from_stdin(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("a long organiser passphrase\n"))
    out = io.StringIO()
    call_command("createorganiser", "olivia", "--password-stdin", stdout=out)
    user = get_user_model().objects.get(username="olivia")
    assert user.check_password("a long organiser passphrase")
    assert user.has_perm("organiser.organise")
    assert "olivia may organise events" in out.getvalue()


def test_createorganiser_gives_an_existing_account_the_permission(monkeypatch, moderator_user):
    monkeypatch.setattr("sys.stdin", io.StringIO("another long passphrase\n"))
    call_command("createorganiser", "moderator", "--password-stdin", stdout=io.StringIO())
    moderator_user = get_user_model().objects.get(pk=moderator_user.pk)
    assert moderator_user.has_perm("organiser.organise")


def test_createorganiser_refuses_a_weak_password(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("123\n"))
    with pytest.raises(CommandError, match=r"too short|too common|entirely numeric"):
        call_command("createorganiser", "olivia", "--password-stdin", stdout=io.StringIO())
    assert not get_user_model().objects.filter(username="olivia").exists()


def test_createorganiser_asks_twice_without_stdin(monkeypatch):
    answers = iter(["a long organiser passphrase", "a different passphrase"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    with pytest.raises(CommandError, match="differ"):
        call_command("createorganiser", "olivia", stdout=io.StringIO())


def test_createorganiser_grants_each_event_named_with_event(monkeypatch, event, other_event):
    monkeypatch.setattr("sys.stdin", io.StringIO("a long organiser passphrase\n"))
    out = io.StringIO()
    call_command(
        "createorganiser", "olivia", "--password-stdin", "--event", "sfh2022", "--event", other_event.code, stdout=out
    )
    user = get_user_model().objects.get(username="olivia")
    assert set(user.organised_events.values_list("code", flat=True)) == {"SFH2022", other_event.code}
    assert "SFH2022" in out.getvalue()


def test_createorganiser_without_event_organises_no_event_and_says_so(monkeypatch, event):
    monkeypatch.setattr("sys.stdin", io.StringIO("a long organiser passphrase\n"))
    out = io.StringIO()
    call_command("createorganiser", "olivia", "--password-stdin", stdout=out)
    assert not get_user_model().objects.get(username="olivia").organised_events.exists()
    assert "--event CODE" in out.getvalue()


def test_createorganiser_refuses_an_unknown_event_and_creates_no_account(monkeypatch, event):
    monkeypatch.setattr("sys.stdin", io.StringIO("a long organiser passphrase\n"))
    with pytest.raises(CommandError, match="NOPE2030"):
        call_command("createorganiser", "olivia", "--password-stdin", "--event", "NOPE2030", stdout=io.StringIO())
    assert not get_user_model().objects.filter(username="olivia").exists()
