"""Sockets at the same stream position share the snapshot's common part, never their own part."""

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import pytest
from channels.db import database_sync_to_async
from django.db import connection
from django.db.models import F

from audit.selectors import audit_snapshot
from livehub.realtime import snapshot
from livehub.realtime.auth import authenticate
from livehub.realtime.coalesce import Coalescer
from polls import services as polls_services
from polls.models import Response
from polls.selectors import polls_snapshot, response_payload
from qa import services as qa_services
from qa.models import Question, Vote
from qa.selectors import question_payload, questions_snapshot
from reactions.models import ReactionTotal
from reactions.selectors import reactions_snapshot
from sessions import services as sessions_services
from sessions.models import Event, Participant
from sessions.rolelinks import role_key_make
from sessions.selectors import backstage_notes, note_payload, participant_payload, programme
from tests.helpers import Socket

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("hub_stopped")]


def ids(snapshot):
    return {question["id"]: question for question in snapshot["data"]["questions"]}


async def test_the_common_part_is_shared_and_the_own_part_is_not(event, join, ask, approved, moderator_key):
    author, voter = await database_sync_to_async(join)(), await database_sync_to_async(join)()
    public = await database_sync_to_async(approved)(author, "Who pays for the first patients?")
    pending = await database_sync_to_async(ask)(author, "Is a European fund realistic at all?")
    watcher = await Socket.open(token=voter.token)
    await database_sync_to_async(qa_services.question_vote)(
        participant_id=voter.pk, event_id=event.pk, question_id=public.pk, up=True
    )
    await watcher.event("votes.updated")  # its coalesced total is out: nothing moves the streams now
    await watcher.close()

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


def reference_snapshot(ctx) -> dict:
    """The snapshot as the ORM reads it, nothing shared and nothing spliced: what a socket must get."""
    data = {
        **programme(Event.objects.get(pk=ctx.event_id)),
        **questions_snapshot(ctx),
        **audit_snapshot(ctx),
        **polls_snapshot(ctx),
        **reactions_snapshot(ctx),
    }
    participant = Participant.objects.filter(pk=ctx.participant_id).first()
    data["you"] = {"role": ctx.role, "participant": participant_payload(participant) if participant else None}
    if participant is not None:
        data.update(own_snapshot(ctx, participant, data["questions"]))
    if ctx.role in ("moderator", "speaker"):
        event = Event.objects.get(pk=ctx.event_id)
        data["notes"] = [note_payload(note, timezone=event.timezone) for note in backstage_notes(event=event)]
    return data


def own_snapshot(ctx, participant, items) -> dict:
    """The participant's own part: their questions among the others, their votes and answers."""
    data = {}
    own = list(Question.objects.filter(event_id=ctx.event_id, author=participant).select_related("event"))
    if ctx.role != "moderator":
        held = {item["id"] for item in items}
        items.extend(question_payload(question) for question in own if question.pk not in held)
        items.sort(key=lambda item: (datetime.fromisoformat(item["created_at"]), item["id"]))
    voted = set(Vote.objects.filter(participant=participant).values_list("question_id", flat=True))
    reasons = {question.pk: question.rejection_reason or None for question in own}
    for item in items:
        item.update(voted=item["id"] in voted, mine=item["id"] in reasons)
        if item["id"] in reasons and ctx.role != "moderator":  # an attendee's own: why it was rejected
            item["rejection_reason"] = reasons[item["id"]]
    responses = Response.objects.filter(participant=participant).select_related("poll")
    data["responses"] = {str(response.poll_id): response_payload(response) for response in responses}
    return data


def poll(event, kind, **fields):
    if kind in ("single", "multiple"):
        fields["options"] = ["Insurers", "Industry", "Europe"]
    made = polls_services.poll_create(event_id=event.pk, actor="Mo", kind=kind, prompt="Who pays?", **fields)
    return polls_services.poll_open(event_id=event.pk, poll_id=made.pk, actor="Mo")


def options(made):
    return list(made.options.order_by("order").values_list("pk", flat=True))


@database_sync_to_async
def congress_under_way(event, join, ask, approved):
    """Questions in every state, votes, and answers to every kind of poll, by two attendees."""
    author, voter = join(name='Ana “Å” "quoted"'), join(mode="room")
    on_stage = event.sessions.get(kind="roundtable")
    sessions_services.session_set_status(event_id=event.pk, session_id=on_stage.pk, status="live")
    seen = sessions_services.note_send(event_id=event.pk, session_id=on_stage.pk, text="Take an online question")
    sessions_services.note_mark_seen(event_id=event.pk, note_id=seen.pk)
    sessions_services.note_send(event_id=event.pk, session_id=on_stage.pk, text="5 minutes left")
    ReactionTotal.objects.create(event=event, session=on_stage, kind="applause", mode="room", count=41)
    other = approved(voter, "Who pays for the first patients? \\ “Brussels” \u2013 é")
    own_public = approved(author, "Is a European fund realistic at all?")
    own_pending = ask(author, "Can hospitals make vectors themselves?")
    later = approved(voter, "What about rare diseases with ten patients?")
    own_rejected = ask(author, "Off-topic: where is the coffee?")
    qa_services.question_moderate(
        event_id=event.pk,
        question_id=own_rejected.pk,
        action="reject",
        actor="moderator",
        role="moderator",
        reason="off_topic",
    )
    for participant, question in ((author, other), (voter, own_public), (author, later)):
        # Written directly: a vote's count may reach the question's row a coalesced flush later.
        Vote.objects.create(question=question, participant=participant)
        Question.objects.filter(pk=question.pk).update(vote_count=F("vote_count") + 1)
    single, multiple, rating, cloud, text = (
        poll(event, kind, **extra)
        for kind, extra in (
            ("single", {}),
            ("multiple", {"max_choices": 2}),
            ("rating", {"scale": 5}),
            ("wordcloud", {}),
            ("text", {}),
        )
    )
    stance = poll(event, "stance", phase="before")
    polls_services.poll_create(event_id=event.pk, actor="Mo", kind="single", prompt="Draft", options=["a", "b"])
    polls_services.poll_set_results_visible(event_id=event.pk, poll_id=single.pk, visible=True, actor="Mo")
    answers = (
        (single, {"options": options(single)[:1]}),
        (multiple, {"options": options(multiple)[1:]}),
        (rating, {"value": 4}),
        (cloud, {"text": "Outcome-based payment, Europe"}),
        (text, {"text": "Pay per “outcome”"}),
        (stance, {"options": options(stance)[-1:]}),
    )
    for made, answer in answers:
        polls_services.poll_respond(participant_id=author.pk, event_id=event.pk, poll_id=made.pk, **answer)
    polls_services.poll_respond(participant_id=voter.pk, event_id=event.pk, poll_id=rating.pk, value=2)
    return author, voter, {"pending": own_pending.pk, "rejected": own_rejected.pk, "other": other.pk}


async def test_every_socket_gets_exactly_the_snapshot_built_from_scratch(event, join, ask, approved, moderator_key):
    author, voter, ids_of = await congress_under_way(event, join, ask, approved)
    fresh = await database_sync_to_async(join)()
    make_key = database_sync_to_async(role_key_make)
    speaker_key, screen_key = [await make_key(event=event, role=role, hours=1) for role in ("speaker", "screen")]
    credentials = [
        {"token": author.token},
        {"token": author.token},  # the same position again: the shared part comes from the cache
        {"token": voter.token},
        {"token": fresh.token},
        {"key": moderator_key},
        {"key": moderator_key, "token": author.token},
        {"key": speaker_key},
        {"key": speaker_key, "token": voter.token},
        {"key": screen_key},
    ]
    sockets = []
    for query in credentials:
        socket = await Socket.open(**query)
        sockets.append(socket)
        ctx = await database_sync_to_async(authenticate)(code="SFH2022", token=query.get("token"), key=query.get("key"))
        expected = await database_sync_to_async(reference_snapshot)(ctx)
        # The server's time moves on by itself: present, and no part of what is compared.
        assert socket.snapshot["data"]["server_time"]
        got = {key: value for key, value in socket.snapshot["data"].items() if key not in ("presence", "server_time")}
        assert got == expected, query
        assert list(got) == list(expected), query  # the same keys in the same order
    # What the author sees of their own questions, in the order they were asked.
    mine = ids(sockets[0].snapshot)
    assert mine[ids_of["pending"]]["mine"] and mine[ids_of["rejected"]]["state"] == "rejected"
    assert mine[ids_of["rejected"]]["rejection_reason"] == "off_topic"
    assert mine[ids_of["pending"]]["rejection_reason"] is None
    assert "rejection_reason" not in mine[ids_of["other"]]  # told to its author alone
    assert mine[ids_of["other"]]["voted"] and not mine[ids_of["other"]]["mine"]
    assert ids_of["pending"] not in ids(sockets[2].snapshot)
    assert len(sockets[0].snapshot["data"]["responses"]) == 6
    for socket in sockets:
        await socket.close()


async def test_a_shared_part_is_never_changed_by_the_sockets_that_use_it(event, join, ask, approved):
    author, _voter, ids_of = await congress_under_way(event, join, ask, approved)
    # The coalesced totals of its votes would move the streams between two of the sockets below.
    await database_sync_to_async(Coalescer.cancel_all)()
    fresh = await database_sync_to_async(join)()
    before = await Socket.open(token=fresh.token)
    marked = await Socket.open(token=author.token)
    after = await Socket.open(token=fresh.token)
    assert before.snapshot["seqs"]["public"] == after.snapshot["seqs"]["public"]
    assert before.snapshot["data"]["questions"] == after.snapshot["data"]["questions"]
    assert not any(question["voted"] or question["mine"] for question in after.snapshot["data"]["questions"])
    assert ids_of["pending"] in ids(marked.snapshot) and ids_of["pending"] not in ids(after.snapshot)
    for socket in (before, marked, after):
        await socket.close()


def test_sockets_that_miss_together_build_the_shared_part_once(event, attendee, monkeypatch):
    builds = []
    build = snapshot._build_shared

    def slow_build(ctx):
        builds.append(ctx)
        time.sleep(0.2)  # long enough for every other socket to miss too
        return build(ctx)

    def connect(_):
        try:
            return snapshot.build_snapshot(ctx, position=("e1", (("public", 7),)))
        finally:
            connection.close()

    monkeypatch.setattr(snapshot, "_build_shared", slow_build)
    ctx = authenticate(code="SFH2022", token=attendee.token, key=None)
    with ThreadPoolExecutor(4) as pool:
        texts = list(pool.map(connect, range(4)))
    assert len(builds) == 1
    for text in texts:
        text.pop("server_time")  # each socket's own reading of the clock
    assert all(text == texts[0] for text in texts)
