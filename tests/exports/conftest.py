"""A scripted SFH2022 day in the roundtable, on a stopped clock: joins in both modes, named and
anonymous questions, votes, a merge, a rejection with its reason, an answered question, the
debate's before and after stance polls with a swing, a word cloud, and the minutes' attendance."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from audit.models import ModerationAction
from livehub.realtime.attendance import presence_record
from polls import services as polls
from polls.models import Poll
from qa import services as qa
from qa.models import Question, Vote
from sessions.models import Participant

BRUSSELS = ZoneInfo("Europe/Brussels")
START = datetime(2022, 5, 5, 10, 1, tzinfo=BRUSSELS)

# The before poll in French too: the `translations` column of the polls sheet.
FRENCH_STANCE = {"prompt": "La Belgique peut être le pôle.", "options": ["D'accord", "Indécis", "Pas d'accord"]}


@pytest.fixture
def clock(monkeypatch):
    """Django's clock, stopped at 10:01 in Brussels; `clock.at(hh, mm)` moves it."""

    class Clock:
        now = START

        def at(self, hour: int, minute: int, second: int = 0) -> None:
            self.now = START.replace(hour=hour, minute=minute, second=second)

    stopped = Clock()
    monkeypatch.setattr(timezone, "now", lambda: stopped.now.astimezone(ZoneInfo("UTC")))
    return stopped


@pytest.fixture
def day(event, roundtable, join, ask, clock):
    """The day; returns the people (never exported), the questions and polls by name."""
    Question.objects.filter(event=event).delete()
    Poll.objects.filter(event=event).delete()
    Participant.objects.filter(event=event).delete()
    ModerationAction.objects.filter(event=event).delete()

    ana, ben, cleo = join("Ana", "room"), join("Ben", "online"), join(None, "room")
    clock.at(10, 4)
    dan, eve = join(None, "online"), join("Eve", "room")

    clock.at(10, 6)
    pays = ask(ana, text="Who pays for one-shot gene therapies?", anonymous=False)
    trials = ask(cleo, text="Are there enough clinical trial sites in Wallonia?")
    payers = ask(ben, text="Who will pay for gene therapies?", anonymous=False)
    football = ask(dan, text="Who won the football yesterday?")

    def moderate(question, action, **extra):
        return qa.question_moderate(
            event_id=event.pk, question_id=question.pk, action=action, actor="moderator", role="moderator", **extra
        )

    def vote(who, question):
        qa.question_vote(participant_id=who.pk, event_id=event.pk, question_id=question.pk, up=True)
        # A vote is stamped by the database's clock, not Django's: stop it too.
        Vote.objects.filter(participant=who, question=question).update(created_at=timezone.now())

    clock.at(10, 8)
    for question in (pays, trials, payers):
        moderate(question, "approve")
    clock.at(10, 11)
    vote(ben, pays)
    vote(cleo, pays)
    vote(ana, payers)
    vote(cleo, payers)
    vote(eve, trials)
    clock.at(10, 12)
    qa.question_merge(event_id=event.pk, question_id=payers.pk, into_id=pays.pk, actor="moderator")
    moderate(football, "reject", reason="off_topic")
    qa.question_edit(
        event_id=event.pk, question_id=trials.pk, text="Are there enough trial sites in Wallonia?", actor="moderator"
    )
    clock.at(10, 25)
    moderate(trials, "answer")
    qa.question_answer_in_writing(
        event_id=event.pk,
        question_id=pays.pk,
        text="The payers, over five years.",
        role="speaker",
        actor="speaker link",
    )
    qa.recount_votes(event_id=event.pk)

    def poll(kind, prompt, **extra):
        return polls.poll_create(
            event_id=event.pk, actor="moderator", kind=kind, prompt=prompt, session_id=roundtable.pk, **extra
        )

    def answer(who, poll, **data):
        polls.poll_respond(participant_id=who.pk, event_id=event.pk, poll_id=poll.pk, **data)

    clock.at(10, 5)
    event.languages = ["en", "fr"]
    event.save(update_fields=["languages"])
    before = poll("stance", "Belgium can be the hub.", phase="before", translations={"fr": FRENCH_STANCE})
    after = poll("stance", "Belgium can be the hub.", phase="after", stance_pair_id=before.pk)
    cloud = poll("wordcloud", "One word for the price?")
    polls.poll_open(event_id=event.pk, poll_id=before.pk, actor="moderator")
    agree, undecided, disagree = before.options.all()
    answer(ana, before, options=[agree.pk])
    answer(ben, before, options=[agree.pk])
    answer(cleo, before, options=[disagree.pk])
    answer(dan, before, options=[undecided.pk])  # leaves before the end
    clock.at(10, 15)
    polls.poll_close(event_id=event.pk, poll_id=before.pk, actor="moderator")

    clock.at(10, 30)
    polls.poll_open(event_id=event.pk, poll_id=after.pk, actor="moderator")
    polls.poll_open(event_id=event.pk, poll_id=cloud.pk, actor="moderator")
    agree, undecided, disagree = after.options.all()
    answer(ana, after, options=[disagree.pk])
    answer(ben, after, options=[agree.pk])
    answer(cleo, after, options=[disagree.pk])
    answer(eve, after, options=[agree.pk])  # came late
    answer(ana, cloud, text="Price, access")
    answer(ben, cloud, text="price")
    answer(eve, cloud, text="Access!")
    clock.at(10, 34)
    polls.poll_close(event_id=event.pk, poll_id=after.pk, actor="moderator")
    polls.poll_close(event_id=event.pk, poll_id=cloud.pk, actor="moderator")
    # The attendance housekeeping sampled (the most at once per 5 minutes counts).
    for hour, minute, room, online in ((10, 1, 3, 2), (10, 3, 4, 1), (10, 12, 2, 2)):
        clock.at(hour, minute)
        presence_record(minute=timezone.now(), totals={event.pk: {"room": room, "online": online}})
    return {
        "people": [ana, ben, cleo, dan, eve],
        "questions": {"pays": pays, "trials": trials, "payers": payers, "football": football},
        "polls": {"before": before, "after": after, "cloud": cloud},
    }
