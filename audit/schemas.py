"""The audit log's part of the contract: its entries, in the moderators' snapshot and event."""

from datetime import datetime
from typing import Any

from livehub.realtime.registry import Payload, event, limit, optional, snapshot_part

AUDIT = limit("audit_entries", max=100)  # the moderation log a moderator holds


class AuditEntry(Payload):
    id: int
    question: int | None
    action: str
    actor: str
    detail: dict[str, Any]
    created_at: datetime


class AuditLogged(Payload):
    entry: AuditEntry


@snapshot_part
class AuditSnapshot(Payload):
    audit: list[AuditEntry] = optional("Moderators only: the latest entries, newest first.")


event("moderation.logged", "An entry was added to the moderation log.", moderators=AuditLogged)
