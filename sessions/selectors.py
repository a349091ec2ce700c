"""Reads of the programme: payloads (the same for snapshot and events), lookups, identities."""

from datetime import datetime
from functools import lru_cache
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection
from django.db.models import Q
from django.utils.timezone import now as server_now
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from livehub.errors import Forbidden, NotFound, Unauthorized
from livehub.realtime.protocol import MODERATOR, SPEAKER
from livehub.realtime.registry import CommandContext
from livehub.realtime.snapshot import SharedPart, contributor, shared_contributor
from livehub.sql import uuid_value

from .models import Event, EventRole, Note, Participant, Room, Session, hash_token

SEEN_NOTES_KEPT = 3  # seen notes a stage still lists under the unseen ones


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_iso(moment: datetime | None, timezone: str) -> str | None:
    return moment.astimezone(_zone(timezone)).isoformat() if moment else None


def _code_to_look_up(code: str) -> str | None:
    """The code as people typed it, or None when no event can have it (PostgreSQL refuses a NUL
    in a query's text: that must be "no such event", not a server error)."""
    code = code.strip()
    return code if code and "\x00" not in code else None


def event_get(*, code: str) -> Event:
    wanted = _code_to_look_up(code)
    event = Event.objects.filter(code__iexact=wanted).first() if wanted else None
    if event is None:
        raise NotFound(_("There is no event with the code “%(code)s”.") % {"code": code})
    return event


def event_payload(event: Event) -> dict[str, Any]:
    return {
        "code": event.code,
        "name": event.name,
        "organiser": event.organiser,
        "venue": event.venue,
        "city": event.city,
        "timezone": event.timezone,
        "starts_on": event.starts_on.isoformat(),
        "ends_on": event.ends_on.isoformat(),
        "online": event.online,
        "stream_delay": event.stream_delay,
        "stream_url": event.stream_url or None,
        "current_session": event.current_session_id,
        "languages": list(event.languages),
        "projector": {"mode": event.projector, "interval": event.projector_interval},
        "moderation": {
            "auto_approve": event.auto_approve,
            "require_names": event.require_names,
            "allow_self_votes": event.allow_self_votes,
        },
    }


def session_payload(session: Session, *, timezone: str) -> dict[str, Any]:
    return {
        "id": session.id,
        "title": session.title,
        "description": session.description,
        "kind": session.kind,
        "room": session.room.name if session.room_id else "",
        "room_slug": session.room.slug if session.room_id else None,
        "starts_at": local_iso(session.starts_at, timezone),
        "ends_at": local_iso(session.ends_at, timezone),
        "status": session.status,
        "status_changed_at": local_iso(session.status_changed_at, timezone),
        "started_at": local_iso(session.started_at, timezone),
        "ended_at": local_iso(session.ended_at, timezone),
        "stream_url": session.stream_url or None,
        "order": session.order,
        "speakers": [
            {"id": speaker.id, "name": speaker.name, "affiliation": speaker.affiliation}
            for speaker in session.speakers.all()
        ],
        "timer": timer_payload(session, timezone=timezone),
    }


def room_payload(room: Room) -> dict[str, Any]:
    return {
        "id": room.pk,
        "name": room.name,
        "slug": room.slug,
        "order": room.order,
        "stream_url": room.stream_url or None,
        "current_session": room.current_session_id,
    }


def room_get(*, event_id: int, slug: str, for_update: bool = False) -> Room:
    rooms = Room.objects.filter(event_id=event_id, slug=slug)
    room = (rooms.select_for_update() if for_update else rooms).first()
    if room is None:
        raise NotFound(_("There is no room %(slug)s in this event.") % {"slug": repr(slug)})
    return room


def timer_payload(session: Session, *, timezone: str) -> dict[str, Any] | None:
    if session.timer_seconds is None:
        return None
    return {
        "seconds": session.timer_seconds,
        "started_at": local_iso(session.timer_started_at, timezone),
        "paused_at": local_iso(session.timer_paused_at, timezone),
        "paused_seconds": session.timer_paused_seconds,
    }


def note_payload(note: Note, *, timezone: str) -> dict[str, Any]:
    return {
        "id": note.pk,
        "session": note.session_id,
        "text": note.text,
        "created_at": local_iso(note.created_at, timezone),
        "seen_at": local_iso(note.seen_at, timezone),
    }


def note_locked(*, event_id: int, note_id: int) -> Note:
    """The note (with its event), its row locked for this transaction."""
    note = (
        Note.objects.select_for_update(of=("self",))
        .select_related("event")
        .filter(event_id=event_id, pk=note_id)
        .first()
    )
    if note is None:
        raise NotFound(_("There is no note %(id)s in this event.") % {"id": note_id})
    return note


def backstage_notes(*, event: Event) -> list[Note]:
    """The notes of the sessions on now (running or current): every one not seen yet and the
    last few seen, oldest first."""
    on_now = Q(session__status__in=[Session.Status.LIVE, Session.Status.PAUSED])
    if event.current_session_id is not None:
        on_now |= Q(session_id=event.current_session_id)
    notes = Note.objects.filter(on_now, event=event)
    unseen = list(notes.filter(seen_at__isnull=True))
    seen = list(notes.filter(seen_at__isnull=False).order_by("-seen_at", "-id")[:SEEN_NOTES_KEPT])
    return sorted([*unseen, *seen], key=lambda note: (note.created_at, note.pk))


def session_get(*, event_id: int, session_id: int, for_update: bool = False) -> Session:
    sessions = Session.objects.filter(event_id=event_id, pk=session_id)
    session = (sessions.select_for_update() if for_update else sessions).first()
    if session is None:
        raise NotFound(_("There is no session %(id)s in this event.") % {"id": session_id})
    return session


def programme(event: Event) -> dict[str, Any]:
    """The event and its agenda with live statuses."""
    sessions = Session.objects.filter(event=event).select_related("room").prefetch_related("speakers")
    return {
        "event": event_payload(event),
        "sessions": [session_payload(session, timezone=event.timezone) for session in sessions],
        "rooms": [room_payload(room) for room in event.rooms.all()],
    }


def participant_payload(participant: Participant) -> dict[str, Any]:
    return {"id": str(participant.id), "name": participant.name or None, "mode": participant.mode}


PARTICIPANT_GONE = gettext_lazy("You are no longer a participant of this event; join again.")


def participant_locked(*, participant_id: UUID, with_event: bool = False) -> Participant:
    """The participant, its row locked for this transaction. Forbidden once they are gone: their
    socket outlives them when the event's audience is purged (`purge_event`)."""
    participants = Participant.objects.select_for_update(of=("self",))
    if with_event:
        participants = participants.select_related("event")
    participant = participants.filter(pk=participant_id).first()
    if participant is None:
        raise Forbidden(PARTICIPANT_GONE)
    return participant


def participant_by_token(*, event: Event, token: str) -> Participant:
    participant = Participant.objects.filter(event=event, token_hash=hash_token(token)).first()
    if participant is None:
        raise Unauthorized(_("This attendee token is not known for this event; join again."))
    return participant


# Codes are unique ignoring case (a constraint), so this finds the event `event_get` finds.
_ATTENDEE_BY_TOKEN = """
SELECT e.id, e.code, p.id, p.name, p.mode,
       (SELECT r.slug FROM livesessions_room r WHERE r.event_id = e.id AND r.slug = %s)
FROM livesessions_event e LEFT JOIN livesessions_participant p ON p.event_id = e.id AND p.token_hash = %s
WHERE UPPER(e.code) = UPPER(%s)
"""


def attendee_by_token(*, code: str, token: str, room: str | None = None) -> tuple[int, str, Participant, str | None]:
    """`event_get`, `participant_by_token` and `room_known` in one query: the connect of nearly
    every socket.

    Returns the event's id and code, the participant (id, name and mode only) and `room` if the
    event has a room with that slug, else None.
    """
    row, wanted = None, _code_to_look_up(code)
    if wanted:
        with connection.cursor() as cursor:
            cursor.execute(_ATTENDEE_BY_TOKEN, [room, hash_token(token), wanted])
            row = cursor.fetchone()
    if row is None:
        raise NotFound(_("There is no event with the code “%(code)s”.") % {"code": code})
    event_id, event_code, participant_id, name, mode, room_slug = row
    if participant_id is None:
        raise Unauthorized(_("This attendee token is not known for this event; join again."))
    participant = Participant(id=uuid_value(participant_id), event_id=event_id, name=name, mode=mode)
    return event_id, event_code, participant, room_slug


def room_known(*, event_id: int, slug: str | None) -> str | None:
    """`slug` if the event has a room with it, else None."""
    if not slug or not Room.objects.filter(event_id=event_id, slug=slug).exists():
        return None
    return slug


def user_role(*, event: Event, user: AbstractBaseUser | AnonymousUser) -> str | None:
    """The strongest role a logged-in user holds on the event (superusers moderate everything)."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return MODERATOR
    roles = set(EventRole.objects.filter(event=event, user=user).values_list("role", flat=True))
    if EventRole.Role.MODERATOR in roles:
        return MODERATOR
    if EventRole.Role.SPEAKER in roles:
        return EventRole.Role.SPEAKER
    return None


def _you(ctx: CommandContext, shared: SharedPart, rows: list[tuple]) -> dict[str, Any]:
    participant = None
    if ctx.participant_id is not None:
        if not rows:
            raise Participant.DoesNotExist(f"Participant {ctx.participant_id} is gone.")
        _id, name, mode, *_rest = rows[0]
        participant = participant_payload(Participant(id=ctx.participant_id, name=name, mode=mode))
    return {"you": {"role": ctx.role, "participant": participant}}


@contributor
def clock_and_notes_snapshot(ctx: CommandContext) -> dict[str, Any]:
    """Per socket: the server's time (never cached with the shared part), and the backstage
    notes for the stage and the console."""
    part: dict[str, Any] = {"server_time": server_now().isoformat()}
    if ctx.role in {MODERATOR, SPEAKER}:
        event = Event.objects.get(pk=ctx.event_id)
        part["notes"] = [note_payload(note, timezone=event.timezone) for note in backstage_notes(event=event)]
    return part


@shared_contributor(
    personalize=_you,
    own_rows="SELECT CAST(NULL AS INTEGER), name, mode, CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS TEXT),"
    " CAST(NULL AS TEXT) FROM livesessions_participant WHERE id = %(participant)s",
)
def programme_snapshot(ctx: CommandContext) -> dict[str, Any]:
    return programme(Event.objects.get(pk=ctx.event_id))
