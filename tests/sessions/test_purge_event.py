"""`manage.py purge_event`: after the congress the audience's data goes, or only the results stay."""

from io import StringIO

import pytest
import redis
from django.conf import settings
from django.core.management import CommandError, call_command

from audit.models import ModerationAction
from livehub.errors import Unauthorized
from livehub.realtime import dispatch
from livehub.realtime.broker import log_key
from livehub.realtime.models import CommandReceipt
from livehub.realtime.registry import CommandContext
from polls import services as polls
from polls.models import Poll, Response
from polls.selectors import poll_results
from qa.models import Question, Vote
from sessions.models import Participant
from sessions.selectors import participant_by_token
from sessions.services import participant_join

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def debate(event, roundtable, join, approved, ask):
    """A debate's worth of audience data: questions, votes, a stance pair answered before and after."""
    ana, ben, cleo, lurker = join("Ana", "room"), join("Ben"), join(), join("Dee")
    public = approved(ana, text="Who pays for one-shot gene therapies?")
    ask(ben, text="Is Belgium's biotech cluster big enough?", anonymous=False)
    dispatch.execute(
        CommandContext(
            event_id=event.pk, event_code=event.code, role="attendee", actor=f"p:{ben.pk}", participant_id=ben.pk
        ),
        type="question.vote",
        ref="vote-1",
        data={"question": public.pk, "up": True},
    )
    dispatch.execute(
        CommandContext(event_id=event.pk, event_code=event.code, role="moderator", actor=f"k:{event.pk}:moderator:abc"),
        type="question.edit",
        ref="edit-1",
        data={"question": public.pk, "text": "Who pays for one-shot gene therapies, and how?"},
    )
    before = polls.poll_create(
        event_id=event.pk,
        actor="Mo",
        kind="stance",
        prompt="Belgium can be the hub.",
        session_id=roundtable.pk,
        phase="before",
    )
    after = polls.poll_create(
        event_id=event.pk,
        actor="Mo",
        kind="stance",
        prompt="Belgium can be the hub.",
        session_id=roundtable.pk,
        phase="after",
        stance_pair_id=before.pk,
    )
    for poll in (before, after):
        polls.poll_open(event_id=event.pk, poll_id=poll.pk, actor="Mo")
    agree_before, _, disagree_before = before.options.all()
    agree_after, _, disagree_after = after.options.all()
    for who, was, now in (
        (ana, agree_before, disagree_after),
        (ben, agree_before, agree_after),
        (cleo, disagree_before, disagree_after),
    ):
        polls.poll_respond(participant_id=who.pk, event_id=event.pk, poll_id=before.pk, options=[was.pk])
        polls.poll_respond(participant_id=who.pk, event_id=event.pk, poll_id=after.pk, options=[now.pk])
    polls.poll_close(event_id=event.pk, poll_id=after.pk, actor="Mo")
    return {"people": [ana, ben, cleo, lurker], "question": public, "after": after}


@pytest.fixture
def bystander(another_event):
    """Someone at another congress: a purge must never reach them."""
    participant, token = participant_join(event=another_event, name="Zoe", mode="online")
    participant.token = token
    return participant


def purge(*args: str) -> str:
    out = StringIO()
    call_command("purge_event", *args, stdout=out)
    return out.getvalue()


def test_purge_deletes_every_trace_of_the_audience(event, debate, bystander):
    sessions, polls_before = event.sessions.count(), Poll.objects.filter(event=event).count()
    output = purge("sfh2022")
    assert "participants deleted: 4" in output
    assert not Participant.objects.filter(event=event).exists()
    assert not Question.objects.filter(event=event).exists()
    assert not Vote.objects.filter(question__event=event).exists()
    assert not Response.objects.filter(poll__event=event).exists()
    assert not CommandReceipt.objects.exclude(actor=f"p:{bystander.pk}").exists()
    # The audit entries quoted the questions (an edit keeps the new text): they go with them.
    assert not ModerationAction.objects.filter(event=event, action__in=["approve", "edit"]).exists()
    for person in debate["people"]:
        with pytest.raises(Unauthorized):
            participant_by_token(event=event, token=person.token)
    # The programme and the polls themselves are the organisers', not the audience's.
    assert event.sessions.count() == sessions
    assert Poll.objects.filter(event=event).count() == polls_before
    assert Participant.objects.filter(pk=bystander.pk, name="Zoe").exists()


def test_anonymising_keeps_the_results_and_cuts_every_link_to_a_person(event, debate, bystander):
    after = Poll.objects.get(pk=debate["after"].pk)
    results_before = poll_results(after, for_moderators=True)
    question = debate["question"]
    output = purge("SFH2022", "--anonymise")
    assert "participants anonymised: 3" in output
    # The results, the room/online split and the debate's swing are unchanged.
    assert poll_results(Poll.objects.get(pk=after.pk), for_moderators=True) == results_before
    assert results_before["swing"]["moved"] == 1
    # Questions stay, with their vote totals, but with no author and no votes tying them to anyone.
    kept = Question.objects.get(pk=question.pk)
    assert kept.vote_count == 1 and kept.text.startswith("Who pays")
    assert not Question.objects.filter(event=event).exclude(author=None).exists()
    assert not Question.objects.filter(event=event).exclude(author_name="").exists()
    assert not Vote.objects.filter(question__event=event).exists()
    # Participants keep no name and no working token; those with no answers are gone.
    assert not Participant.objects.filter(event=event).exclude(name="").exists()
    assert Participant.objects.filter(event=event).count() == 3
    for person in debate["people"]:
        with pytest.raises(Unauthorized):
            participant_by_token(event=event, token=person.token)
    assert not CommandReceipt.objects.exclude(actor=f"p:{bystander.pk}").exists()
    assert Participant.objects.filter(pk=bystander.pk, name="Zoe").exists()


@pytest.mark.parametrize("args", [(), ("--anonymise",)])
def test_the_report_names_every_kind_of_row_in_the_same_order(event, debate, args):
    lines = purge("SFH2022", *args).splitlines()[1:]
    assert [line.split(":")[0].strip() for line in lines] == [
        "participants deleted",
        "participants anonymised",
        "questions deleted",
        "questions anonymised",
        "votes deleted",
        "responses deleted",
        "responses kept",
        "reactions deleted",
        "receipts deleted",
    ]


def test_receipts_of_another_event_survive(event, debate, another_event, bystander):
    context = CommandContext(
        event_id=another_event.pk,
        event_code=another_event.code,
        role="attendee",
        actor=f"p:{bystander.pk}",
        participant_id=bystander.pk,
    )
    dispatch.execute(context, type="participant.update", ref="mine", data={"mode": "room"})
    purge("SFH2022")
    assert CommandReceipt.objects.filter(actor=f"p:{bystander.pk}", ref="mine").exists()


def test_purge_drops_the_replay_logs_that_quote_names(event, debate):
    if not settings.REDIS_URL:
        pytest.skip("the replay log is in Redis only when REDIS_URL is set")
    client = redis.Redis.from_url(settings.REDIS_URL)
    ana = debate["people"][0]
    assert client.exists(log_key(event.pk, f"p:{ana.pk}")), "the fixture published on Ana's stream"
    purge("SFH2022", "--anonymise")
    assert list(client.scan_iter(match=log_key(event.pk, "*"))) == []


def test_an_unknown_code_is_a_clear_error_and_touches_nothing(event, debate):
    with pytest.raises(CommandError, match="no event"):
        purge("NOPE")
    assert Participant.objects.filter(event=event).count() == 4
