"""Reactions counted together: a hall's reactions of one loop turn in one call, exact all the same."""

import asyncio

import pytest
from channels.db import database_sync_to_async

from livehub.errors import RateLimited
from reactions import selectors, services

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("hub_stopped")]


def react(event, participant, session, *, kind="applause", ref=None):
    return services.reaction_send(
        event_id=event.pk,
        participant_id=participant.pk,
        actor=f"p:{participant.pk}",
        mode="room",
        session_id=session.pk,
        kind=kind,
        ref=ref,
    )


@pytest.fixture
def script_calls(monkeypatch):
    """How many calls the reactions made to Redis's counting script."""
    calls = [0]
    count = services._Batch._count

    async def counted(batch):
        calls[0] += 1
        return await count(batch)

    monkeypatch.setattr(services._Batch, "_count", counted)
    return calls


async def test_a_hall_reacting_at_once_is_counted_exactly_in_one_call(
    event, roundtable, join, stopped_wallclock, script_calls
):
    hall = await database_sync_to_async(lambda: [join(mode="room") for _ in range(30)])()
    await react(event, hall[0], roundtable)  # the counters seeded, the session on now read
    script_calls[0] = 0
    outcomes = await asyncio.gather(*(react(event, person, roundtable, kind="love") for person in hall))
    assert outcomes == [True] * 30
    assert script_calls[0] == 1
    stored = await database_sync_to_async(services._store_totals)(event.pk)
    assert stored[(roundtable.pk, "love", "room")] == 30


async def test_a_third_reaction_of_one_participant_in_the_same_call_is_refused(
    event, roundtable, attendee, stopped_wallclock
):
    outcomes = await asyncio.gather(*(react(event, attendee, roundtable) for _ in range(3)), return_exceptions=True)
    assert outcomes[:2] == [True, True]
    assert isinstance(outcomes[2], RateLimited)


async def test_a_retry_in_the_same_call_as_its_original_counts_once(event, roundtable, attendee, stopped_wallclock):
    outcomes = await asyncio.gather(*(react(event, attendee, roundtable, ref="clap-1") for _ in range(2)))
    assert sorted(outcomes) == [False, True]


async def test_reactions_arriving_together_read_the_sessions_on_now_once(
    event, roundtable, join, stopped_wallclock, monkeypatch
):
    hall = await database_sync_to_async(lambda: [join(mode="room") for _ in range(10)])()
    reads = [0]
    read = selectors.reactable_sessions

    def counted(**kwargs):
        reads[0] += 1
        return read(**kwargs)

    monkeypatch.setattr(services, "reactable_sessions", counted)
    assert await asyncio.gather(*(react(event, person, roundtable) for person in hall)) == [True] * 10
    assert reads[0] == 1
