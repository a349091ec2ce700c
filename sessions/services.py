"""Writes of the programme. Each persists in one transaction and publishes after commit.

Nested in a command's transaction (with its receipt), a service takes no savepoint: it applies
in full or raises, and the whole transaction rolls back with it.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from django.db import transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from livehub.errors import Conflict, Invalid, NotFound
from livehub.realtime.broker import get_broker
from livehub.realtime.models import CommandReceipt
from livehub.realtime.protocol import MODERATORS, SPEAKERS, participant_stream
from livehub.realtime.publish import publish_on_commit
from staff.services import role_links_revoke

from .actors import actors_of_event
from .contributors import audience_data, audience_data_label, sessions_holding_audience_data
from .models import Event, Note, Participant, Room, Session, new_link_secret, room_slug
from .schemas import TRANSITIONS
from .selectors import (
    event_payload,
    note_locked,
    note_payload,
    participant_locked,
    participant_payload,
    room_get,
    room_payload,
    session_get,
    session_payload,
)

Status = Session.Status
# Statuses that hold a room: at most one session of a room is in one of them.
RUNNING = (Status.LIVE, Status.PAUSED)

# Sent inside the transaction when a session goes live (polls set to open automatically do).
session_went_live = Signal()
# Sent inside the transaction just before a session is deleted (with `session=`): polls prepared
# for it leave it (they stay in the event) and say so.
session_removing = Signal()
# Sent inside the transaction on every status change (with `session=` and `previous=`, its old
# status), the ended session of the same room's included: webhooks queue their deliveries.
session_status_changed = Signal()


def _publish_session(session: Session, event: Event) -> None:
    publish_on_commit(event_id=event.pk, type="session.updated", data=session_payload(session, timezone=event.timezone))


def _publish_event(event: Event) -> None:
    publish_on_commit(event_id=event.pk, type="event.updated", data=event_payload(event))


def _room_set_current(room_id: int | None, session_id: int | None, event: Event) -> None:
    """Make `session_id` the room's current session, and say so when that changes."""
    if room_id is None:
        return
    room = Room.objects.select_for_update().get(pk=room_id)
    if room.current_session_id != session_id:
        room.current_session_id = session_id
        room.save(update_fields=["current_session"])
        publish_on_commit(event_id=event.pk, type="room.updated", data=room_payload(room))


def sessions_remove(*, event: Event, sessions: list[Session]) -> None:
    """Delete sessions the caller checked (no audience data, none running). Every page drops them
    (`session.removed`); a room they were current in is between sessions (`room.updated`)."""
    ids = [session.pk for session in sessions]
    rooms = list(Room.objects.select_for_update().filter(event=event, current_session_id__in=ids))
    for session in sessions:
        session_removing.send(sender=Session, session=session)
    Session.objects.filter(event=event, pk__in=ids).delete()
    for session_id in ids:
        publish_on_commit(event_id=event.pk, type="session.removed", data={"id": session_id})
    for room in rooms:
        room.current_session = None
        publish_on_commit(event_id=event.pk, type="room.updated", data=room_payload(room))


def session_check_deletable(*, session: Session) -> None:
    """Refuse (`Conflict`) to delete a session with questions or poll answers (its audience data
    would go with it), a running one, or the event's current one."""
    holding = sessions_holding_audience_data(event=session.event).get(session.pk)
    if holding:
        raise Conflict(
            _("“%(title)s” has %(what)s from the audience and cannot be deleted. Change its time or title instead.")
            % {"title": session.title, "what": ", ".join(map(audience_data_label, holding))}
        )
    if session.status == Status.LIVE:
        raise Conflict(_("“%(title)s” is live: end it before deleting it.") % {"title": session.title})
    if session.status == Status.PAUSED:
        raise Conflict(_("“%(title)s” is paused: end it before deleting it.") % {"title": session.title})
    if session.event.current_session_id == session.pk:
        raise Conflict(
            _("“%(title)s” is the event's current session: choose another one first.") % {"title": session.title}
        )


def event_check_deletable(*, event: Event) -> None:
    """Refuse (`Conflict`) to delete an event whose audience wrote something (questions, poll
    answers, votes): deleting it would take that data along unseen; purging it first is a choice."""
    count = len(sessions_holding_audience_data(event=event))
    if count:
        raise Conflict(
            ngettext(
                "“%(name)s” has audience data in %(count)d session and cannot be deleted: export it, "
                "then purge it (manage.py purge_event %(code)s) first.",
                "“%(name)s” has audience data in %(count)d sessions and cannot be deleted: export it, "
                "then purge it (manage.py purge_event %(code)s) first.",
                count,
            )
            % {"name": event.name, "count": count, "code": event.code}
        )


def session_delete(*, event: Event, session_id: int) -> None:
    """Delete a session nobody wrote anything in yet (`session_check_deletable`)."""
    with transaction.atomic():
        session = Session.objects.select_for_update().filter(pk=session_id, event=event).first()
        if session is None:
            raise NotFound(_("There is no such session in this event."))
        session.event = event
        session_check_deletable(session=session)
        sessions_remove(event=event, sessions=[session])


def room_save(*, room: Room) -> Room:
    """Save a room checked by its form; an empty slug is made from its name. The live pages hear
    of it (`room.updated`), and of its sessions when its name or slug changed (they carry both)."""
    with transaction.atomic():
        if not room.slug:
            room.slug = room_slug(room.name, set(room.event.rooms.exclude(pk=room.pk).values_list("slug", flat=True)))
        before = Room.objects.filter(pk=room.pk).values_list("name", "slug").first() if room.pk else None
        room.save()
        renamed = before is not None and before != (room.name, room.slug)
        programme_publish(event=room.event, rooms=[room], renamed=[room] if renamed else [])
    return room


def room_check_deletable(*, room: Room) -> None:
    """Refuse (`Conflict`) to delete a room with sessions: their room would silently become none."""
    count = room.sessions.count()
    if count:
        raise Conflict(
            ngettext(
                "%(room)s has %(count)d session: move or delete it first.",
                "%(room)s has %(count)d sessions: move or delete them first.",
                count,
            )
            % {"room": room.name, "count": count}
        )


def room_delete(*, event: Event, room_id: int) -> None:
    """Delete a room without sessions; the live pages drop it (`room.removed`)."""
    with transaction.atomic():
        room = event.rooms.select_for_update().filter(pk=room_id).first()
        if room is None:
            raise NotFound(_("There is no such room in this event."))
        room_check_deletable(room=room)
        room.delete()
        publish_on_commit(event_id=event.pk, type="room.removed", data={"slug": room.slug})


def programme_publish(
    *,
    event: Event,
    event_changed: bool = False,
    rooms: Iterable[Room] = (),
    renamed: Iterable[Room] = (),
    sessions: Iterable[Session] = (),
) -> None:
    """After the commit, the live pages hear of what was saved (by the admin, or a room's form):
    the event, rooms, and sessions, those of `renamed` rooms too (they carry its name and slug)."""
    if event_changed:
        _publish_event(event)
    for room in rooms:
        publish_on_commit(event_id=event.pk, type="room.updated", data=room_payload(room))
    again = {session.pk: session for session in sessions}
    for room in renamed:
        again |= {session.pk: session for session in room.sessions.all()}
    for session in Session.objects.filter(pk__in=again).select_related("room").prefetch_related("speakers"):
        _publish_session(session, event)


@dataclass(frozen=True)
class StatusChange:
    """A status change and the session of the same room it ended, if any (one room, one live session)."""

    session: Session
    ended: Session | None


def _apply_status(session: Session, status: str, now) -> None:
    previous = session.status
    session.status = status
    session.status_changed_at = now
    if status == Status.LIVE:
        session.started_at = session.started_at or now
        session.ended_at = None
    elif status == Status.ENDED:
        session.ended_at = now
    session.save(update_fields=["status", "status_changed_at", "started_at", "ended_at"])
    session_status_changed.send(sender=Session, session=session, previous=previous)


def _status_label(status: str) -> str:
    """A session's state as a sentence names it ("live"), in the active language."""
    return str(Session.Status(status).label).lower()


def session_set_status(*, event_id: int, session_id: int, status: str) -> StatusChange:
    """Move a session through its status machine; going live also makes it the current session
    of its room and of the event, and ends the session of the same room that was live or paused
    (sessions without a room share one)."""
    with transaction.atomic(savepoint=False):
        # The event's row lock makes two go-lives of one event take turns; the partial unique
        # constraint session_one_running_per_room backs it up.
        event = Event.objects.select_for_update().get(pk=event_id)
        session = session_get(event_id=event_id, session_id=session_id, for_update=True)
        if status == session.status:
            raise Conflict(
                _("“%(session)s” is already %(status)s.") % {"session": session.title, "status": _status_label(status)}
            )
        if status not in TRANSITIONS[session.status]:
            raise Conflict(
                _("“%(session)s” cannot go from %(from)s to %(to)s.")
                % {"session": session.title, "from": _status_label(session.status), "to": _status_label(status)}
            )
        now = timezone.now()
        ended = None
        if status == Status.LIVE:
            ended = (
                Session.objects.select_for_update()
                .filter(event_id=event_id, room_id=session.room_id, status__in=RUNNING)
                .exclude(pk=session.pk)
                .first()
            )
        if ended is not None:
            _apply_status(ended, Status.ENDED, now)
            _publish_session(ended, event)
        _apply_status(session, status, now)
        _publish_session(session, event)
        if status == Status.LIVE:
            session_went_live.send(sender=Session, session=session)
            _room_set_current(session.room_id, session.pk, event)
        if status == Status.LIVE and event.current_session_id != session.pk:
            event.current_session = session
            event.save(update_fields=["current_session"])
            _publish_event(event)
    return StatusChange(session=session, ended=ended)


def session_set_current(*, event_id: int, session_id: int | None, room: str | None = None) -> Event:
    """Say which session a room is in (None: between sessions). Without `room`, the event's
    current session (a one-room event's room) and the session's own room follow; with a room's
    slug, that room's, and the event's follows any session set (the last one set anywhere)."""
    with transaction.atomic(savepoint=False):
        event = Event.objects.select_for_update().get(pk=event_id)
        session = session_get(event_id=event_id, session_id=session_id) if session_id is not None else None
        if room is not None:
            target = room_get(event_id=event_id, slug=room)
            if session is not None and session.room_id != target.pk:
                raise Invalid(
                    _("“%(title)s” is not in the room %(room)s.") % {"title": session.title, "room": target.name},
                    fields={"session": _("not in this room")},
                )
            _room_set_current(target.pk, session_id, event)
            if session is None:
                return event
        elif session is not None:
            _room_set_current(session.room_id, session_id, event)
        if event.current_session_id == session_id:
            return event
        event.current_session_id = session_id
        event.save(update_fields=["current_session"])
        _publish_event(event)
    return event


def _publish_note(note: Note, type: str, timezone: str) -> None:
    # The speakers see it on stage, the other consoles in their notes panel; the hall never does.
    data = note_payload(note, timezone=timezone)
    for stream in (SPEAKERS, MODERATORS):
        publish_on_commit(event_id=note.event_id, type=type, data=data, stream=stream)


def note_send(*, event_id: int, session_id: int, text: str) -> Note:
    """A backstage note to the speakers of a session; they see it on stage until they mark it seen."""
    text = " ".join(text.split())
    if not text:
        raise Invalid(_("A note needs some text."), fields={"text": _("must not be empty")})
    with transaction.atomic(savepoint=False):
        session = session_get(event_id=event_id, session_id=session_id)
        if session.status == Status.ENDED:
            raise Conflict(_("“%(session)s” has ended: its speakers have left the stage.") % {"session": session.title})
        note = Note.objects.create(event_id=event_id, session=session, text=text)
        _publish_note(note, "note.posted", session.event.timezone)
    return note


def note_mark_seen(*, event_id: int, note_id: int) -> Note:
    """The speaker saw the note: the stage puts it away, the consoles show it seen. Seeing it
    again changes nothing."""
    with transaction.atomic(savepoint=False):
        note = note_locked(event_id=event_id, note_id=note_id)
        if note.seen_at is None:
            note.seen_at = timezone.now()
            note.save(update_fields=["seen_at"])
            _publish_note(note, "note.updated", note.event.timezone)
    return note


def _timer_apply(session: Session, *, action: str, seconds: int, now) -> None:
    planned = int((session.ends_at - session.starts_at).total_seconds())
    if session.timer_seconds is None:
        if planned <= 0:
            raise Conflict(_("“%(session)s” has no planned length to count down from.") % {"session": session.title})
        session.timer_seconds = planned
    running = session.timer_started_at is not None and session.timer_paused_at is None
    if action == "start":
        if running:
            raise Conflict(_("The timer of “%(session)s” is already running.") % {"session": session.title})
        if session.timer_started_at is None:
            session.timer_started_at = now
        else:
            session.timer_paused_seconds += (now - session.timer_paused_at).total_seconds()
            session.timer_paused_at = None
    elif action == "pause":
        if not running:
            raise Conflict(_("The timer of “%(session)s” is not running.") % {"session": session.title})
        session.timer_paused_at = now
    else:
        if seconds == 0:
            raise Invalid(_("Say how many seconds to add or take off."), fields={"seconds": _("must not be 0")})
        # Taking off more than is planned leaves a countdown of nothing, which then runs over.
        session.timer_seconds = max(0, session.timer_seconds + seconds)


def session_timer(*, event_id: int, session_id: int, action: str, seconds: int = 0) -> Session:
    """Start, pause or lengthen (shorten) a session's countdown; a pause is not counted."""
    with transaction.atomic(savepoint=False):
        session = session_get(event_id=event_id, session_id=session_id, for_update=True)
        _timer_apply(session, action=action, seconds=seconds, now=timezone.now())
        session.save(update_fields=["timer_seconds", "timer_started_at", "timer_paused_at", "timer_paused_seconds"])
        _publish_session(session, session.event)
    return session


def participant_join(*, event: Event, name: str | None, mode: str) -> tuple[Participant, str]:
    """A new audience member; returns the participant and its token (only the hash is kept)."""
    token, token_hash = Participant.new_token()
    participant = Participant.objects.create(event=event, name=name or "", mode=mode, token_hash=token_hash)
    return participant, token


def participant_update(
    *, participant_id: UUID, name: str | None = None, mode: str | None = None, set_name: bool = False
) -> Participant:
    """Change a participant's display name (when `set_name`) and/or mode; their sockets hear it."""
    with transaction.atomic(savepoint=False):
        participant = participant_locked(participant_id=participant_id)
        fields = []
        if set_name and (name or "") != participant.name:
            participant.name = name or ""
            fields.append("name")
        if mode is not None and mode != participant.mode:
            participant.mode = mode
            fields.append("mode")
        if fields:
            participant.save(update_fields=fields)
            publish_on_commit(
                event_id=participant.event_id,
                type="participant.updated",
                data=participant_payload(participant),
                stream=participant_stream(participant.pk),
            )
    return participant


def event_rotate_link_secret(*, event: Event) -> Event:
    """Revoke every role link handed out for this event."""
    with transaction.atomic():
        event.link_secret = new_link_secret()
        event.save(update_fields=["link_secret"])
        role_links_revoke(links=event.role_links.all())  # so that no list shows them as live
    return event


def audience_purge(*, event: Event, anonymise: bool) -> dict[str, int]:
    """After the congress: delete the audience's data, or keep only what the results need.

    Returns what it did, a count per kind of row. Deleting removes participants, command
    receipts and every app's audience data (sessions.contributors: questions with the audit
    entries that quote them, votes, poll answers). Anonymising keeps what each app's results
    need (questions without author, vote totals, poll answers: the results, the room/online
    split and the debate swing are counted from them) but cuts every link to a person: names
    go, tokens stop working, participants no app's data points at are deleted, receipts are
    deleted. Either way the replay logs, which quote names and texts, are dropped.
    """
    parts = audience_data()
    with transaction.atomic(savepoint=False):
        participants = Participant.objects.filter(event=event)
        # Receipts name their sender: a participant, or a role link or account on this event.
        senders = actors_of_event(event_id=event.pk, participant_ids=participants.values_list("pk", flat=True))
        counts = {"receipts_deleted": CommandReceipt.objects.filter(senders).delete()[0]}
        for part in parts:
            counts.update(part.anonymise(event=event) if anonymise else part.delete(event=event))
        if anonymise:
            kept = Q(pk__in=[])
            for part in parts:
                if part.participants_kept is not None:
                    kept |= Q(pk__in=part.participants_kept(event=event))
            counts["participants_deleted"] = participants.exclude(kept).delete()[1].get(Participant._meta.label, 0)
            anonymised = 0
            # The kept rows stay tied to a nameless participant (the swing pairs before/after
            # answers); a fresh token hash nobody holds signs the device out for good.
            for participant in participants.filter(kept):
                participant.name = ""
                participant.token_hash = Participant.new_token()[1]
                participant.save(update_fields=["name", "token_hash"])
                anonymised += 1
            counts["participants_anonymised"] = anonymised
        else:
            counts["participants_deleted"] = participants.delete()[1].get(Participant._meta.label, 0)
        transaction.on_commit(lambda: get_broker().forget(event.pk))
    names = ["participants_deleted", "participants_anonymised", *(n for part in parts for n in part.counts)]
    return {name: counts.get(name, 0) for name in [*names, "receipts_deleted"]}
