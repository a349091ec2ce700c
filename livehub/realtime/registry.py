"""The socket's commands: one pydantic schema and one thin handler per client message type."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from .protocol import ATTENDEE, MODERATOR, SPEAKER

ATTENDEES = frozenset({ATTENDEE, MODERATOR})
MODERATORS_ONLY = frozenset({MODERATOR})
STAGE = frozenset({MODERATOR, SPEAKER})


class CommandSchema(BaseModel):
    """Base of every command's `data`: strict types, no unknown fields."""

    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True)


@dataclass(frozen=True)
class CommandContext:
    """Who sent a command, fixed when the socket connected."""

    event_id: int
    event_code: str
    role: str
    actor: str  # stable id of the sender, for `ref` receipts and audit logs
    participant_id: UUID | None = None
    user_id: int | None = None
    mode: str | None = None  # the participant's mode when the socket connected
    label: str = ""  # how the audit log names the sender ("moderator", "speaker link", …)


Handler = Callable[[CommandContext, Any], dict[str, Any]]


@dataclass(frozen=True)
class Command:
    type: str
    schema: type[CommandSchema]
    roles: frozenset[str]
    handler: Handler
    needs_participant: bool


COMMANDS: dict[str, Command] = {}


def command(
    type: str, *, schema: type[CommandSchema], roles: frozenset[str], needs_participant: bool = False
) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        if type in COMMANDS:
            raise RuntimeError(f"Command {type!r} is registered twice.")
        COMMANDS[type] = Command(type, schema, roles, handler, needs_participant)
        return handler

    return register
