"""Reads of the audit log: the entries' payload (the same in the snapshot and the event) and
the moderators' console's part of the snapshot."""

from typing import Any

from livehub.realtime.protocol import MODERATOR
from livehub.realtime.registry import CommandContext
from sessions.selectors import local_iso

from .models import ModerationAction
from .schemas import AUDIT


def audit_payload(entry: ModerationAction, timezone: str) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "question": entry.question_id,
        "action": entry.action,
        "actor": entry.actor,
        "detail": entry.detail,
        "created_at": local_iso(entry.created_at, timezone),
    }


def audit_entries(*, event_id: int, limit: int = AUDIT.max) -> list[ModerationAction]:
    """The event's latest entries, newest first."""
    return list(ModerationAction.objects.filter(event_id=event_id).select_related("event")[:limit])


def audit_snapshot(ctx: CommandContext) -> dict[str, Any]:
    """The console's log: moderators only."""
    if ctx.role != MODERATOR:
        return {}
    return {"audit": [audit_payload(entry, entry.event.timezone) for entry in audit_entries(event_id=ctx.event_id)]}
