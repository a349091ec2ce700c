"""Q&A over the socket: who receives what, retries, coalescing, and verify-action for every command."""

import asyncio
import json
import threading

import pytest
from channels.db import database_sync_to_async

from qa import services
from qa.models import Question
from sessions.rolelinks import role_key_make
from tests.helpers import Socket, catch_up, verify_action

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("hub_stopped")]

TEXT = "How will payers afford one-shot gene therapies?"


@pytest.fixture
async def two_attendees(join):
    author, other = await database_sync_to_async(lambda: (join("Ana"), join()))()
    sockets = [await Socket.open(token=author.token), await Socket.open(token=other.token)]
    yield author, other, *sockets
    for socket in sockets:
        await socket.close()


async def ask_over(socket, session, text=TEXT, **extra):
    return await socket.send("question.ask", {"session": session.pk, "text": text, **extra})


async def test_a_pending_question_reaches_moderators_and_its_author_only(moderator, two_attendees, roundtable):
    author, _other, mine, theirs = two_attendees
    reply = await ask_over(mine, roundtable)
    assert reply["data"]["state"] == "pending"
    own = await mine.event("question.submitted")
    assert own["stream"] == f"p:{author.pk}" and own["data"]["mine"] is True and own["data"]["state"] == "pending"
    seen = await moderator.event("question.submitted")
    assert seen["stream"] == "moderators" and seen["data"]["text"] == TEXT and seen["data"]["flagged"] is False
    await theirs.nothing(0.5)


async def test_the_author_is_told_of_a_rejection_and_the_audience_is_not(event, moderator, two_attendees, roundtable):
    _author, _other, mine, theirs = two_attendees
    question = (await ask_over(mine, roundtable))["data"]["question"]
    await moderator.send("question.moderate", {"question": question, "action": "reject"})
    fate = await mine.event("question.updated")
    assert fate["data"]["state"] == "rejected" and fate["data"]["mine"] is True
    await theirs.nothing(0.5)


async def test_a_rejection_reason_reaches_the_author_and_the_moderators_only(
    event, moderator, moderator_key, two_attendees, roundtable
):
    author, _other, mine, theirs = two_attendees
    question = (await ask_over(mine, roundtable))["data"]["question"]
    await verify_action(
        moderator,
        "question.moderate",
        {"question": question, "action": "reject", "reason": "already_answered"},
        key=moderator_key,
    )
    fate = await mine.event("question.updated")
    assert fate["stream"] == f"p:{author.pk}" and fate["data"]["rejection_reason"] == "already_answered"
    logged = moderator.snapshot["data"]["audit"][0]
    assert (logged["action"], logged["detail"]) == ("reject", {"reason": "already_answered"})
    await theirs.nothing(0.5)
    # Published after all: the reason goes with the rejection.
    await moderator.send("question.moderate", {"question": question, "action": "approve"})
    own = await mine.event("question.updated")
    assert own["data"]["state"] == "approved" and own["data"]["rejection_reason"] is None
    public = await theirs.event("question.updated")
    assert "rejection_reason" not in public["data"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"action": "reject", "reason": "boring"}, "reason"),
        ({"action": "approve", "reason": "off_topic"}, "reason"),
    ],
)
async def test_a_reason_that_is_not_on_the_list_or_not_for_a_rejection_is_invalid(
    moderator, two_attendees, roundtable, data, field
):
    _author, _other, mine, _theirs = two_attendees
    question = (await ask_over(mine, roundtable))["data"]["question"]
    reply = await moderator.send("question.moderate", {"question": question, **data})
    assert reply["type"] == "error" and reply["error"]["code"] == "invalid"
    assert field in reply["error"]["fields"]
    assert await database_sync_to_async(lambda: Question.objects.get(pk=question).state)() == "pending"


async def test_approval_is_public_and_a_later_archive_removes_it(event, moderator, two_attendees, roundtable):
    _author, _other, mine, theirs = two_attendees
    question = (await ask_over(mine, roundtable, anonymous=False))["data"]["question"]
    await moderator.send("question.moderate", {"question": question, "action": "approve"})
    public = await theirs.event("question.updated")
    assert public["stream"] == "public" and public["data"]["author"] == "Ana"
    assert "mine" not in public["data"] and "flagged" not in public["data"]
    await moderator.send("question.moderate", {"question": question, "action": "archive"})
    removed = await theirs.event("question.removed")
    assert removed["data"] == {"id": question, "session": public["data"]["session"]}


async def test_a_retried_ask_creates_one_question(two_attendees, roundtable):
    _author, _other, mine, _theirs = two_attendees
    first = await mine.send("question.ask", {"session": roundtable.pk, "text": TEXT}, ref="ask-1")
    second = await mine.send("question.ask", {"session": roundtable.pk, "text": TEXT}, ref="ask-1")
    assert first == second
    assert await database_sync_to_async(Question.objects.count)() == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"text": "ab"}, "text"),
        ({"text": "x" * 501}, "text"),
        ({"text": 42}, "text"),
        ({"text": "fine text", "anonymous": "yes"}, "anonymous"),
        ({"text": "fine text", "session": "3"}, "session"),
    ],
)
async def test_ask_with_bad_data_is_invalid(two_attendees, roundtable, data, field):
    _author, _other, mine, _theirs = two_attendees
    reply = await mine.send("question.ask", {"session": roundtable.pk, **data})
    assert reply["error"]["code"] == "invalid" and field in reply["error"]["fields"]


async def test_moderator_commands_are_forbidden_to_attendees(two_attendees, roundtable, event, join):
    _author, _other, mine, _theirs = two_attendees
    asker = await database_sync_to_async(join)()
    question = await database_sync_to_async(services.question_ask)(
        participant_id=asker.pk, event_id=event.pk, session_id=roundtable.pk, text=TEXT, anonymous=True
    )
    for command, data in [
        ("question.moderate", {"question": question.pk, "action": "approve"}),
        ("question.edit", {"question": question.pk, "text": "changed text"}),
        ("question.merge", {"question": question.pk, "into": question.pk}),
        ("event.set_moderation", {"auto_approve": True}),
    ]:
        assert (await mine.send(command, data))["error"]["code"] == "forbidden"
    stored = await database_sync_to_async(Question.objects.get)(pk=question.pk)
    assert (stored.state, stored.text) == ("pending", TEXT)


async def test_speakers_may_highlight_but_not_approve(event, roundtable, join, approved):
    first, second = await database_sync_to_async(lambda: (join(), join()))()
    question = await database_sync_to_async(approved)(first)
    pending = await database_sync_to_async(services.question_ask)(
        participant_id=second.pk, event_id=event.pk, session_id=roundtable.pk, text="pending one?", anonymous=True
    )
    key = await database_sync_to_async(role_key_make)(event=event, role="speaker", hours=1)
    speaker = await Socket.open(key=key)
    assert (await speaker.send("question.moderate", {"question": question.pk, "action": "highlight"}))["type"] == "ok"
    reply = await speaker.send("question.moderate", {"question": pending.pk, "action": "approve"})
    assert reply["error"]["code"] == "forbidden"
    await speaker.close()


async def test_two_hundred_votes_in_a_second_give_at_most_five_vote_frames_with_exact_totals(
    event, join, approved, two_attendees
):
    _author, _other, watcher_one, watcher_two = two_attendees
    question = await database_sync_to_async(lambda: approved(join()))()
    voters = await database_sync_to_async(lambda: [join() for _ in range(200)])()

    def storm():
        from django.db import connection

        for voter in voters:
            services.question_vote(participant_id=voter.pk, event_id=event.pk, question_id=question.pk, up=True)
        connection.close()

    thread = threading.Thread(target=storm)
    started = asyncio.get_running_loop().time()
    thread.start()
    await asyncio.to_thread(thread.join)
    elapsed = asyncio.get_running_loop().time() - started
    for watcher in (watcher_one, watcher_two):
        frames = await watcher.collect("votes.updated", quiet=0.6)
        # At most four a second (plus the closing one); the last one is exact.
        assert 1 <= len(frames) <= 4 * elapsed + 2
        assert frames[-1]["data"]["counts"] == {str(question.pk): 200}


async def test_a_vote_tells_the_voter_and_the_room_sees_the_total(event, join, approved, two_attendees):
    _author, other, _mine, theirs = two_attendees
    question = await database_sync_to_async(lambda: approved(join()))()
    reply = await theirs.send("question.vote", {"question": question.pk, "up": True})
    assert reply["data"] == {"question": question.pk, "voted": True, "votes": 1}
    own = await theirs.event("vote.updated")
    assert own["stream"] == f"p:{other.pk}" and own["data"] == {"question": question.pk, "voted": True}
    total = await theirs.event("votes.updated")
    assert total["data"]["counts"] == {str(question.pk): 1}


async def test_a_retried_vote_gets_its_first_reply_and_is_applied_once(event, join, approved, two_attendees):
    _author, _other, _mine, theirs = two_attendees
    question = await database_sync_to_async(lambda: approved(join()))()
    first = await theirs.send("question.vote", {"question": question.pk, "up": True}, ref="v1")
    assert first["data"] == {"question": question.pk, "voted": True, "votes": 1}
    withdrawn = await theirs.send("question.vote", {"question": question.pk, "up": False}, ref="v2")
    assert withdrawn["data"] == {"question": question.pk, "voted": False, "votes": 0}
    # v1 again (a reconnect's resend): its stored reply, and the vote withdrawn since stays withdrawn.
    again = await theirs.send("question.vote", {"question": question.pk, "up": True}, ref="v1")
    assert again["type"] == "ok" and again["data"] == first["data"]
    votes = await database_sync_to_async(lambda: question.votes.count())()
    assert votes == 0


async def test_a_refused_vote_stores_no_reply_and_leaves_no_announcement(event, join, ask, two_attendees, settings):
    from livehub.realtime import redis as lhredis
    from livehub.realtime.broker import INFLIGHT_KEY

    _author, _other, _mine, theirs = two_attendees
    pending = await database_sync_to_async(lambda: ask(join()))()
    refused = await theirs.send("question.vote", {"question": pending.pk, "up": True}, ref="v1")
    assert refused["error"]["code"] == "conflict"
    # Nothing to heal: the sweep would otherwise resync the whole event for a vote that never was.
    assert lhredis.sync_client(settings.REDIS_URL).zcard(INFLIGHT_KEY) == 0
    # The ref was not spent: once the question is approved, the same ref votes.
    await database_sync_to_async(services.question_moderate)(
        event_id=event.pk, question_id=pending.pk, action="approve", actor="moderator", role="moderator"
    )
    applied = await theirs.send("question.vote", {"question": pending.pk, "up": True}, ref="v1")
    assert applied["data"] == {"question": pending.pk, "voted": True, "votes": 1}


async def test_a_ref_used_for_another_command_is_refused_by_a_vote(event, join, approved, two_attendees, roundtable):
    _author, _other, mine, _theirs = two_attendees
    question = await database_sync_to_async(lambda: approved(join()))()
    await mine.send("question.ask", {"session": roundtable.pk, "text": TEXT}, ref="r1")
    reused = await mine.send("question.vote", {"question": question.pk, "up": True}, ref="r1")
    assert reused["error"]["code"] == "conflict" and reused["error"]["fields"] == {"ref": "reused"}
    votes = await database_sync_to_async(lambda: question.votes.count())()
    assert votes == 0


async def test_hostile_text_travels_as_text(event, moderator, two_attendees, roundtable):
    _author, _other, mine, _theirs = two_attendees
    typed = "<img src=x onerror=alert(1)> ‮evil‬ zero\u200bwidth 🧬 " + "W" * 200
    await ask_over(mine, roundtable, text=typed)
    seen = await moderator.event("question.submitted")
    assert seen["data"]["text"] == typed


# --- verify-action: old snapshot + emitted events == fresh snapshot ---------------------------------


async def test_verify_ask(event, roundtable, two_attendees):
    author, _other, mine, _theirs = two_attendees
    await verify_action(mine, "question.ask", {"session": roundtable.pk, "text": TEXT}, token=author.token)


async def test_verify_ask_seen_by_a_moderator(event, roundtable, moderator, moderator_key, two_attendees):
    _author, _other, mine, _theirs = two_attendees
    before = json.loads(json.dumps(moderator.snapshot))
    await ask_over(mine, roundtable)
    await verify_action(moderator, "event.set_moderation", {"auto_approve": True}, key=moderator_key)
    assert before != moderator.snapshot


async def test_verify_vote_and_unvote(event, join, approved, two_attendees):
    _author, other, _mine, theirs = two_attendees
    question = await database_sync_to_async(lambda: approved(join()))()
    await theirs.close()
    theirs = await Socket.open(token=other.token)
    await verify_action(theirs, "question.vote", {"question": question.pk, "up": True}, settle=0.5, token=other.token)
    await verify_action(theirs, "question.vote", {"question": question.pk, "up": False}, settle=0.5, token=other.token)
    await theirs.close()


@pytest.mark.parametrize(
    "actions",
    [
        ["approve"],
        ["reject"],
        ["approve", "highlight", "unhighlight"],
        ["approve", "answer"],
        ["archive", "restore"],
        ["approve", "reject", "approve"],
        ["reject_off_topic", "restore"],
        ["approve", "archive"],
    ],
)
async def test_verify_moderation_for_moderator_author_and_audience(
    event, roundtable, join, moderator, moderator_key, actions
):
    author, bystander = await database_sync_to_async(lambda: (join("Ana"), join()))()
    question = await database_sync_to_async(services.question_ask)(
        participant_id=author.pk, event_id=event.pk, session_id=roundtable.pk, text=TEXT, anonymous=False
    )
    watchers = {
        "author": (await Socket.open(token=author.token), {"token": author.token}),
        "bystander": (await Socket.open(token=bystander.token), {"token": bystander.token}),
    }
    moderator = await Socket.open(key=moderator_key)
    for step in actions:
        action, _, reason = step.partition("_")
        data = {"question": question.pk, "action": action, **({"reason": reason} if reason else {})}
        await verify_action(moderator, "question.moderate", data, key=moderator_key)
        for socket, credentials in watchers.values():
            await catch_up(socket, **credentials)
    for socket, _ in watchers.values():
        await socket.close()
    await moderator.close()


async def test_verify_edit_and_merge(event, roundtable, join, approved, moderator, moderator_key):
    target = await database_sync_to_async(lambda: approved(join(), "Who pays for gene therapy?"))()
    duplicate = await database_sync_to_async(lambda: approved(join(), "Who pays for gene therapies?"))()
    await verify_action(
        moderator,
        "question.edit",
        {"question": target.pk, "text": "Who pays for gene therapy, and how?"},
        key=moderator_key,
    )
    await verify_action(moderator, "question.merge", {"question": duplicate.pk, "into": target.pk}, key=moderator_key)
    merged = next(q for q in moderator.snapshot["data"]["questions"] if q["id"] == duplicate.pk)
    assert merged["merged_into"] == target.pk and merged["state"] == "archived"


async def test_merge_tells_the_duplicates_author(event, roundtable, join, approved, moderator):
    author = await database_sync_to_async(join)()
    target = await database_sync_to_async(lambda: approved(join(), "Who pays for gene therapy?"))()
    duplicate = await database_sync_to_async(approved)(author, "Who pays for gene therapies?")
    mine = await Socket.open(token=author.token)
    await moderator.send("question.merge", {"question": duplicate.pk, "into": target.pk})
    told = await mine.take(lambda f: f["type"] == "question.updated" and f["stream"].startswith("p:"))
    assert told["data"]["merged_into"] == target.pk
    await mine.close()


async def test_a_voter_keeps_their_vote_when_a_question_comes_back(event, join, approved, moderator, moderator_key):
    voter = await database_sync_to_async(join)()
    question = await database_sync_to_async(lambda: approved(join()))()
    bystander = await Socket.open(token=voter.token)
    await bystander.send("question.vote", {"question": question.pk, "up": True})
    for action in ("reject", "approve"):
        await moderator.send("question.moderate", {"question": question.pk, "action": action})
    await asyncio.sleep(0.5)
    await catch_up(bystander, token=voter.token)
    again = next(q for q in bystander.snapshot["data"]["questions"] if q["id"] == question.pk)
    assert again["voted"] is True
    await bystander.close()


async def test_merged_votes_follow_their_voters(event, join, approved, moderator):
    voter = await database_sync_to_async(join)()
    target = await database_sync_to_async(lambda: approved(join(), "Who pays for gene therapy?"))()
    duplicate = await database_sync_to_async(lambda: approved(join(), "Who pays for gene therapies?"))()
    socket = await Socket.open(token=voter.token)
    await socket.send("question.vote", {"question": duplicate.pk, "up": True})
    await moderator.send("question.merge", {"question": duplicate.pk, "into": target.pk})
    await asyncio.sleep(0.5)
    await catch_up(socket, token=voter.token)
    held = {q["id"]: q for q in socket.snapshot["data"]["questions"]}
    assert held[target.pk]["voted"] is True and held[target.pk]["votes"] == 1
    await socket.close()
