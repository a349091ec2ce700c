"""Socket commands of the programme: parse, authorise (by the registry), call one service."""

from typing import Any

from livehub.realtime.registry import ATTENDEES, MODERATORS_ONLY, STAGE, CommandContext, command

from . import services
from .schemas import NoteSeen, SendNote, SetCurrent, SetStatus, SetTimer, UpdateParticipant
from .selectors import participant_payload


@command("session.set_status", schema=SetStatus, roles=MODERATORS_ONLY)
def set_status(ctx: CommandContext, cmd: SetStatus) -> dict[str, Any]:
    change = services.session_set_status(event_id=ctx.event_id, session_id=cmd.session, status=cmd.status)
    ended = change.ended.pk if change.ended else None
    return {"session": change.session.pk, "status": change.session.status, "ended": ended}


@command("session.set_current", schema=SetCurrent, roles=MODERATORS_ONLY)
def set_current(ctx: CommandContext, cmd: SetCurrent) -> dict[str, Any]:
    event = services.session_set_current(event_id=ctx.event_id, session_id=cmd.session, room=cmd.room)
    return {"current_session": event.current_session_id}


@command("participant.update", schema=UpdateParticipant, roles=ATTENDEES, needs_participant=True)
def update_participant(ctx: CommandContext, cmd: UpdateParticipant) -> dict[str, Any]:
    participant = services.participant_update(
        participant_id=ctx.participant_id,
        name=cmd.name,
        mode=cmd.mode,
        set_name="name" in cmd.model_fields_set,
    )
    return {"participant": participant_payload(participant)}


@command("note.send", schema=SendNote, roles=MODERATORS_ONLY)
def send_note(ctx: CommandContext, cmd: SendNote) -> dict[str, Any]:
    note = services.note_send(event_id=ctx.event_id, session_id=cmd.session, text=cmd.text)
    return {"note": note.pk}


@command("note.seen", schema=NoteSeen, roles=STAGE)
def note_seen(ctx: CommandContext, cmd: NoteSeen) -> dict[str, Any]:
    note = services.note_mark_seen(event_id=ctx.event_id, note_id=cmd.note)
    return {"note": note.pk}


@command("session.timer", schema=SetTimer, roles=MODERATORS_ONLY)
def set_timer(ctx: CommandContext, cmd: SetTimer) -> dict[str, Any]:
    session = services.session_timer(
        event_id=ctx.event_id, session_id=cmd.session, action=cmd.action, seconds=cmd.seconds
    )
    return {"session": session.pk}
