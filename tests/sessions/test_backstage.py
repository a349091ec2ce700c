"""Backstage notes and the chair's timer, as the stage and the console see them."""

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from livehub.errors import Conflict, Invalid
from sessions import services
from sessions.models import Note, Session
from sessions.rolelinks import role_key_make
from sessions.selectors import backstage_notes
from tests.helpers import Socket, catch_up, verify_action

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("hub_stopped")]


@pytest.fixture
def speaker_key(event):
    return role_key_make(event=event, role="speaker", hours=1)


@pytest.fixture
def screen_key(event):
    return role_key_make(event=event, role="screen", hours=1)


# Notes


async def test_a_note_reaches_the_stage_and_the_other_consoles_but_not_the_hall(
    event, roundtable, moderator, moderator_key, speaker_key, attendee
):
    stage = await Socket.open(key=speaker_key)
    console = await Socket.open(key=moderator_key)
    hall = await Socket.open(token=attendee.token)
    reply = await moderator.send("note.send", {"session": roundtable.pk, "text": "  5 minutes   left "})
    assert reply["type"] == "ok"
    posted = await stage.event("note.posted")
    assert posted["stream"] == "speakers"
    assert posted["data"]["text"] == "5 minutes left" and posted["data"]["seen_at"] is None
    assert (await console.event("note.posted"))["stream"] == "moderators"
    await hall.nothing()
    for socket in (stage, console, hall):
        await socket.close()


async def test_the_speaker_marks_a_note_seen_and_the_console_hears_it(event, roundtable, moderator, speaker_key):
    stage = await Socket.open(key=speaker_key)
    note = (await moderator.send("note.send", {"session": roundtable.pk, "text": "Time to wrap up"}))["data"]["note"]
    await stage.event("note.posted")
    assert (await stage.send("note.seen", {"note": note}))["type"] == "ok"
    updated = await moderator.event("note.updated")
    assert updated["data"]["id"] == note and updated["data"]["seen_at"] is not None
    await stage.close()


async def test_verify_action_notes(event, roundtable, moderator, moderator_key, speaker_key):
    await database_sync_to_async(services.session_set_status)(
        event_id=event.pk, session_id=roundtable.pk, status="live"
    )
    stage = await Socket.open(key=speaker_key)
    console = await Socket.open(key=moderator_key)
    reply = await verify_action(
        console, "note.send", {"session": roundtable.pk, "text": "Take an online question"}, key=moderator_key
    )
    await catch_up(stage, key=speaker_key)
    assert [note["text"] for note in stage.snapshot["data"]["notes"]] == ["Take an online question"]
    await verify_action(stage, "note.seen", {"note": reply["data"]["note"]}, key=speaker_key)
    await catch_up(console, key=moderator_key)
    assert console.snapshot["data"]["notes"][0]["seen_at"] is not None
    await stage.close()
    await console.close()


async def test_an_attendee_may_not_send_a_note(event, roundtable, attendee):
    socket = await Socket.open(token=attendee.token)
    reply = await socket.send("note.send", {"session": roundtable.pk, "text": "Hurry up"})
    assert reply["type"] == "error" and reply["error"]["code"] == "forbidden"
    await socket.close()


async def test_the_screen_may_not_send_a_note(event, roundtable, screen_key):
    socket = await Socket.open(key=screen_key)
    reply = await socket.send("note.send", {"session": roundtable.pk, "text": "Hurry up"})
    assert reply["type"] == "error" and reply["error"]["code"] == "forbidden"
    await socket.close()


async def test_a_speaker_may_not_send_a_note(event, roundtable, speaker_key):
    socket = await Socket.open(key=speaker_key)
    reply = await socket.send("note.send", {"session": roundtable.pk, "text": "Hurry up"})
    assert reply["type"] == "error" and reply["error"]["code"] == "forbidden"
    await socket.close()


async def test_an_attendee_may_not_mark_a_note_seen(event, roundtable, attendee):
    note = await database_sync_to_async(services.note_send)(event_id=event.pk, session_id=roundtable.pk, text="Hi")
    socket = await Socket.open(token=attendee.token)
    reply = await socket.send("note.seen", {"note": note.pk})
    assert reply["type"] == "error" and reply["error"]["code"] == "forbidden"
    await socket.close()


@pytest.mark.parametrize("text", ["", "x" * 201])
async def test_a_note_too_short_or_too_long_is_refused_naming_the_text(event, roundtable, moderator, text):
    reply = await moderator.send("note.send", {"session": roundtable.pk, "text": text})
    assert reply["type"] == "error" and "text" in reply["error"]["fields"]


def test_a_note_of_blanks_only_is_refused(event, roundtable):
    with pytest.raises(Invalid):
        services.note_send(event_id=event.pk, session_id=roundtable.pk, text="\u00a0 \t")


def test_a_note_to_an_ended_session_is_refused(event, roundtable):
    Session.objects.filter(pk=roundtable.pk).update(status="ended")
    with pytest.raises(Conflict):
        services.note_send(event_id=event.pk, session_id=roundtable.pk, text="5 minutes left")


def test_seeing_a_note_twice_keeps_the_first_time(event, roundtable):
    note = services.note_send(event_id=event.pk, session_id=roundtable.pk, text="5 minutes left")
    first = services.note_mark_seen(event_id=event.pk, note_id=note.pk).seen_at
    assert services.note_mark_seen(event_id=event.pk, note_id=note.pk).seen_at == first


def test_the_stage_keeps_every_unseen_note_and_the_last_three_seen(event, roundtable):
    services.session_set_status(event_id=event.pk, session_id=roundtable.pk, status="live")
    notes = [services.note_send(event_id=event.pk, session_id=roundtable.pk, text=f"Note {n}") for n in range(6)]
    for note in notes[:4]:
        services.note_mark_seen(event_id=event.pk, note_id=note.pk)
    event.refresh_from_db()
    assert [note.text for note in backstage_notes(event=event)] == ["Note 1", "Note 2", "Note 3", "Note 4", "Note 5"]


def test_notes_of_a_session_not_on_are_left_off(event, roundtable):
    services.note_send(event_id=event.pk, session_id=roundtable.pk, text="Later")
    assert backstage_notes(event=event) == []
    assert Note.objects.count() == 1


# Timers


def test_a_timer_counts_the_planned_length_and_not_the_pause(event, roundtable, monkeypatch):
    start = timezone.now()
    clock = [start]
    monkeypatch.setattr(services.timezone, "now", lambda: clock[0])
    session = services.session_timer(event_id=event.pk, session_id=roundtable.pk, action="start")
    planned = int((roundtable.ends_at - roundtable.starts_at).total_seconds())
    assert (session.timer_seconds, session.timer_started_at, session.timer_paused_at) == (planned, start, None)
    clock[0] = start + timedelta(minutes=10)
    services.session_timer(event_id=event.pk, session_id=roundtable.pk, action="pause")
    clock[0] = start + timedelta(minutes=13)
    session = services.session_timer(event_id=event.pk, session_id=roundtable.pk, action="start")
    assert session.timer_paused_at is None and session.timer_paused_seconds == 180


def test_adding_and_taking_off_minutes_moves_the_length_never_below_nothing(event, roundtable):
    planned = int((roundtable.ends_at - roundtable.starts_at).total_seconds())
    assert (
        services.session_timer(event_id=event.pk, session_id=roundtable.pk, action="add", seconds=300).timer_seconds
        == planned + 300
    )
    assert services.session_timer(
        event_id=event.pk, session_id=roundtable.pk, action="add", seconds=-3600
    ).timer_seconds == max(0, planned + 300 - 3600)


def test_starting_a_running_timer_is_refused(event, roundtable):
    services.session_timer(event_id=event.pk, session_id=roundtable.pk, action="start")
    with pytest.raises(Conflict):
        services.session_timer(event_id=event.pk, session_id=roundtable.pk, action="start")


def test_pausing_a_timer_not_running_is_refused(event, roundtable):
    with pytest.raises(Conflict):
        services.session_timer(event_id=event.pk, session_id=roundtable.pk, action="pause")


def test_adding_nothing_is_refused_naming_the_seconds(event, roundtable):
    with pytest.raises(Invalid) as refused:
        services.session_timer(event_id=event.pk, session_id=roundtable.pk, action="add", seconds=0)
    assert "seconds" in refused.value.fields


def test_a_session_without_a_planned_length_has_no_timer(event, roundtable):
    Session.objects.filter(pk=roundtable.pk).update(ends_at=roundtable.starts_at)
    with pytest.raises(Conflict):
        services.session_timer(event_id=event.pk, session_id=roundtable.pk, action="start")


async def test_verify_action_timer(event, roundtable, moderator, moderator_key):
    for action, seconds in (("start", 0), ("add", 120), ("pause", 0), ("add", -60), ("start", 0)):
        await verify_action(
            moderator,
            "session.timer",
            {"session": roundtable.pk, "action": action, "seconds": seconds},
            key=moderator_key,
        )
    (timer,) = [
        session["timer"] for session in moderator.snapshot["data"]["sessions"] if session["id"] == roundtable.pk
    ]
    assert timer["started_at"] is not None and timer["paused_at"] is None


async def test_the_timer_reaches_the_hall_with_the_servers_time_in_the_snapshot(event, roundtable, moderator, attendee):
    hall = await Socket.open(token=attendee.token)
    assert hall.snapshot["data"]["server_time"]
    await moderator.send("session.timer", {"session": roundtable.pk, "action": "start"})
    updated = await hall.event("session.updated")
    assert updated["data"]["timer"]["started_at"] is not None
    await hall.close()


@pytest.mark.parametrize("role", ["attendee", "speaker", "screen"])
async def test_only_moderators_run_the_timer(event, roundtable, attendee, role):
    if role == "attendee":
        socket = await Socket.open(token=attendee.token)
    else:
        socket = await Socket.open(key=await database_sync_to_async(role_key_make)(event=event, role=role, hours=1))
    reply = await socket.send("session.timer", {"session": roundtable.pk, "action": "start"})
    assert reply["type"] == "error" and reply["error"]["code"] == "forbidden"
    await socket.close()
