"""Reads of the polls: payloads, exact results with the room / online split, the stance swing."""

import copy
import json
import threading
from collections import Counter, OrderedDict
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.utils.translation import gettext as _

from livehub.errors import NotFound
from livehub.realtime.protocol import MODERATOR
from livehub.realtime.registry import CommandContext
from livehub.realtime.snapshot import SharedPart, shared_contributor
from sessions.models import Event
from sessions.selectors import local_iso

from .models import Poll, Response

TOP_WORDS = 50
MODES = ("room", "online")


def poll_get(*, event_id: int, poll_id: int, for_update: bool = False) -> Poll:
    polls = Poll.objects.filter(event_id=event_id, pk=poll_id).select_related("event")
    poll = (polls.select_for_update(of=("self",)) if for_update else polls).first()
    if poll is None:
        raise NotFound(_("There is no poll %(id)s in this event.") % {"id": poll_id})
    return poll


def grace_until(poll: Poll):
    """Until when online participants may still answer a closed poll (the livestream's delay)."""
    if poll.state != Poll.State.CLOSED or poll.closed_at is None:
        return None
    from datetime import timedelta

    return poll.closed_at + timedelta(seconds=poll.event.stream_delay)


def poll_payload(poll: Poll) -> dict[str, Any]:
    timezone = poll.event.timezone
    return {
        "id": poll.pk,
        "session": poll.session_id,
        "kind": poll.kind,
        "prompt": poll.prompt,
        "options": [{"id": option.pk, "label": option.label} for option in poll.options.all()],
        "translations": poll_translations(poll),
        "state": poll.state,
        "results_visible": poll.results_visible,
        "on_screen": poll.on_screen,
        "max_choices": poll.max_choices,
        "scale": poll.scale,
        "stance_pair": poll.stance_pair_id or _paired_with(poll),
        "phase": poll.phase or None,
        "opened_at": local_iso(poll.opened_at, timezone),
        "closed_at": local_iso(poll.closed_at, timezone),
        "grace_until": local_iso(grace_until(poll), timezone),
        "auto_open": poll.auto_open,
        "order": poll.order,
    }


def poll_translations(poll: Poll) -> dict[str, dict[str, Any]]:
    """The stored translations into languages the event still has after its first."""
    others = poll.event.languages[1:]
    return {language: text for language, text in (poll.translations or {}).items() if language in others}


def _paired_with(poll: Poll) -> int | None:
    if poll.kind != Poll.Kind.STANCE:
        return None
    return Poll.objects.filter(stance_pair=poll).values_list("pk", flat=True).first()


def _tally(rows: list[dict[str, Any]], keys_of) -> dict[str, Any]:
    """Counts overall and per mode; each row stands for `n` answers (1 when not grouped)."""
    counts: Counter[str] = Counter()
    split = {mode: {"total": 0, "counts": Counter()} for mode in MODES}
    total = 0
    for row in rows:
        weight = row.get("n", 1)
        keys = [str(key) for key in keys_of(row)]
        part = split.setdefault(row["mode"], {"total": 0, "counts": Counter()})
        total += weight
        part["total"] += weight
        for key in keys:
            counts[key] += weight
            part["counts"][key] += weight
    return {
        "total": total,
        "counts": dict(counts),
        "split": {mode: {"total": part["total"], "counts": dict(part["counts"])} for mode, part in split.items()},
    }


def _grouped(poll: Poll, field: str) -> list[dict[str, Any]]:
    # Counted by the database, one row per mode and distinct answer: a poll with 2,000 answers
    # among five options is ten rows to read, not 2,000 (results are recounted on every flush).
    answers = Response.objects.filter(poll=poll).order_by()
    return list(answers.values("mode", field).annotate(n=Count("id")))


def poll_results(poll: Poll, *, for_moderators: bool) -> dict[str, Any]:
    """Exact results, computed from the stored responses (one per participant)."""
    kind = poll.kind
    if kind in (Poll.Kind.SINGLE, Poll.Kind.MULTIPLE, Poll.Kind.STANCE):
        result = _tally(_grouped(poll, "options"), lambda row: row["options"])
        for option in poll.options.all():
            result["counts"].setdefault(str(option.pk), 0)
    elif kind == Poll.Kind.RATING:
        rows = _grouped(poll, "value")
        result = _tally(rows, lambda row: [row["value"]])
        total = sum(row["value"] * row["n"] for row in rows)
        result["mean"] = round(total / result["total"], 2) if result["total"] else None
        result["distribution"] = {str(n): result["counts"].get(str(n), 0) for n in range(1, (poll.scale or 5) + 1)}
    elif kind == Poll.Kind.WORDCLOUD:
        result = _tally(_grouped(poll, "words"), lambda row: row["words"])
        top = sorted(result["counts"].items(), key=lambda item: (-item[1], item[0]))[:TOP_WORDS]
        result["words"] = [[word, count] for word, count in top]
        kept = {word for word, _ in top}
        result["counts"] = {word: count for word, count in result["counts"].items() if word in kept}
        for part in result["split"].values():
            part["counts"] = {word: count for word, count in part["counts"].items() if word in kept}
    else:  # open text: moderated like questions before anyone else sees it
        rows = list(Response.objects.filter(poll=poll).values("id", "mode", "text", "review"))
        result = _tally(rows, lambda row: [])
        shown = [row for row in rows if for_moderators or row["review"] == Response.Review.APPROVED]
        result["answers"] = [
            {"id": row["id"], "text": row["text"], "state": row["review"]}
            for row in sorted(shown, key=lambda r: r["id"])
        ]
    result["poll"] = poll.pk
    swing = stance_swing(poll)
    if swing is not None:
        result["swing"] = swing
    return result


# Snapshots reuse results computed for the same data: a connect storm would otherwise recount
# every answer of every poll once per socket. The key is the data's version (answers, their
# last change and review, the options, the paired poll's answers), so a hit is always exact.
_MEMO_SIZE = 512
_memo: OrderedDict[tuple, dict[str, Any]] = OrderedDict()
_memo_lock = threading.Lock()


def _answers_version(poll_id: int) -> tuple:
    approved, rejected = Response.Review.APPROVED, Response.Review.REJECTED
    version = Response.objects.filter(poll_id=poll_id).aggregate(
        n=Count("id"),
        last=Max("updated_at"),
        approved=Count("id", filter=Q(review=approved)),
        rejected=Count("id", filter=Q(review=rejected)),
    )
    return tuple(version.values())


def _results_key(poll: Poll, for_moderators: bool) -> tuple:
    key: tuple = (
        poll.pk,
        for_moderators,
        poll.kind,
        poll.state,
        poll.phase,
        poll.scale,
        tuple(option.pk for option in poll.options.all()),
        _answers_version(poll.pk),
    )
    if poll.kind == Poll.Kind.STANCE and poll.phase == Poll.Phase.AFTER and poll.state == Poll.State.CLOSED:
        before = poll.stance_pair_id or Poll.objects.filter(stance_pair=poll).values_list("pk", flat=True).first()
        key += (before, _answers_version(before) if before else None)
    return key


def _remember(key: tuple, result: dict[str, Any]) -> None:
    with _memo_lock:
        _memo[key] = copy.deepcopy(result)
        _memo.move_to_end(key)
        while len(_memo) > _MEMO_SIZE:
            _memo.popitem(last=False)


def snapshot_results(poll: Poll, *, for_moderators: bool) -> dict[str, Any]:
    """`poll_results`, computed once per version of the data (for snapshots)."""
    key = _results_key(poll, for_moderators)
    with _memo_lock:
        hit = _memo.get(key)
        if hit is not None:
            _memo.move_to_end(key)
            return copy.deepcopy(hit)
    result = poll_results(poll, for_moderators=for_moderators)
    _remember(key, result)
    return result


def fresh_results(poll: Poll, *, for_moderators: bool) -> dict[str, Any]:
    """`poll_results` computed now, and remembered for the snapshots that follow.

    Two answers saved in one order and committed in the other leave the version unchanged;
    a snapshot between them could reuse results without the second answer. Each flush after a
    commit stores its fresh results under the current version, so any such snapshot is either
    corrected by that flush's event (published after its position) or reads the fresh copy.
    """
    result = poll_results(poll, for_moderators=for_moderators)
    _remember(_results_key(poll, for_moderators), result)
    if poll.kind != Poll.Kind.TEXT:  # both audiences see the same results
        _remember(_results_key(poll, not for_moderators), result)
    return result


def stance_swing(poll: Poll) -> dict[str, Any] | None:
    """Who moved between the before and after polls of a debate, once the after poll is closed."""
    if poll.kind != Poll.Kind.STANCE or poll.phase != Poll.Phase.AFTER or poll.state != Poll.State.CLOSED:
        return None
    before = poll.stance_pair or Poll.objects.filter(stance_pair=poll).first()
    if before is None:
        return None
    before_options = [option.pk for option in before.options.all()]
    after_options = [option.pk for option in poll.options.all()]
    answers_before = dict(Response.objects.filter(poll=before).values_list("participant_id", "options"))
    answers_after = dict(Response.objects.filter(poll=poll).values_list("participant_id", "options"))
    both = answers_before.keys() & answers_after.keys()
    matrix: dict[str, Counter[str]] = {str(option): Counter() for option in before_options}
    moved = 0
    for participant in both:
        was, now = answers_before[participant][0], answers_after[participant][0]
        matrix.setdefault(str(was), Counter())[str(now)] += 1
        # The two polls have their own option rows; "the same answer" is the same position.
        if before_options.index(was) != after_options.index(now):
            moved += 1
    return {
        "before": before.pk,
        "after": poll.pk,
        "participants": len(both),
        "moved": moved,
        "matrix": {was: dict(counts) for was, counts in matrix.items()},
        "before_counts": dict(Counter(str(options[0]) for options in answers_before.values())),
        "after_counts": dict(Counter(str(options[0]) for options in answers_after.values())),
    }


def response_payload(response: Response) -> dict[str, Any]:
    payload: dict[str, Any] = {"poll": response.poll_id}
    kind = response.poll.kind
    if kind in (Poll.Kind.SINGLE, Poll.Kind.MULTIPLE, Poll.Kind.STANCE):
        payload["options"] = list(response.options)
    elif kind == Poll.Kind.RATING:
        payload["value"] = response.value
    elif kind == Poll.Kind.WORDCLOUD:
        payload["text"] = " ".join(response.words)
    else:
        # The author is told whether a moderator showed their answer (pending, approved, rejected).
        payload.update(text=response.text, review=response.review or Response.Review.PENDING)
    return payload


def respond_reply(response: Response) -> dict[str, Any]:
    """The `poll.respond` command's reply (also stored as its receipt by the answer's statement)."""
    return {"poll": response.poll_id, "response": response_payload(response)}


def visible_polls(ctx: CommandContext) -> QuerySet[Poll]:
    polls = Poll.objects.filter(event_id=ctx.event_id).select_related("event").prefetch_related("options")
    return polls if ctx.role == MODERATOR else polls.exclude(state=Poll.State.DRAFT)


def _own_responses(ctx: CommandContext, shared: SharedPart, rows: list[tuple]) -> dict[str, Any]:
    if ctx.participant_id is None:
        return {}
    responses = {}
    for poll_id, kind, options, value, words, text, review in sorted(rows, key=lambda row: row[0]):
        response = Response(
            poll=Poll(pk=poll_id, kind=kind),
            options=json.loads(options),
            value=None if value is None else int(value),
            words=json.loads(words),
            text=text,
            review=review,
        )
        responses[str(poll_id)] = response_payload(response)
    return {"responses": responses}


@shared_contributor(
    personalize=_own_responses,
    own_rows="""
SELECT r.poll_id, p.kind, CAST(r.options AS TEXT), CAST(r.value AS TEXT), CAST(r.words AS TEXT), r.text,
       r.review
FROM polls_response r JOIN polls_poll p ON p.id = r.poll_id
WHERE r.participant_id = %(participant)s AND p.event_id = %(event)s
""",
)
def polls_snapshot(ctx: CommandContext) -> dict[str, Any]:
    polls = list(visible_polls(ctx))
    moderator = ctx.role == MODERATOR
    return {
        "polls": [poll_payload(poll) for poll in polls],
        "results": {
            str(poll.pk): snapshot_results(poll, for_moderators=moderator)
            for poll in polls
            if moderator or poll.results_visible
        },
    }


def participants_answering(*, event: Event) -> QuerySet:
    """The ids of the event's participants who answered a poll."""
    return Response.objects.filter(participant__event=event).values("participant_id")


def sessions_answered(*, event: Event) -> QuerySet:
    """The ids of the event's sessions with a poll someone answered."""
    return (
        Response.objects.filter(poll__event=event, poll__session__isnull=False)
        .values_list("poll__session_id", flat=True)
        .distinct()
    )
