"""Reads of the reactions: totals as the wire carries them, and which sessions take reactions."""

from typing import Any

from django.db.models import F, Q, QuerySet

from livehub.realtime.registry import CommandContext
from livehub.realtime.snapshot import shared_contributor
from sessions.models import Event, Session

from .models import ReactionTotal

Totals = dict[str, dict[str, dict[str, int]]]  # session id -> kind -> {"room": n, "online": n}


def totals_payload(counts: dict[tuple[int, str, str], int]) -> Totals:
    """{(session, kind, mode): count} as the wire carries it: both modes of every kind counted."""
    totals: Totals = {}
    for (session, kind, mode), count in sorted(counts.items()):
        kinds = totals.setdefault(str(session), {})
        kinds.setdefault(kind, {"room": 0, "online": 0})[mode] = count
    return totals


def stored_totals(*, event_id: int) -> dict[tuple[int, str, str], int]:
    rows = ReactionTotal.objects.filter(event_id=event_id).values_list("session_id", "kind", "mode", "count")
    return {(session, kind, mode): count for session, kind, mode, count in rows}


def reactable_sessions(*, event_id: int) -> frozenset[int]:
    """The sessions on now: running (live or paused) and the event's current one."""
    on_now = Q(status__in=[Session.Status.LIVE, Session.Status.PAUSED]) | Q(event__current_session=F("pk"))
    return frozenset(Session.objects.filter(on_now, event_id=event_id).values_list("pk", flat=True))


def sessions_reacted(*, event: Event) -> QuerySet:
    return ReactionTotal.objects.filter(event=event).values_list("session_id", flat=True).distinct()


@shared_contributor()
def reactions_snapshot(ctx: CommandContext) -> dict[str, Any]:
    return {"reactions": totals_payload(stored_totals(event_id=ctx.event_id))}
