"""Reads of an event's data for its exports: one sheet per kind of row, each a header and rows.

Built on the other apps (this app imports them; none imports it). Every sheet streams: rows come
from `.iterator()` or from counts the database groups, so a 50,000-question event is never held
at once. No sheet names a participant: authors only by the name they chose to show, never an id.
"""

import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, F, Min, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from audit.models import ModerationAction
from livehub.realtime.models import PresenceSample
from polls.models import Poll, Response
from polls.selectors import poll_results
from qa.models import Question, Vote
from sessions.models import Event, Participant, Session

BUCKET = timedelta(minutes=5)
NO_ANSWER = "(no answer)"
Row = tuple[Any, ...]


@dataclass(frozen=True)
class Scope:
    """What is exported: an event, or one of its sessions."""

    event: Event
    session: Session | None = None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.event.timezone)


@dataclass(frozen=True)
class Sheet:
    name: str
    columns: tuple[str, ...]
    rows: Callable[[Scope], Iterator[Row]]
    # Columns holding times: aware datetimes in UTC, shown in the event's zone by each format.
    times: frozenset[str] = frozenset()


def local(moment: datetime | None, zone: ZoneInfo) -> datetime | None:
    """A time in the event's zone, without tzinfo (what a spreadsheet cell holds)."""
    return moment.astimezone(zone).replace(tzinfo=None) if moment else None


def _questions(scope: Scope) -> QuerySet[Question]:
    questions = Question.objects.filter(event=scope.event)
    return questions.filter(session=scope.session) if scope.session else questions


def _polls(scope: Scope) -> QuerySet[Poll]:
    polls = Poll.objects.filter(event=scope.event)
    return polls.filter(session=scope.session) if scope.session else polls


# The questions' fields in the sheet's order.
QUESTION_FIELDS = (
    "id", "session_title", "room", "text", "original_text", "author_name", "asker_mode", "state", "vote_count",
    "highlighted", "created_at", "approved_at", "answered_at", "merged_into_id", "flagged_words", "rejection_reason",
    "answer_text",
)  # fmt: skip


def question_rows(scope: Scope) -> Iterator[Row]:
    first_approval = (
        ModerationAction.objects.filter(question=OuterRef("pk"), action="approve")
        .order_by()
        .values("question")
        .annotate(first=Min("created_at"))
        .values("first")
    )
    questions = (
        _questions(scope)
        .annotate(
            session_title=F("session__title"),
            room=Coalesce(F("session__room__name"), Value("")),
            asker_mode=F("author__mode"),
            approved_at=Subquery(first_approval),
        )
        .order_by("created_at", "id")
        .values_list(*QUESTION_FIELDS)
    )
    public = set(Question.PUBLIC_STATES)
    for row in questions.iterator(chunk_size=2000):
        question = dict(zip(QUESTION_FIELDS, row, strict=True))
        if question["approved_at"] is None and question["state"] in public:
            question["approved_at"] = question["created_at"]  # auto-published: no moderator approved it
        question["asker_mode"] = question["asker_mode"] or ""  # the author is gone (anonymised)
        question["flagged_words"] = ", ".join(question["flagged_words"])
        question["answer_text"] = question["answer_text"] or None  # an empty cell: none written
        yield tuple(question.values())


POLL_COLUMNS = (
    "id", "session", "kind", "phase", "prompt", "state", "opened_at", "closed_at", "answers", "answers_room",
    "answers_online", "translations",
)  # fmt: skip


def poll_rows(scope: Scope) -> Iterator[Row]:
    polls = (
        _polls(scope)
        .annotate(
            session_title=F("session__title"),
            answers=Count("responses"),
            answers_room=Count("responses", filter=Q(responses__mode=Participant.Mode.ROOM)),
            answers_online=Count("responses", filter=Q(responses__mode=Participant.Mode.ONLINE)),
        )
        .order_by("id")
        .values_list("id", "session_title", *POLL_COLUMNS[2:])
    )
    others = scope.event.languages[1:]
    for id_, session, kind, phase, *rest, translations in polls.iterator(chunk_size=500):
        # The prompt stays the original; its translations (the event's languages now) as JSON.
        kept = {language: text for language, text in translations.items() if language in others}
        yield (id_, session or "", kind, phase or "none", *rest, json.dumps(kept, ensure_ascii=False) if kept else None)


def _percent(count: int, total: int) -> float:
    return round(100 * count / total, 1) if total else 0.0


def _split(counts: dict[str, dict[str, Any]], key: str) -> tuple[int, int]:
    return tuple(counts.get(mode, {}).get("counts", {}).get(key, 0) for mode in ("room", "online"))


def poll_result_rows(scope: Scope) -> Iterator[Row]:
    """One row per option, rating value, word or open answer, with the room / online split; the
    percent is of the poll's answers (a word's: of the answers using it)."""
    for poll in _polls(scope).prefetch_related("options").order_by("id").iterator(chunk_size=100):
        if poll.kind == Poll.Kind.TEXT:
            # Answers a moderator hid stay out, as they stayed off every screen.
            answers = Response.objects.filter(poll=poll).exclude(review=Response.Review.REJECTED)
            total = Response.objects.filter(poll=poll).count()
            for text, mode in answers.order_by("id").values_list("text", "mode").iterator(chunk_size=2000):
                room = int(mode == Participant.Mode.ROOM)
                yield (poll.pk, text, 1, room, 1 - room, _percent(1, total))
            continue
        if poll.kind == Poll.Kind.WORDCLOUD:
            yield from _word_rows(poll)
            continue
        result = poll_results(poll, for_moderators=True)
        total, split = result["total"], result["split"]
        if poll.kind == Poll.Kind.RATING:
            keys = [(str(value), value) for value in range(1, (poll.scale or 5) + 1)]
        else:
            keys = [(str(option.pk), option.label) for option in poll.options.all()]
        for key, label in keys:
            count = result["counts"].get(key, 0)
            yield (poll.pk, label, count, *_split(split, key), _percent(count, total))


def _word_rows(poll: Poll) -> Iterator[Row]:
    counts: dict[str, Counter[str]] = {"room": Counter(), "online": Counter()}
    total = 0
    grouped = Response.objects.filter(poll=poll).order_by().values("mode", "words").annotate(n=Count("id"))
    for row in grouped.iterator(chunk_size=2000):
        total += row["n"]
        for word in row["words"]:
            counts.setdefault(row["mode"], Counter())[word] += row["n"]
    every = counts["room"] + counts["online"]
    for word, count in sorted(every.items(), key=lambda item: (-item[1], item[0])):
        yield (poll.pk, word, count, counts["room"][word], counts["online"][word], _percent(count, total))


def stance_pairs(scope: Scope) -> Iterator[tuple[Poll, Poll]]:
    """Each debate's (before, after) stance polls."""
    afters = _polls(scope).filter(kind=Poll.Kind.STANCE, phase=Poll.Phase.AFTER).order_by("id")
    for after in afters.select_related("stance_pair").prefetch_related("options"):
        before = after.stance_pair or Poll.objects.filter(stance_pair=after).first()
        if before is not None:
            yield before, after


def _stances(poll: Poll) -> dict[Any, int]:
    """Each participant's stance (an option id) on one poll; the ids never leave this function's caller."""
    answers = Response.objects.filter(poll=poll).values_list("participant_id", "options")
    return {participant: options[0] for participant, options in answers.iterator(chunk_size=5000) if options}


def swing_rows(scope: Scope) -> Iterator[Row]:
    """Every move from a stance before the debate to one after it (positions paired as the polls'
    options are), then those who answered only before or only after."""
    for before, after in stance_pairs(scope):
        labels_before = {option.pk: option.label for option in before.options.all()}
        labels_after = {option.pk: option.label for option in after.options.all()}
        was, now = _stances(before), _stances(after)
        moves = Counter((was[who], now[who]) for who in was.keys() & now.keys())
        for from_id, from_label in labels_before.items():
            for to_id, to_label in labels_after.items():
                yield (before.pk, after.pk, from_label, to_label, moves[(from_id, to_id)])
        only_before = Counter(was[who] for who in was.keys() - now.keys())
        only_after = Counter(now[who] for who in now.keys() - was.keys())
        for from_id, from_label in labels_before.items():
            yield (before.pk, after.pk, from_label, NO_ANSWER, only_before[from_id])
        for to_id, to_label in labels_after.items():
            yield (before.pk, after.pk, NO_ANSWER, to_label, only_after[to_id])


def _bucket(moment: datetime, zone: ZoneInfo) -> datetime:
    """The start of the 5 minutes `moment` falls in, in the event's zone."""
    moment = moment.astimezone(zone)
    return moment.replace(minute=moment.minute - moment.minute % 5, second=0, microsecond=0)


@dataclass(frozen=True)
class Participation:
    """Five minutes of the day: who joined (in the room, online) and what they did."""

    time: datetime
    joined_room: int
    joined_online: int
    questions: int
    votes: int
    answers: int
    # The most connected at once in these 5 minutes (sampled each minute); None: no sample.
    connected_room: int | None = None
    connected_online: int | None = None


def participation(scope: Scope) -> Iterator[Participation]:
    """Per 5 minutes, from the first to the last with anything: joins by mode, questions, votes,
    poll answers (first answers), and the most connected at once (the minute's attendance samples)."""
    zone = scope.zone
    joined = Participant.objects.filter(event=scope.event)
    samples = PresenceSample.objects.filter(event=scope.event)
    if scope.session:
        session = scope.session
        start = session.started_at or session.starts_at
        end = session.ended_at or session.ends_at
        joined = joined.filter(created_at__gte=start, created_at__lt=max(start, end))
        samples = samples.filter(minute__gte=start, minute__lt=max(start, end))
    votes = Vote.objects.filter(question__in=_questions(scope))
    answers = Response.objects.filter(poll__in=_polls(scope))
    columns = {
        "joined_room": joined.filter(mode=Participant.Mode.ROOM),
        "joined_online": joined.exclude(mode=Participant.Mode.ROOM),
        "questions": _questions(scope),
        "votes": votes,
        "answers": answers,
    }
    counts: dict[str, Counter[datetime]] = {}
    for name, rows in columns.items():
        times = rows.order_by().values_list("created_at", flat=True).iterator(chunk_size=5000)
        counts[name] = Counter(_bucket(moment, zone) for moment in times)
    connected: dict[datetime, tuple[int, int]] = {}
    for minute, room, online in samples.order_by().values_list("minute", "room", "online").iterator(chunk_size=5000):
        bucket = _bucket(minute, zone)
        most_room, most_online = connected.get(bucket, (0, 0))
        connected[bucket] = (max(most_room, room), max(most_online, online))
    every = set(connected).union(*counts.values())
    if not every:
        return
    bucket, last = min(every), max(every)
    while bucket <= last:
        yield Participation(bucket, *(counts[name][bucket] for name in columns), *connected.get(bucket, (None, None)))
        # Step in absolute time: a change of summer time must not repeat or skip an hour.
        bucket = (bucket.astimezone(ZoneInfo("UTC")) + BUCKET).astimezone(zone)


def participation_rows(scope: Scope) -> Iterator[Row]:
    """The participation sheet: connected_room and connected_online are empty where nothing was sampled."""
    for five in participation(scope):
        joined = five.joined_room + five.joined_online
        yield (five.time, joined, five.connected_room, five.connected_online, five.questions, five.votes, five.answers)


def moderation_rows(scope: Scope) -> Iterator[Row]:
    entries = ModerationAction.objects.filter(event=scope.event)
    if scope.session:
        polls = list(_polls(scope).values_list("pk", flat=True))
        entries = entries.filter(Q(question__session=scope.session) | Q(detail__poll__in=polls))
    rows = entries.order_by("created_at", "id").values_list("created_at", "actor", "action", "question_id", "detail")
    for moment, actor, action, question, detail in rows.iterator(chunk_size=2000):
        yield (moment, actor, action, _target(question, detail))


def _target(question: int | None, detail: dict[str, Any]) -> str:
    if question is not None:
        return f"question {question}"
    if isinstance(detail.get("poll"), int):
        return f"poll {detail['poll']}"
    if isinstance(detail.get("session"), int):
        return f"session {detail['session']}"
    return "event"


SHEETS: tuple[Sheet, ...] = (
    Sheet(
        "questions",
        (
            "id",
            "session",
            "room",
            "text",
            "original_text",
            "author",
            "asker_mode",
            "state",
            "votes",
            "highlighted",
            "asked_at",
            "approved_at",
            "answered_at",
            "merged_into",
            "flagged_words",
            "rejection_reason",
            "written_answer",
        ),
        question_rows,
        frozenset({"asked_at", "approved_at", "answered_at"}),
    ),
    Sheet(
        "polls",
        POLL_COLUMNS,
        poll_rows,
        frozenset({"opened_at", "closed_at"}),
    ),
    Sheet("poll_results", ("poll", "option", "count", "count_room", "count_online", "percent"), poll_result_rows),
    Sheet("swing", ("before_poll", "after_poll", "from_option", "to_option", "count"), swing_rows),
    Sheet(
        "participation",
        ("time", "joined", "connected_room", "connected_online", "questions", "votes", "answers"),
        participation_rows,
        frozenset({"time"}),
    ),
    Sheet("moderation_log", ("time", "who", "action", "target"), moderation_rows, frozenset({"time"})),
)
