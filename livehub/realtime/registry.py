"""The socket's contract, declared by each app: one pydantic schema and one thin handler per
command, one payload model per event and stream, its part of the snapshot and its constants.
`contract.py` writes them all as one JSON Schema document (docs/protocol.schema.json)."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, NamedTuple
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

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
    room: str | None = None  # the slug of the room the socket follows (`?room=`), if the event has it


@dataclass(frozen=True)
class Receipt:
    """The `ref` a command came with: a one-statement command writes it in its own statement."""

    actor: str
    ref: str
    type: str


Handler = Callable[[CommandContext, Any], dict[str, Any]]
# A one-statement command's handler: given the receipt to write with its change (None without `ref`).
OneStatementHandler = Callable[[CommandContext, Any, Receipt | None], dict[str, Any]]
# A direct command's handler: a coroutine run on the event loop, given the frame's `ref`.
DirectHandler = Callable[[CommandContext, Any, str | None], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class Command:
    type: str
    schema: type[CommandSchema]
    roles: frozenset[str]
    handler: Handler | DirectHandler | OneStatementHandler
    needs_participant: bool
    # Run on the event loop without a database transaction or receipt (`direct_command`).
    direct: bool = False
    # Applied with its receipt by one autocommit statement, without a transaction (`one_statement_command`).
    one_statement: bool = False


COMMANDS: dict[str, Command] = {}


def command(
    type: str, *, schema: type[CommandSchema], roles: frozenset[str], needs_participant: bool = False
) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        _register(Command(type, schema, roles, handler, needs_participant))
        return handler

    return register


def one_statement_command(
    type: str, *, schema: type[CommandSchema], roles: frozenset[str], needs_participant: bool = False
) -> Callable[[OneStatementHandler], OneStatementHandler]:
    """A command of the storms (votes, poll answers): its service writes the change and the
    receipt in one autocommit statement, saving a transaction's round trips (BEGIN, the receipt's
    INSERT, COMMIT). The service must refuse before it writes anything, or write nothing."""

    def register(handler: OneStatementHandler) -> OneStatementHandler:
        _register(Command(type, schema, roles, handler, needs_participant, one_statement=True))
        return handler

    return register


def direct_command(
    type: str, *, schema: type[CommandSchema], roles: frozenset[str], needs_participant: bool = False
) -> Callable[[DirectHandler], DirectHandler]:
    """A command too frequent for a transaction each (reactions: thousands a second): its
    coroutine runs on the event loop and must itself apply a `ref` once and write atomically."""

    def register(handler: DirectHandler) -> DirectHandler:
        _register(Command(type, schema, roles, handler, needs_participant, direct=True))
        return handler

    return register


def _register(command: Command) -> None:
    if command.type in COMMANDS:
        raise RuntimeError(f"Command {command.type!r} is registered twice.")
    COMMANDS[command.type] = command


class Payload(BaseModel):
    """Base of what the server sends: exactly these fields (a test checks every frame)."""

    model_config = ConfigDict(extra="forbid")


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def optional(description: str | None = None) -> Any:
    """A payload field the server leaves out where it does not apply (it never sends null for it)."""
    return Field(default=None, description=description, json_schema_extra=_no_default)


# The stream kinds an event can come on; "participant" stands for every `p:{participant}` stream.
StreamKind = str
STREAM_KINDS = ("public", "moderators", "speakers", "participant")


@dataclass(frozen=True)
class Event:
    type: str
    payloads: dict[StreamKind, type[BaseModel]]  # stream kind -> the model of `data` there
    description: str


EVENTS: dict[str, Event] = {}
SNAPSHOT_PARTS: list[type[BaseModel]] = []
CONSTANTS: dict[str, Any] = {}


def event(type: str, description: str, **payloads: type[BaseModel]) -> None:
    """Declare a pushed event and the model of its `data` on each stream kind it comes on."""
    if type in EVENTS:
        raise RuntimeError(f"Event {type!r} is declared twice.")
    unknown = set(payloads) - set(STREAM_KINDS)
    if unknown or not payloads:
        raise RuntimeError(f"Event {type!r} needs payloads on the streams {STREAM_KINDS}, not {sorted(unknown)}.")
    EVENTS[type] = Event(type, payloads, description)


def snapshot_part(model: type[BaseModel]) -> type[BaseModel]:
    """Declare the keys an app adds to the snapshot's `data`."""
    SNAPSHOT_PARTS.append(model)
    return model


def constant(name: str, value: Any) -> Any:
    """Publish a rule of the server in the contract (the frontend's generated types export it)."""
    if name in CONSTANTS:
        raise RuntimeError(f"Constant {name!r} is declared twice.")
    CONSTANTS[name] = value
    return value


class Limit(NamedTuple):
    min: int | None
    max: int


def limit(name: str, *, min: int | None = None, max: int) -> Limit:
    """A limit of the contract, written once: schemas and services use it, the frontend reads it
    from the generated schema (`limits` in its constants)."""
    limits = CONSTANTS.setdefault("limits", {})
    if name in limits:
        raise RuntimeError(f"Limit {name!r} is declared twice.")
    limits[name] = {"min": min, "max": max} if min is not None else {"max": max}
    return Limit(min, max)
