import pytest
import redis
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection

from livehub.realtime.coalesce import Coalescer
from livehub.realtime.healing import healer
from livehub.realtime.hub import stop_hub
from qa import services as qa_services
from sessions.demo import seed_demo
from sessions.models import Session
from sessions.rolelinks import role_key_make
from sessions.services import participant_join


@pytest.fixture(scope="session", autouse=True)
def _release_test_database(django_db_setup, django_db_blocker):
    """Worker threads of async tests may still hold a connection; free the test database for its drop."""
    yield
    if connection.vendor != "postgresql" or not connection.settings_dict["NAME"].startswith("test_"):
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture(autouse=True)
def _no_background_database_work():
    """Coalesced flushes and heals run on threads of their own, after a test's commands. One
    still writing when the test's database is emptied (TRUNCATE) deadlocks with it: every test
    ends with none left. (Torn down before pytest-django's database fixtures, set up first.)"""
    yield
    Coalescer.cancel_all()
    healer.cancel()


@pytest.fixture
def stopped_clock(monkeypatch):
    """The sockets' flood buckets' clock, stopped: a burst is one instant however slow the machine
    is (a loaded runner refilled tokens mid-burst). Move it on with `stopped_clock[0] += seconds`."""
    from livehub.realtime import ratelimit

    now = [ratelimit.monotonic()]
    monkeypatch.setattr(ratelimit, "monotonic", lambda: now[0])
    return now


@pytest.fixture
def stopped_wallclock(monkeypatch):
    """The shared (join) buckets' clock, stopped; move it on with `stopped_wallclock[0] += seconds`."""
    from livehub.realtime import ratelimit

    now = [ratelimit.wallclock()]
    monkeypatch.setattr(ratelimit, "wallclock", lambda: now[0])
    monkeypatch.setattr(ratelimit, "_memory_buckets", {})  # the embedded default's, fresh
    return now


@pytest.fixture(autouse=True)
def _clean_redis():
    """Every test starts with an empty replay log (the test settings use a database of their own)."""
    if settings.REDIS_URL:
        redis.Redis.from_url(settings.REDIS_URL).flushdb()


@pytest.fixture
async def hub_stopped():
    """Stop this test's event-loop hub afterwards, so no reader outlives the loop."""
    yield
    await stop_hub()


@pytest.fixture
def memory_broker(settings):
    """The embedded default: one process, in-memory log and fan-out."""
    settings.REDIS_URL = ""


@pytest.fixture
def event(db):
    return seed_demo()


@pytest.fixture
def roundtable(event) -> Session:
    return event.sessions.get(kind="roundtable")


@pytest.fixture
def attendee(event):
    participant, token = participant_join(event=event, name=None, mode="online")
    participant.token = token
    return participant


@pytest.fixture
def room_attendee(event):
    participant, token = participant_join(event=event, name="Ana", mode="room")
    participant.token = token
    return participant


@pytest.fixture
def moderator_user(event):
    return get_user_model().objects.get(username="moderator")


@pytest.fixture
def speaker_user(event):
    return get_user_model().objects.get(username="speaker")


@pytest.fixture
def outsider_user(event):
    return get_user_model().objects.create_user("outsider", password="x")


@pytest.fixture
def another_event(db):
    from datetime import date

    from sessions.models import Event

    other = Event.objects.create(
        code="OTHER1", name="Other congress", starts_on=date(2023, 1, 1), ends_on=date(2023, 1, 1)
    )
    return other


@pytest.fixture
def join(event):
    def make(name=None, mode="online"):
        participant, token = participant_join(event=event, name=name, mode=mode)
        participant.token = token
        return participant

    return make


@pytest.fixture
def ask(event, roundtable):
    def make(participant, text="How will payers afford one-shot gene therapies?", anonymous=True, session=None):
        return qa_services.question_ask(
            participant_id=participant.pk,
            event_id=event.pk,
            session_id=(session or roundtable).pk,
            text=text,
            anonymous=anonymous,
        )

    return make


@pytest.fixture
def approved(ask, event):
    def make(participant, text="How will payers afford one-shot gene therapies?"):
        question = ask(participant, text=text)
        return qa_services.question_moderate(
            event_id=event.pk, question_id=question.pk, action="approve", actor="moderator", role="moderator"
        )

    return make


@pytest.fixture
def moderator_key(event):
    return role_key_make(event=event, role="moderator", hours=1)


@pytest.fixture
async def moderator(moderator_key):
    """A moderator's socket (role link), open for the whole test."""
    from tests.helpers import Socket

    socket = await Socket.open(key=moderator_key)
    yield socket
    await socket.close()
