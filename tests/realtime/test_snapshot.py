"""Sockets at the same stream position share the snapshot's common part, never their own part."""

import pytest
from channels.db import database_sync_to_async

from qa import services as qa_services
from qa.models import Question
from tests.helpers import Socket

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("hub_stopped")]


def ids(snapshot):
    return {question["id"]: question for question in snapshot["data"]["questions"]}


async def test_the_common_part_is_shared_and_the_own_part_is_not(event, join, ask, approved, moderator_key):
    author, voter = await database_sync_to_async(join)(), await database_sync_to_async(join)()
    public = await database_sync_to_async(approved)(author, "Who pays for the first patients?")
    pending = await database_sync_to_async(ask)(author, "Is a European fund realistic at all?")
    await database_sync_to_async(qa_services.question_vote)(
        participant_id=voter.pk, event_id=event.pk, question_id=public.pk, up=True
    )

    first = await Socket.open(token=author.token)
    second = await Socket.open(token=voter.token)
    assert first.snapshot["seqs"]["public"] == second.snapshot["seqs"]["public"]
    mine, theirs = ids(first.snapshot), ids(second.snapshot)
    # The author sees their pending question; the other attendee does not.
    assert pending.pk in mine and mine[pending.pk]["mine"] and pending.pk not in theirs
    assert mine[public.pk]["mine"] and not theirs[public.pk]["mine"]
    assert theirs[public.pk]["voted"] and not mine[public.pk]["voted"]
    assert first.snapshot["data"]["you"]["participant"]["id"] == str(author.pk)
    assert second.snapshot["data"]["you"]["participant"]["id"] == str(voter.pk)
    # Moderators get everything as it is, pending questions included.
    moderator = await Socket.open(key=moderator_key)
    assert pending.pk in ids(moderator.snapshot)
    for socket in (first, second, moderator):
        await socket.close()


async def test_a_common_part_is_reused_only_at_its_own_position(event, join, approved):
    attendee = await database_sync_to_async(join)()
    question = await database_sync_to_async(approved)(attendee, "Who pays for the first patients?")
    before = await Socket.open(token=attendee.token)
    # A change made without an event (as no service does) shows the reuse at the same position...
    await database_sync_to_async(Question.objects.filter(pk=question.pk).update)(text="Changed behind the events")
    same = await Socket.open(token=attendee.token)
    assert ids(same.snapshot)[question.pk]["text"] == "Who pays for the first patients?"
    # ...and any public event moves the position on: the next socket gets the common part anew.
    await database_sync_to_async(qa_services.question_moderate)(
        event_id=event.pk, question_id=question.pk, action="highlight", actor="moderator", role="moderator"
    )
    after = await Socket.open(token=attendee.token)
    assert after.snapshot["seqs"]["public"] > before.snapshot["seqs"]["public"]
    assert ids(after.snapshot)[question.pk]["text"] == "Changed behind the events"
    assert ids(after.snapshot)[question.pk]["highlighted"]
    for socket in (before, same, after):
        await socket.close()
