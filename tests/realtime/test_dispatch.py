"""Running commands: all-or-nothing with their events, once per `ref`."""

import pytest
from channels.db import database_sync_to_async

from livehub.errors import Conflict
from livehub.realtime.registry import COMMANDS, MODERATORS_ONLY, CommandSchema, command
from sessions import services
from sessions.models import Session
from sessions.rolelinks import role_key_make
from tests.helpers import Socket

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("hub_stopped")]


class GoLiveThenFail(CommandSchema):
    session: int


@pytest.fixture
def failing_command():
    """A command whose service writes and publishes, then the rest of the command fails."""

    @command("test.go_live_then_fail", schema=GoLiveThenFail, roles=MODERATORS_ONLY)
    def go_live_then_fail(ctx, cmd):
        services.session_set_status(event_id=ctx.event_id, session_id=cmd.session, status="live")
        raise Conflict("the second half of this command was refused")

    yield
    del COMMANDS["test.go_live_then_fail"]


async def test_a_command_that_rolls_back_publishes_nothing_and_changes_nothing(
    failing_command, event, roundtable, attendee
):
    key = await database_sync_to_async(role_key_make)(event=event, role="moderator", hours=1)
    moderator = await Socket.open(key=key)
    watcher = await Socket.open(token=attendee.token)
    reply = await moderator.send("test.go_live_then_fail", {"session": roundtable.pk}, ref="f1")
    assert reply["error"]["code"] == "conflict"
    await watcher.nothing(0.5)
    status = await database_sync_to_async(lambda: Session.objects.get(pk=roundtable.pk).status)()
    assert status == "scheduled"
    # Nothing was stored for the ref either: the retry runs the command again.
    reply = await moderator.send("test.go_live_then_fail", {"session": roundtable.pk}, ref="f1")
    assert reply["error"]["code"] == "conflict"
    # And the next real change is seq 1: the rolled-back one never took a number.
    await moderator.send("session.set_status", {"session": roundtable.pk, "status": "live"})
    assert (await watcher.event("session.updated"))["seq"] == 1
    await moderator.close()
    await watcher.close()


async def test_a_crash_in_a_command_is_an_internal_error_without_details(event, attendee, monkeypatch):
    def explode(**kwargs):
        raise ZeroDivisionError("secret internals")

    monkeypatch.setattr("sessions.services.participant_update", explode)
    socket = await Socket.open(token=attendee.token)
    reply = await socket.send("participant.update", {"mode": "room"})
    assert reply["error"]["code"] == "internal"
    assert "secret" not in reply["error"]["message"] and "Traceback" not in reply["error"]["message"]
    monkeypatch.undo()
    assert (await socket.send("participant.update", {"mode": "room"}))["type"] == "ok"
    await socket.close()


async def test_a_database_outage_during_a_command_is_unavailable(event, attendee, monkeypatch):
    from django.db import OperationalError

    def down(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("sessions.services.participant_update", down)
    socket = await Socket.open(token=attendee.token)
    reply = await socket.send("participant.update", {"mode": "room"}, ref="u1")
    assert reply["error"]["code"] == "unavailable"
    monkeypatch.undo()
    # Retrying with the same ref is safe: nothing was applied, so now it is.
    assert (await socket.send("participant.update", {"mode": "room"}, ref="u1"))["type"] == "ok"
    await socket.close()


async def test_a_retry_whose_second_run_is_refused_gets_the_first_reply(event, roundtable):
    key = await database_sync_to_async(role_key_make)(event=event, role="moderator", hours=1)
    moderator = await Socket.open(key=key)
    first = await moderator.send("session.set_status", {"session": roundtable.pk, "status": "live"}, ref="s1")
    # Run again, the command would be refused (the session is live already); the ref's reply stands.
    again = await moderator.send("session.set_status", {"session": roundtable.pk, "status": "live"}, ref="s1")
    assert first["type"] == again["type"] == "ok" and first["data"] == again["data"]
    other = await moderator.send("session.set_status", {"session": roundtable.pk, "status": "paused"}, ref="s1")
    assert other["data"] == first["data"]  # same ref, same command: the first reply, nothing applied
    status = await database_sync_to_async(lambda: Session.objects.get(pk=roundtable.pk).status)()
    assert status == "live"
    reused = await moderator.send("event.set_moderation", {"auto_approve": True}, ref="s1")
    assert reused["error"]["code"] == "conflict" and reused["error"]["fields"] == {"ref": "reused"}
    await moderator.close()


async def test_a_command_that_rolls_back_leaves_no_announcement_behind(failing_command, event, roundtable, settings):
    """An announcement left behind would resync every client of the event five seconds later."""
    from livehub.realtime import redis as lhredis
    from livehub.realtime.broker import INFLIGHT_KEY

    assert settings.REDIS_URL, "announcements are made in Redis"
    client = lhredis.sync_client(settings.REDIS_URL)
    key = await database_sync_to_async(role_key_make)(event=event, role="moderator", hours=1)
    moderator = await Socket.open(key=key)
    for ref in ("r1", None):
        reply = await moderator.send("test.go_live_then_fail", {"session": roundtable.pk}, ref=ref)
        assert reply["error"]["code"] == "conflict"
        assert client.zcard(INFLIGHT_KEY) == 0
    await moderator.send("session.set_status", {"session": roundtable.pk, "status": "live"}, ref="r2")
    assert client.zcard(INFLIGHT_KEY) == 0  # published and crossed off
    await moderator.close()
