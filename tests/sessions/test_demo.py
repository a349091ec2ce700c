"""The demo congress and the management commands around it."""

from io import StringIO
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.management import CommandError, call_command

from sessions.models import Event, EventRole, Session, Speaker
from sessions.rolelinks import role_key_read

pytestmark = pytest.mark.django_db


def rows():
    return {
        "events": list(Event.objects.values()),
        "sessions": list(Session.objects.order_by("pk").values()),
        "speakers": list(Speaker.objects.order_by("pk").values()),
        "links": sorted(Session.speakers.through.objects.values_list("session_id", "speaker_id")),
        "roles": sorted(EventRole.objects.values_list("user__username", "role")),
    }


def test_seed_demo_twice_gives_the_same_rows():
    call_command("seed_demo", stdout=StringIO())
    first = rows()
    call_command("seed_demo", stdout=StringIO())
    assert rows() == first


def test_the_demo_is_the_science_for_health_congress():
    call_command("seed_demo", stdout=StringIO())
    event = Event.objects.get(code="SFH2022")
    assert (event.name, event.organiser, event.city, event.timezone) == (
        "Science for Health 2022",
        "MEDVIA",
        "Brussels",
        "Europe/Brussels",
    )
    assert str(event.starts_on) == "2022-11-21" and event.online
    kinds = dict(Session.objects.filter(event=event).values_list("title", "kind"))
    assert kinds["How can we make these new therapies more affordable?"] == "roundtable"
    assert kinds["Can Belgium become the European hub for gene therapy?"] == "debate"
    names = set(Speaker.objects.values_list("name", "affiliation"))
    assert {
        ("Katherine High", "AskBio"),
        ("Bart Leroy", "UZ Gent"),
        ("Monica Bennett", "Novartis"),
        ("Federico Mingozzi", "Spark Therapeutics"),
    } <= names


def test_seed_demo_keeps_live_state():
    call_command("seed_demo", stdout=StringIO())
    Session.objects.filter(kind="debate").update(status="live")
    call_command("seed_demo", stdout=StringIO())
    assert Session.objects.get(kind="debate").status == "live"


def test_seed_demo_prints_what_to_open():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    text = out.getvalue()
    assert "/api/events/SFH2022/" in text
    assert "moderator / sfh2022-moderator" in text
    assert "/e/SFH2022/moderate/?key=" in text and "/e/SFH2022/stage/?key=" in text


@pytest.mark.parametrize("role", ["moderator", "speaker"])
def test_rolelink_prints_a_working_signed_link(role):
    call_command("seed_demo", stdout=StringIO())
    out = StringIO()
    call_command("rolelink", "SFH2022", role, "--hours", "3", stdout=out)
    key = parse_qs(urlparse(out.getvalue().strip()).query)["key"][0]
    assert role_key_read(event=Event.objects.get(code="SFH2022"), key=key) == role


def test_rolelink_for_an_unknown_event_says_so():
    with pytest.raises(CommandError, match="no event"):
        call_command("rolelink", "NOPE", "moderator", stdout=StringIO())


@pytest.mark.parametrize("hours", ["0", "-1", "10000"])
def test_rolelink_with_impossible_hours_says_so(hours):
    call_command("seed_demo", stdout=StringIO())
    with pytest.raises(CommandError, match="hours"):
        call_command("rolelink", "SFH2022", "moderator", "--hours", hours, stdout=StringIO())


def test_seed_demo_brings_a_few_questions_once():
    from qa.models import Question

    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())
    states = sorted(Question.objects.values_list("state", flat=True))
    assert states == ["approved", "approved", "approved", "pending"]


def test_seed_demo_brings_the_debate_stance_pair_and_the_roundtable_polls_once():
    from polls.models import Poll

    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())
    polls = sorted(Poll.objects.values_list("session__kind", "kind", "phase", "state"))
    assert polls == [
        ("debate", "stance", "after", "draft"),
        ("debate", "stance", "before", "draft"),
        ("roundtable", "single", "", "draft"),
        ("roundtable", "wordcloud", "", "draft"),
    ]
    assert Poll.objects.get(phase="after").stance_pair == Poll.objects.get(phase="before")


@pytest.fixture
def deployed(settings):
    """DEBUG off and HTTPS on: a public deployment."""
    settings.DEBUG = False
    settings.HTTPS = True


def demo_login_works(username: str) -> bool:
    from django.contrib.auth import get_user_model

    from sessions.demo import DEMO_USERS

    return get_user_model().objects.get(username=username).check_password(DEMO_USERS[username][0])


def test_seed_demo_on_a_public_deployment_prints_random_passwords_not_the_demo_ones(deployed):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    text = out.getvalue()
    assert "sfh2022-moderator" not in text and "sfh2022-speaker" not in text
    assert not demo_login_works("moderator") and not demo_login_works("speaker")
    from django.contrib.auth import get_user_model

    printed = text.split("login moderator / ")[1].split()[0]
    assert get_user_model().objects.get(username="moderator").check_password(printed)


def test_seed_demo_on_a_public_deployment_replaces_demo_passwords_seeded_before(deployed, settings):
    settings.HTTPS = False
    call_command("seed_demo", stdout=StringIO())
    assert demo_login_works("moderator")
    settings.HTTPS = True
    call_command("seed_demo", stdout=StringIO())
    assert not demo_login_works("moderator") and not demo_login_works("speaker")


def test_seed_demo_on_a_public_deployment_again_keeps_the_passwords_it_gave(deployed):
    call_command("seed_demo", stdout=StringIO())
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "login moderator (password set earlier, not shown)" in out.getvalue()


def test_seed_demo_records_the_links_it_prints():
    from staff.models import RoleLink

    call_command("seed_demo", stdout=StringIO())
    assert sorted(RoleLink.objects.values_list("role", "issued_via")) == [
        ("moderator", "seed_demo"),
        ("screen", "seed_demo"),
        ("speaker", "seed_demo"),
    ]
