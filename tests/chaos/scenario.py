"""The audience of a congress hall at work while processes fail: shared by the chaos tests."""

import asyncio
import random
import time
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count

from livehub.realtime.models import CommandReceipt
from polls.models import Response
from qa.models import Question, Vote
from sessions.services import participant_join

from .client import Client


@dataclass
class Outcome:
    """What the clients were told, to hold the database to."""

    asked: dict[str, int] = field(default_factory=dict)  # text -> question id
    voted: dict[str, set[int]] = field(default_factory=dict)  # participant -> questions
    answered: dict[str, list[int]] = field(default_factory=dict)  # participant -> final options
    acknowledged: int = 0
    refused: Counter = field(default_factory=Counter)
    last_ack: float = 0.0


def audience(event, count: int, urls: list[str]) -> list[Client]:
    """Participants half in the room, half online, spread over the processes."""
    clients = []
    for number in range(count):
        participant, token = participant_join(event=event, name=None, mode="room" if number % 2 else "online")
        client = Client(urls=urls, token=token, start=number)
        client.participant = str(participant.pk)
        clients.append(client)
    return clients


async def behave(client: Client, *, stage: "Stage", number: int, outcome: Outcome, seconds: float) -> None:
    """Ask (one in three), vote for up to five others' questions, answer the poll, change the answer."""
    rng = random.Random(number)
    options = stage.options
    try:
        await asyncio.wait_for(client.ready.wait(), 90)
    except TimeoutError:
        raise AssertionError(f"{client.name} never caught up: {client.stats}") from None
    plan = ["vote"] * 5 + ["answer", "answer"] + (["ask"] if number % 3 == 0 else [])
    rng.shuffle(plan)
    if "ask" in plan:  # questions early, so there is something to vote for
        plan.remove("ask")
        plan.insert(0, "ask")
    for action in plan:
        await asyncio.sleep(rng.uniform(0, seconds / len(plan)))
        if action == "ask":
            text = f"Question {number}: who pays for gene therapy in year {number}?"
            reply = await client.command("question.ask", {"session": stage.session, "text": text})
            if reply["type"] == "ok":
                outcome.asked[text] = reply["data"]["question"]
        elif action == "vote":
            held = [q for q in (client.state or {}).get("questions", []) if not q.get("mine") and not q.get("voted")]
            if not held:
                continue
            question = rng.choice(held)["id"]
            reply = await client.command("question.vote", {"question": question, "up": True})
            if reply["type"] == "ok" and reply["data"]["voted"]:
                outcome.voted.setdefault(client.participant, set()).add(question)
        else:
            choice = [rng.choice(options)]
            reply = await client.command("poll.respond", {"poll": stage.poll, "options": choice})
            if reply["type"] == "ok":
                outcome.answered[client.participant] = choice
        if reply["type"] == "ok":
            outcome.acknowledged += 1
            outcome.last_ack = time.monotonic()
        else:
            outcome.refused[reply["error"]["code"]] += 1


def check_database(event, clients: list[Client], outcome: Outcome) -> dict[str, int]:
    """Every acknowledged action is stored exactly once; nothing else is."""
    questions = list(Question.objects.filter(session__event=event).values_list("text", "pk"))
    assert dict(questions) == outcome.asked, "asked questions: stored exactly once each"
    assert len(questions) == len(outcome.asked)
    stored_votes: dict[str, set[int]] = {}
    for participant, question in Vote.objects.filter(question__session__event=event).values_list(
        "participant_id", "question_id"
    ):
        stored_votes.setdefault(str(participant), set()).add(question)
    assert stored_votes == outcome.voted, "votes: exactly the acknowledged ones"
    for question in Question.objects.filter(session__event=event):
        assert question.vote_count == Vote.objects.filter(question=question).count(), "vote totals exact"
    responses = {
        str(participant): options
        for participant, options in Response.objects.filter(poll__event=event).values_list("participant_id", "options")
    }
    assert responses == outcome.answered, "poll answers: one each, the last acknowledged"
    receipts = CommandReceipt.objects.filter(actor__in=[f"p:{client.participant}" for client in clients]).count()
    return {"questions": len(questions), "votes": sum(map(len, stored_votes.values())), "receipts": receipts}


def _unflushed_totals(event) -> list[tuple[int, int, int]]:
    questions = Question.objects.filter(session__event=event).annotate(counted=Count("votes"))
    return [(q.pk, q.vote_count, q.counted) for q in questions if q.vote_count != q.counted]


async def totals_settled(event, *, within: float = 60.0) -> float:
    """Seconds until the stored vote totals are the votes. They are flushed a third of a second
    after a vote (healed by the sweep some seconds later if a process died with the flush), and
    fresh snapshots read them: only then is a fresh snapshot the truth clients must reach."""
    started = time.monotonic()
    while True:
        behind = await asyncio.to_thread(_unflushed_totals, event)
        if not behind:
            return time.monotonic() - started
        assert time.monotonic() - started < within, f"vote totals never flushed: {behind}"
        await asyncio.sleep(0.1)


@dataclass
class Stage:
    session: int
    poll: int
    options: list[int]


def prepare(event) -> Stage:
    """The roundtable is live and its poll open, results shown (so they stream to everyone)."""
    from polls.services import poll_create, poll_open, poll_set_results_visible
    from sessions.services import session_set_status

    session = event.sessions.get(kind="roundtable")
    session_set_status(event_id=event.pk, session_id=session.pk, status="live")
    poll = poll_create(
        event_id=event.pk,
        actor="Mo",
        kind="single",
        prompt="Who should pay?",
        session_id=session.pk,
        options=["Insurers", "Industry", "Europe"],
    )
    poll_open(event_id=event.pk, poll_id=poll.pk, actor="Mo")
    poll_set_results_visible(event_id=event.pk, poll_id=poll.pk, visible=True, actor="Mo")
    return Stage(session=session.pk, poll=poll.pk, options=list(poll.options.values_list("pk", flat=True)))


async def run_with_faults(clients: list[Client], *, stage: Stage, faults, seconds: float, outcome: Outcome) -> float:
    """The audience behaves for `seconds` while `faults` (a coroutine function) runs; returns
    what `faults` returns (when the last fault ended)."""
    for client in clients:
        client.start()
    work = [
        behave(client, stage=stage, number=number, outcome=outcome, seconds=seconds)
        for number, client in enumerate(clients)
    ]
    results = await asyncio.gather(faults(), *work)
    return results[0]
