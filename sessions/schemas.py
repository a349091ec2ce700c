"""The programme's part of the contract: the HTTP API's and the socket commands' schemas, the
payloads of its events and snapshot, and its status machine."""

import unicodedata
from datetime import date, datetime
from typing import Annotated, Literal

from django.utils.translation import gettext, ngettext
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from livehub.realtime.registry import CommandSchema, Payload, constant, event, limit, optional, snapshot_part
from livehub.validation import refused

NAME_MAX = limit("display_name", max=60).max
NOTE_TEXT = limit("note_text", min=1, max=200)
# How far one "add" moves a countdown, either way (minutes are added or taken off).
TIMER_STEP = limit("timer_seconds", min=-3600, max=3600)


def clean_name(value: str | None) -> str | None:
    """A display name: trimmed, no control characters; empty means anonymous."""
    if value is None:
        return None
    value = " ".join(value.split())
    if any(unicodedata.category(char) in {"Cc", "Cf"} for char in value):
        raise refused(gettext("A name may not contain control or invisible formatting characters."))
    if len(value) > NAME_MAX:
        raise refused(
            ngettext("At most %(limit)s character.", "At most %(limit)s characters.", NAME_MAX) % {"limit": NAME_MAX}
        )
    return value or None


DisplayName = Annotated[str | None, AfterValidator(clean_name)]
Mode = Literal["room", "online"]
Status = Literal["scheduled", "live", "paused", "ended"]
SessionKind = Literal["talk", "roundtable", "debate", "break"]
Role = Literal["attendee", "moderator", "speaker", "screen"]

# The session status machine: status -> the statuses a moderator may set from it. "ended → live"
# reopens a session ended by mistake. The console offers exactly these.
TRANSITIONS: dict[str, tuple[str, ...]] = constant(
    "session_transitions",
    {"scheduled": ("live",), "live": ("paused", "ended"), "paused": ("live", "ended"), "ended": ("live",)},
)


class JoinIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: DisplayName = None
    mode: Mode = "online"


class JoinOut(BaseModel):
    participant: str
    token: str
    mode: Mode
    name: str | None


class SetStatus(CommandSchema):
    session: int = Field(gt=0)
    status: Status


class SetCurrent(CommandSchema):
    session: int | None = Field(gt=0)
    room: str | None = Field(
        default=None,
        max_length=100,
        description="A room's slug: set that room's current session (a session of that room, or None).",
    )


class SendNote(CommandSchema):
    session: int = Field(gt=0)
    text: str = Field(min_length=NOTE_TEXT.min, max_length=NOTE_TEXT.max)


class NoteSeen(CommandSchema):
    note: int = Field(gt=0)


TimerAction = Literal["start", "pause", "add"]


class SetTimer(CommandSchema):
    session: int = Field(gt=0)
    action: TimerAction
    seconds: int = Field(default=0, ge=TIMER_STEP.min, le=TIMER_STEP.max, description="For `add`: may be negative.")


class UpdateParticipant(CommandSchema):
    name: DisplayName = None
    mode: Mode | None = None


class Speaker(Payload):
    id: int
    name: str
    affiliation: str


class Timer(Payload):
    seconds: int = Field(description="The countdown's length, as the moderators set it.")
    started_at: datetime | None = Field(description="None until a moderator starts it.")
    paused_at: datetime | None = Field(description="Set while it is paused.")
    paused_seconds: float = Field(description="Seconds it spent paused before `paused_at`.")


class Session(Payload):
    id: int
    title: str
    description: str
    kind: SessionKind
    room: str = Field(description="The room's name; empty when the session has no room.")
    room_slug: str | None = Field(description="The room's slug (`rooms[].slug`); None without a room.")
    starts_at: datetime
    ends_at: datetime
    status: Status
    status_changed_at: datetime | None
    started_at: datetime | None
    ended_at: datetime | None
    stream_url: str | None
    order: int
    speakers: list[Speaker]
    timer: Timer | None = Field(description="The chair's countdown; None until a moderator sets it.")


class EventModeration(Payload):
    auto_approve: bool
    require_names: bool
    allow_self_votes: bool


Language = Literal["en", "fr", "nl"]


class EventProjector(Payload):
    mode: Literal["off", "side_by_side", "alternating"] = Field(
        description="The screen and stage in the event's first language, or its first two at once or in turn."
    )
    interval: int = Field(description="Seconds each language stays up when they alternate.")


class EventInfo(Payload):
    code: str
    name: str
    organiser: str
    venue: str
    city: str
    timezone: str
    starts_on: date
    ends_on: date
    online: bool
    current_session: int | None
    stream_delay: int = Field(description="Seconds the livestream runs behind the room.")
    stream_url: str | None = Field(
        default=None, description="The event's livestream (http/https), if any; a room's own stream_url wins."
    )
    languages: list[Language] = Field(description="The event's languages in order; the first is its default.")
    projector: EventProjector
    moderation: EventModeration


class Room(Payload):
    id: int
    name: str
    slug: str
    order: int
    stream_url: str | None
    current_session: int | None = Field(description="The session this room is in; None between sessions.")


class Participant(Payload):
    id: str
    name: str | None
    mode: Mode


class You(Payload):
    role: Role
    participant: Participant | None


class Note(Payload):
    id: int
    session: int
    text: str
    created_at: datetime
    seen_at: datetime | None


class SessionRemoved(Payload):
    id: int


class RoomRemoved(Payload):
    slug: str


@snapshot_part
class ProgrammeSnapshot(Payload):
    event: EventInfo
    sessions: list[Session]
    rooms: list[Room] = Field(description="The event's rooms in their order; empty when no session has a room.")
    you: You
    server_time: datetime = Field(description="The server's clock as it built the snapshot: clients count from it.")
    notes: list[Note] = optional(
        "Speakers and moderators only: the notes of the running and current sessions not seen yet, "
        "and the last few seen, oldest first."
    )


event(
    "session.updated", "A session changed (its status, or its details by an agenda import), or is new.", public=Session
)
event("session.removed", "A session was deleted (organiser pages, agenda import with prune).", public=SessionRemoved)
event("room.updated", "A room changed (its current session, or its name, order or livestream), or is new.", public=Room)
event("room.removed", "A room was deleted (organiser pages).", public=RoomRemoved)
event("event.updated", "The event changed (its current session, its moderation settings).", public=EventInfo)
event(
    "note.posted",
    "A moderator sent a backstage note to the speakers of a session.",
    speakers=Note,
    moderators=Note,
)
event("note.updated", "A speaker saw a backstage note (`seen_at`).", speakers=Note, moderators=Note)
event("participant.updated", "The participant's name or mode changed.", participant=Participant)
