"""Writes of the audit log: one entry per moderation, heard by the moderators once committed."""

from collections.abc import Iterable
from typing import Any

from livehub.realtime.protocol import MODERATORS
from livehub.realtime.publish import publish_on_commit
from sessions.models import Event

from .models import ModerationAction
from .selectors import audit_payload


def audit_log(*, event: Event, actor: str, action: str, question_id: int | None = None, **detail: Any) -> None:
    """Record a moderation in the caller's transaction; the moderators' consoles hear of it after commit."""
    entry = ModerationAction.objects.create(
        event=event, question_id=question_id, actor=actor, action=action, detail=detail
    )
    publish_on_commit(
        event_id=event.pk,
        type="moderation.logged",
        data={"entry": audit_payload(entry, event.timezone)},
        stream=MODERATORS,
    )


def audit_entries_delete(*, question_ids: Iterable[int]) -> int:
    """Forget what was done to these questions (an edit's entry quotes the new text)."""
    return ModerationAction.objects.filter(question_id__in=question_ids).delete()[0]
