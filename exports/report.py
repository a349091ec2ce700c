"""The post-event report's figures, read through the exports' own sheets (never computed twice).

One pass over each sheet: the questions stream by, each session keeping its few top questions,
so a 50,000-question event is not held at once. Times are in the event's zone.
"""

import heapq
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from django.db.models import F, Value
from django.db.models.functions import Coalesce

from polls.models import Poll
from qa.models import Question
from sessions.models import Session

from .selectors import (
    NO_ANSWER,
    POLL_COLUMNS,
    QUESTION_FIELDS,
    Scope,
    moderation_rows,
    participation,
    poll_result_rows,
    poll_rows,
    question_rows,
    swing_rows,
)

TOP_QUESTIONS = 5
# A poll's rows the report prints (a word cloud's most used words, an open poll's first answers).
RESULT_ROWS = 20
PUBLIC = frozenset(Question.PUBLIC_STATES)


@dataclass
class _SessionFigures:
    title: str
    room: str
    questions: int = 0
    votes: int = 0
    published: int = 0
    rejected: int = 0
    # (votes, -order, question) of the best public questions; a heap of at most TOP_QUESTIONS.
    top: list[tuple[int, int, dict[str, Any]]] = field(default_factory=list)


def event_report(scope: Scope) -> dict[str, Any]:
    """Everything the report shows, JSON-ready: the charts draw it and the tables print it."""
    sessions, moderation = _questions(scope)
    polls = _polls(scope)
    return {
        "participation": _participation(scope),
        "sessions": sessions,
        "polls": polls,
        "swings": _swings(scope, {poll["id"]: poll for poll in polls}),
        "moderation": moderation,
    }


def _participation(scope: Scope) -> list[dict[str, Any]]:
    fives = list(participation(scope))  # a day is a few hundred rows
    midnight = fives[0].time.replace(hour=0, minute=0) if fives else None
    return [
        {
            "time": five.time.strftime("%H:%M"),
            # Minutes since the first day's midnight: the charts' axis, over several days too.
            "minute": int((five.time - midnight).total_seconds() // 60),
            "room": five.joined_room,
            "online": five.joined_online,
            "questions": five.questions,
            "votes": five.votes,
            "answers": five.answers,
            "connected_room": five.connected_room,
            "connected_online": five.connected_online,
        }
        for five in fives
    ]


def _session_order(scope: Scope) -> list[tuple[str, str]]:
    sessions = Session.objects.filter(event=scope.event).exclude(kind="break")
    if scope.session:
        sessions = sessions.filter(pk=scope.session.pk)
    # The room's name, as the questions sheet gives it ("" without a room).
    named = sessions.annotate(room_name=Coalesce(F("room__name"), Value("")))
    return list(named.order_by("starts_at", "id").values_list("title", "room_name"))


def _questions(scope: Scope) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Per session (its title and room, as the questions sheet names it): questions, votes and the
    top questions; and the moderation figures of them all."""
    figures: dict[tuple[str, str], _SessionFigures] = {key: _SessionFigures(*key) for key in _session_order(scope)}
    waits: list[float] = []
    for order, row in enumerate(question_rows(scope)):
        question = dict(zip(QUESTION_FIELDS, row, strict=False))
        key = (question["session_title"], question["room"])
        session = figures.setdefault(key, _SessionFigures(*key))
        session.questions += 1
        session.votes += question["vote_count"]
        session.rejected += question["state"] == Question.State.REJECTED
        if question["approved_at"] is not None:
            session.published += 1
            wait = (question["approved_at"] - question["created_at"]).total_seconds()
            # Auto-published questions carry their asking time as approval: no moderator waited.
            if wait > 0:
                waits.append(wait)
        if question["state"] in PUBLIC:
            entry = (question["vote_count"], -order, _top_question(question))
            if len(session.top) < TOP_QUESTIONS:
                heapq.heappush(session.top, entry)
            else:
                heapq.heappushpop(session.top, entry)
    sessions = [
        {
            "title": session.title,
            "room": session.room,
            "questions": session.questions,
            "votes": session.votes,
            "top": [question for *_, question in sorted(session.top, key=lambda entry: entry[:2], reverse=True)],
        }
        for session in figures.values()
    ]
    # The questions' moderation (not the polls', the timer's or the exports' entries).
    actions = Counter(action for _, _, action, target in moderation_rows(scope) if target.startswith("question "))
    moderation = {
        "published": sum(session.published for session in figures.values()),
        "rejected": sum(session.rejected for session in figures.values()),
        "approvals": actions["approve"],
        "rejections": actions["reject"],
        "median_wait_seconds": round(statistics.median(waits)) if waits else None,
        "moderated": len(waits),
        "actions": dict(sorted(actions.items())),
    }
    return sessions, moderation


def _top_question(question: dict[str, Any]) -> dict[str, Any]:
    return {
        "text": question["text"],
        "votes": question["vote_count"],
        "author": question["author_name"],  # "" when asked anonymously or the event was anonymised
        "answered": question["state"] == Question.State.ANSWERED,
    }


def _polls(scope: Scope) -> list[dict[str, Any]]:
    results = {poll: list(rows) for poll, rows in groupby(poll_result_rows(scope), key=lambda row: row[0])}
    polls = []
    for row in poll_rows(scope):
        poll = dict(zip(("id", "session_title", *POLL_COLUMNS[2:]), row, strict=True))
        rows = results.get(poll["id"], [])
        polls.append(
            {
                "id": poll["id"],
                "session": poll["session_title"],
                "kind": poll["kind"],
                "phase": poll["phase"],
                "kind_label": str(Poll.Kind(poll["kind"]).label),
                "phase_label": str(Poll.Phase(poll["phase"]).label) if poll["phase"] in Poll.Phase.values else "",
                "prompt": poll["prompt"],
                "answers": poll["answers"],
                "answers_room": poll["answers_room"],
                "answers_online": poll["answers_online"],
                "results": [
                    {"option": str(option), "count": count, "room": room, "online": online, "percent": percent}
                    for _, option, count, room, online, percent in rows[:RESULT_ROWS]
                ],
                "more": max(0, len(rows) - RESULT_ROWS),
            }
        )
    return polls


def _swings(scope: Scope, polls: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    """Each debate's moves from a stance before to one after, and each position's count before and after."""
    swings = []
    pairs: Iterator[tuple[tuple[int, int], Iterator[tuple]]] = groupby(swing_rows(scope), key=lambda row: row[:2])
    for (before, after), rows in pairs:
        moves: list[dict[str, Any]] = []
        only: dict[str, int] = defaultdict(int)
        for _, _, from_option, to_option, count in rows:
            if NO_ANSWER in (from_option, to_option):
                only["before" if to_option == NO_ANSWER else "after"] += count
            moves.append({"from": from_option, "to": to_option, "count": count})
        counts_after = {result["option"]: result["count"] for result in polls[after]["results"]}
        swings.append(
            {
                "prompt": polls[before]["prompt"],
                "session": polls[before]["session"],
                "positions": [
                    {
                        "option": result["option"],
                        "before": result["count"],
                        "after": counts_after.get(result["option"], 0),
                    }
                    for result in polls[before]["results"]
                ],
                "moves": moves,
                "answered_both": sum(move["count"] for move in moves if NO_ANSWER not in (move["from"], move["to"])),
                "only_before": only["before"],
                "only_after": only["after"],
            }
        )
    return swings
