"""A congress in full swing for the hostile tests: questions, votes, polls, receipts, a second event."""

import asyncio
import secrets
import threading
import time
from collections.abc import Iterator
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.utils import timezone

from audit.models import ModerationAction
from livehub.realtime import dispatch
from livehub.realtime.hub import stop_hub
from livehub.realtime.models import CommandReceipt
from livehub.realtime.registry import CommandContext
from polls import services as polls
from polls.models import Option, Poll, Response
from qa import services as qa
from qa.models import Question, Vote
from sessions.demo import seed_demo
from sessions.models import Event, EventRole, Participant, Session, Speaker
from sessions.rolelinks import role_key_make
from sessions.services import participant_join
from staff.models import RoleLink
from staff.services import role_links_revoke

# Every table the audience or the staff can change through the socket.
WATCHED = (
    Event,
    Session,
    Speaker,
    EventRole,
    Participant,
    Question,
    Vote,
    ModerationAction,
    Poll,
    Option,
    Response,
    RoleLink,
)


def db_state() -> dict[str, list[tuple]]:
    """Every row of every watched table (receipts too): equal before and after means nothing changed."""
    state = {model._meta.label: sorted(map(repr, model.objects.values_list())) for model in WATCHED}
    state["receipts"] = sorted(CommandReceipt.objects.values_list("actor", "ref", "type"))
    return state


def _context(event: Event, participant: Participant | None = None, role: str = "attendee") -> CommandContext:
    if participant is not None:
        return CommandContext(
            event_id=event.pk,
            event_code=event.code,
            role=role,
            actor=f"p:{participant.pk}",
            participant_id=participant.pk,
        )
    return CommandContext(event_id=event.pk, event_code=event.code, role=role, actor=f"k:{event.pk}:{role}:seed")


def revoked_link_key(event: Event) -> str:
    """A moderator link the organisers revoked on its own (the event's other links stay valid)."""
    key = role_key_make(event=event, role="moderator", hours=1)
    role_links_revoke(links=RoleLink.objects.filter(pk=RoleLink.objects.latest("id").pk))
    return key


def build_world() -> SimpleNamespace:
    """Ids a hostile client would aim at, and the refs other senders already used."""
    # Pub/sub channels are shared by every database of a Redis server: an event id of its own
    # keeps other test runs on this machine's Redis from delivering into these sockets.
    Event.objects.create(
        pk=700_000 + secrets.randbelow(100_000), code="SFH2022", name="-", starts_on=date.today(), ends_on=date.today()
    )
    event = seed_demo()
    roundtable = event.sessions.get(kind="roundtable")

    def join(name: str | None = None, mode: str = "online") -> Participant:
        participant, token = participant_join(event=event, name=name, mode=mode)
        participant.token = token
        return participant

    def ask(participant: Participant, text: str) -> Question:
        return qa.question_ask(
            participant_id=participant.pk, event_id=event.pk, session_id=roundtable.pk, text=text, anonymous=True
        )

    def approved(participant: Participant, text: str) -> Question:
        question = ask(participant, text)
        return qa.question_moderate(
            event_id=event.pk, question_id=question.pk, action="approve", actor="moderator", role="moderator"
        )

    another_event = Event.objects.create(
        code="OTHER1", name="Other congress", starts_on=date(2023, 1, 1), ends_on=date(2023, 1, 1)
    )
    attendee = join()
    ben, cleo = join("Ben", "room"), join("Cleo")
    public = approved(cleo, text="Who pays for one-shot gene therapies?")
    pending = ask(ben, text="Is Belgium's biotech cluster big enough?")
    dispatch.execute(
        _context(event, ben), type="question.vote", ref="ben-vote", data={"question": public.pk, "up": True}
    )
    dispatch.execute(
        _context(event, ben),
        type="question.ask",
        ref="ben-ask",
        data={"session": roundtable.pk, "text": "What about rare diseases?"},
    )
    dispatch.execute(
        _context(event, role="moderator"),
        type="question.moderate",
        ref="mod-approve",
        data={"question": pending.pk, "action": "reject"},
    )
    ended = event.sessions.exclude(pk=roundtable.pk).first()
    ended.status = Session.Status.ENDED
    ended.save(update_fields=["status"])
    poll = polls.poll_create(
        event_id=event.pk,
        actor="Mo",
        kind="single",
        prompt="Who should pay?",
        session_id=roundtable.pk,
        options=["Insurers", "Industry", "Europe"],
    )
    polls.poll_open(event_id=event.pk, poll_id=poll.pk, actor="Mo")
    text_poll = polls.poll_create(
        event_id=event.pk, actor="Mo", kind="text", prompt="Your one wish?", session_id=roundtable.pk
    )
    polls.poll_open(event_id=event.pk, poll_id=text_poll.pk, actor="Mo")
    answer = polls.poll_respond(
        participant_id=ben.pk, event_id=event.pk, poll_id=text_poll.pk, text="Cheaper therapies"
    )

    # Another congress on the same platform, with its own audience.
    start = timezone.now() + timedelta(days=30)
    other_session = Session.objects.create(
        event=another_event, title="Elsewhere", starts_at=start, ends_at=start + timedelta(hours=1)
    )
    zoe, zoe_token = participant_join(event=another_event, name="Zoe", mode="online")
    other_question = qa.question_ask(
        participant_id=zoe.pk, event_id=another_event.pk, session_id=other_session.pk, text="Elsewhere?", anonymous=True
    )
    other_poll = polls.poll_create(
        event_id=another_event.pk,
        actor="Mo",
        kind="single",
        prompt="Elsewhere?",
        session_id=other_session.pk,
        options=["Yes", "No"],
    )
    polls.poll_open(event_id=another_event.pk, poll_id=other_poll.pk, actor="Mo")
    time.sleep(0.6)  # let the coalesced vote and poll totals of the set-up go out before sockets open
    return SimpleNamespace(
        event=event,
        session=roundtable.pk,
        ended_session=ended.pk,
        attendee=attendee,
        ben=ben,
        public=public.pk,
        pending=pending.pk,
        poll=poll.pk,
        option=poll.options.first().pk,
        text_poll=text_poll.pk,
        answer=answer.pk,
        other_event=another_event,
        other_session=other_session.pk,
        other_question=other_question.pk,
        other_poll=other_poll.pk,
        other_option=other_poll.options.first().pk,
        zoe_token=zoe_token,
        moderator_key=role_key_make(event=event, role="moderator", hours=1),
        speaker_key=role_key_make(event=event, role="speaker", hours=1),
        screen_key=role_key_make(event=event, role="screen", hours=1),
        other_moderator_key=role_key_make(event=another_event, role="moderator", hours=1),
        revoked_moderator_key=revoked_link_key(event),
        today=date.today(),
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once per module: hostile frames change nothing, so every case can aim at the same congress
    (and each case checks that it indeed changed nothing). Committed, so the sockets' threads see it;
    emptied afterwards like a transactional test. Tests using it take a plain `django_db` mark, which
    makes pytest-django create the test database."""
    with django_db_blocker.unblock():
        yield build_world()
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    """One event loop in a thread for all of a fuzz test's examples, so its sockets stay open across them."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield loop
    asyncio.run_coroutine_threadsafe(stop_hub(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)
    loop.close()
