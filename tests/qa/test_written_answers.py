"""Written answers (`question.answer`): who may write one, who is told, and what is kept."""

import pytest
from channels.db import database_sync_to_async
from django.db import transaction

from livehub.errors import Conflict
from qa import services
from qa.models import Question
from qa.schemas import ANSWER_TEXT
from sessions.models import Session
from sessions.rolelinks import role_key_make
from tests.helpers import Socket, catch_up, verify_action

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("hub_stopped")]

ANSWER = "The payers spread it over five years, paid on results."


@pytest.fixture
def asked(join, approved):
    """An approved question of Ana's: (Ana, the question)."""
    author = join("Ana")
    return author, approved(author)


@pytest.fixture
def speaker_key(event):
    return role_key_make(event=event, role="speaker", hours=1)


async def test_verify_action_answer_replace_and_take_back(event, moderator, moderator_key, asked):
    author, question = await database_sync_to_async(lambda: asked)()
    mine = await Socket.open(token=author.token)
    for text in (ANSWER, "Paid on results, over five years.", ""):
        reply = await verify_action(
            moderator, "question.answer", {"question": question.pk, "text": text}, key=moderator_key
        )
        assert reply["data"] == {"question": question.pk, "answered": bool(text)}
        await catch_up(mine, token=author.token)
        (held,) = [item for item in mine.snapshot["data"]["questions"] if item["id"] == question.pk]
        assert (held["answer"] or {}).get("text") == (text or None)
    await mine.close()


async def test_the_author_and_the_audience_see_the_answer_under_the_question(event, moderator, asked, join):
    author, question = await database_sync_to_async(lambda: asked)()
    other = await database_sync_to_async(join)()
    mine, hall = await Socket.open(token=author.token), await Socket.open(token=other.token)
    await moderator.send("question.answer", {"question": question.pk, "text": f"  {ANSWER}  "})
    told = await mine.take(lambda frame: frame["type"] == "question.updated" and frame["stream"].startswith("p:"))
    assert told["data"]["mine"] is True and told["data"]["answer"]["text"] == ANSWER
    assert told["data"]["answer"]["by"] == "moderator" and told["data"]["answer"]["at"]
    public = await hall.event("question.updated")
    assert public["stream"] == "public" and public["data"]["answer"]["text"] == ANSWER
    assert public["data"]["state"] == "approved"  # still open to be taken live
    for socket in (mine, hall):
        await socket.close()


async def test_a_speaker_answers_and_is_named_as_the_speaker(event, asked, speaker_key):
    _author, question = await database_sync_to_async(lambda: asked)()
    stage = await Socket.open(key=speaker_key)
    assert (await stage.send("question.answer", {"question": question.pk, "text": ANSWER}))["type"] == "ok"
    assert (await stage.event("question.updated"))["data"]["answer"]["by"] == "speaker"
    await stage.close()


@pytest.mark.parametrize("role", ["attendee", "screen"])
async def test_only_moderators_and_speakers_answer_in_writing(event, asked, attendee, role):
    _author, question = await database_sync_to_async(lambda: asked)()
    if role == "attendee":
        socket = await Socket.open(token=attendee.token)
    else:
        socket = await Socket.open(key=await database_sync_to_async(role_key_make)(event=event, role=role, hours=1))
    reply = await socket.send("question.answer", {"question": question.pk, "text": ANSWER})
    assert reply["type"] == "error" and reply["error"]["code"] == "forbidden"
    await socket.close()


async def test_an_answer_too_long_is_refused_naming_the_text(event, moderator, asked):
    _author, question = await database_sync_to_async(lambda: asked)()
    reply = await moderator.send("question.answer", {"question": question.pk, "text": "x" * (ANSWER_TEXT.max + 1)})
    assert reply["type"] == "error" and reply["error"]["code"] == "invalid" and "text" in reply["error"]["fields"]
    assert await database_sync_to_async(lambda: Question.objects.get(pk=question.pk).answer_text)() == ""


async def test_an_answer_to_a_question_of_another_event_is_not_found(event, moderator):
    reply = await moderator.send("question.answer", {"question": 999999, "text": ANSWER})
    assert reply["type"] == "error" and reply["error"]["code"] == "not_found"


def test_a_pending_question_is_not_answered_in_writing(event, join, ask):
    question = ask(join())
    with pytest.raises(Conflict):
        services.question_answer_in_writing(
            event_id=event.pk, question_id=question.pk, text=ANSWER, role="moderator", actor="moderator"
        )


def test_taking_back_an_answer_never_written_is_refused(event, asked):
    _author, question = asked
    with pytest.raises(Conflict):
        services.question_answer_in_writing(
            event_id=event.pk, question_id=question.pk, text="", role="moderator", actor="moderator"
        )


def test_an_answer_after_the_session_ended_is_kept_with_who_and_when(event, roundtable, asked):
    _author, question = asked
    Session.objects.filter(pk=roundtable.pk).update(status="ended")
    services.question_answer_in_writing(
        event_id=event.pk, question_id=question.pk, text=ANSWER, role="speaker", actor="speaker link"
    )
    kept = Question.objects.get(pk=question.pk)
    assert (kept.answer_text, kept.answer_by) == (ANSWER, "speaker") and kept.answer_at is not None


def test_hooks_hear_of_an_answer_after_the_commit_only(event, asked):
    _author, question = asked
    heard = []
    services.question_answered.connect(lambda sender, question, text, **_: heard.append(text), weak=False)
    try:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.question_answer_in_writing(
                event_id=event.pk, question_id=question.pk, text=ANSWER, role="moderator", actor="moderator"
            )
            raise RuntimeError("rolled back")
        assert heard == []
        services.question_answer_in_writing(
            event_id=event.pk, question_id=question.pk, text=ANSWER, role="moderator", actor="moderator"
        )
        assert heard == [ANSWER]
    finally:
        services.question_answered.receivers.clear()


async def test_a_rolled_back_answer_reaches_nobody(event, asked, join):
    author, question = await database_sync_to_async(lambda: asked)()
    mine = await Socket.open(token=author.token)

    def answer_then_fail():
        with transaction.atomic():
            services.question_answer_in_writing(
                event_id=event.pk, question_id=question.pk, text=ANSWER, role="moderator", actor="moderator"
            )
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        await database_sync_to_async(answer_then_fail)()
    await mine.nothing()
    await mine.close()


async def test_a_reconnecting_author_is_replayed_the_answer(event, moderator, asked):
    author, question = await database_sync_to_async(lambda: asked)()
    first = await Socket.open(token=author.token)
    seqs, epoch = first.snapshot["seqs"], first.snapshot["epoch"]
    await first.close()
    await moderator.send("question.answer", {"question": question.pk, "text": ANSWER})
    since = ",".join(f"{stream}:{seq}" for stream, seq in seqs.items())
    again = await Socket.open(token=author.token, since=since, epoch=epoch)
    assert again.snapshot is None
    replayed = await again.take(lambda frame: frame["type"] == "question.updated" and frame["stream"].startswith("p:"))
    assert replayed["data"]["answer"]["text"] == ANSWER
    await again.close()
