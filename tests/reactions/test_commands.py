"""Reactions over the socket: who may react, the rate limit, `ref` once, exact coalesced totals
that outlive the counters, and verify-action."""

import pytest
import redis
from channels.db import database_sync_to_async
from django.conf import settings

from reactions.models import ReactionTotal
from sessions import services as sessions_services
from sessions.models import Session
from sessions.rolelinks import role_key_make
from tests.helpers import Socket, verify_action

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("hub_stopped")]


def react(socket, session, kind="applause", ref=None):
    return socket.send("reaction.send", {"session": session.pk, "kind": kind}, ref=ref)


async def totals(socket, session, predicate):
    """The first `reactions.updated` for `session` whose totals satisfy `predicate`."""
    while True:
        frame = await socket.event("reactions.updated")
        counts = frame["data"]["sessions"].get(str(session.pk))
        if counts is not None and predicate(counts):
            return counts


async def test_verify_action_reaction(event, roundtable, attendee, stopped_wallclock):
    socket = await Socket.open(token=attendee.token)
    reply = await verify_action(
        socket, "reaction.send", {"session": roundtable.pk, "kind": "love"}, settle=0.6, token=attendee.token
    )
    assert reply["data"] == {"session": roundtable.pk, "kind": "love", "counted": True}
    assert socket.snapshot["data"]["reactions"][str(roundtable.pk)] == {"love": {"room": 0, "online": 1}}
    await socket.close()


async def test_the_hall_sees_exact_totals_per_kind_and_per_room_and_online(event, roundtable, join, stopped_wallclock):
    room, online = await database_sync_to_async(lambda: (join(mode="room"), join(mode="online")))()
    hall, phone = await Socket.open(token=room.token), await Socket.open(token=online.token)
    for kind in ("applause", "applause"):
        assert (await react(hall, roundtable, kind))["data"]["counted"] is True
    stopped_wallclock[0] += 1
    assert (await react(hall, roundtable, "laugh"))["type"] == "ok"
    assert (await react(phone, roundtable, "applause"))["type"] == "ok"
    want = {"applause": {"room": 2, "online": 1}, "laugh": {"room": 1, "online": 0}}
    assert await totals(phone, roundtable, lambda counts: counts == want) == want
    for socket in (hall, phone):
        await socket.close()
    assert await database_sync_to_async(lambda: ReactionTotal.objects.get(kind="applause", mode="room").count)() == 2


async def test_a_third_reaction_within_a_second_is_refused_with_a_retry_hint_and_the_socket_stays(
    event, roundtable, attendee, stopped_wallclock
):
    socket = await Socket.open(token=attendee.token)
    assert [(await react(socket, roundtable))["type"] for _ in range(2)] == ["ok", "ok"]
    refused = await react(socket, roundtable)
    assert refused["error"]["code"] == "rate_limited" and 0 < refused["error"]["retry_after"] <= 0.5
    stopped_wallclock[0] += 0.5  # one token back
    assert (await react(socket, roundtable))["type"] == "ok"
    assert (await react(socket, roundtable))["error"]["code"] == "rate_limited"
    assert socket.close_code is None
    assert await totals(socket, roundtable, lambda counts: counts["applause"]["online"] == 3)
    await socket.close()


async def test_the_limit_is_the_participants_whatever_their_sockets(event, roundtable, attendee, stopped_wallclock):
    first, second = await Socket.open(token=attendee.token), await Socket.open(token=attendee.token)
    assert (await react(first, roundtable))["type"] == "ok"
    assert (await react(second, roundtable))["type"] == "ok"
    assert (await react(second, roundtable))["error"]["code"] == "rate_limited"
    for socket in (first, second):
        await socket.close()


async def test_a_retried_reaction_counts_once(event, roundtable, attendee, stopped_wallclock):
    socket = await Socket.open(token=attendee.token)
    assert (await react(socket, roundtable, ref="clap-1"))["data"]["counted"] is True
    stopped_wallclock[0] += 1
    again = await react(socket, roundtable, ref="clap-1")
    assert again["type"] == "ok" and again["data"]["counted"] is False
    assert (await react(socket, roundtable, "like", ref="clap-2"))["data"]["counted"] is True
    counts = await totals(socket, roundtable, lambda counts: "like" in counts)
    assert counts == {"applause": {"room": 0, "online": 1}, "like": {"room": 0, "online": 1}}
    await socket.close()


async def test_a_reaction_to_a_session_not_on_now_is_a_conflict(event, attendee, stopped_wallclock):
    later = await database_sync_to_async(lambda: Session.objects.filter(event=event, status="scheduled").first())()
    socket = await Socket.open(token=attendee.token)
    reply = await react(socket, later)
    assert reply["error"]["code"] == "conflict"
    await socket.close()


async def test_a_session_put_on_is_reacted_to_at_once(event, roundtable, attendee, stopped_wallclock):
    socket = await Socket.open(token=attendee.token)
    assert (await react(socket, roundtable))["type"] == "ok"  # the process now holds what is on
    later = await database_sync_to_async(lambda: Session.objects.filter(event=event, status="scheduled").first())()
    await database_sync_to_async(sessions_services.session_set_current)(event_id=event.pk, session_id=later.pk)
    assert (await react(socket, later))["type"] == "ok"
    await socket.close()


async def test_an_unknown_kind_is_refused_naming_the_kind(event, roundtable, attendee):
    socket = await Socket.open(token=attendee.token)
    reply = await socket.send("reaction.send", {"session": roundtable.pk, "kind": "boo"})
    assert reply["error"]["code"] == "invalid" and "kind" in reply["error"]["fields"]
    await socket.close()


@pytest.mark.parametrize("role", ["speaker", "screen", "moderator"])
async def test_staff_without_a_participant_do_not_react(event, roundtable, role):
    socket = await Socket.open(key=await database_sync_to_async(role_key_make)(event=event, role=role, hours=1))
    reply = await react(socket, roundtable)
    assert reply["error"]["code"] == "forbidden"
    await socket.close()


async def test_totals_outlive_the_counters(event, roundtable, attendee, stopped_wallclock):
    socket = await Socket.open(token=attendee.token)
    for _ in range(2):
        await react(socket, roundtable, "think")
    await totals(socket, roundtable, lambda counts: counts["think"]["online"] == 2)
    redis.Redis.from_url(settings.REDIS_URL).delete(f"lh:{{{event.pk}}}:reactions")  # Redis lost them
    stopped_wallclock[0] += 1
    await react(socket, roundtable, "think")
    assert await totals(socket, roundtable, lambda counts: counts["think"]["online"] == 3)
    await socket.close()
    fresh = await Socket.open(token=attendee.token)
    assert fresh.snapshot["data"]["reactions"][str(roundtable.pk)]["think"] == {"room": 0, "online": 3}
    await fresh.close()


async def test_without_redis_one_process_counts_in_memory(
    event, roundtable, attendee, memory_broker, stopped_wallclock
):
    socket = await Socket.open(token=attendee.token)
    assert [(await react(socket, roundtable))["type"] for _ in range(3)] == ["ok", "ok", "error"]
    assert await totals(socket, roundtable, lambda counts: counts["applause"]["online"] == 2)
    await socket.close()
