"""Who is on a socket: credentials are read once, at connect, and fix the socket's role."""

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _

from livehub.errors import Forbidden, Unauthorized
from sessions import selectors
from sessions.actors import account_actor, participant_actor, role_link_actor
from sessions.models import Event, Participant
from sessions.rolelinks import role_key_read

from .protocol import ATTENDEE, SCREEN
from .registry import CommandContext


def authenticate(
    *, code: str, token: str | None, key: str | None, user=None, room: str | None = None
) -> CommandContext:
    """The role comes from a role key, else the login session, else it is an attendee's token.

    A moderator or speaker may also present an attendee token: the socket then receives that
    participant's `p:` stream, and a moderator socket also acts for them (asking, voting). Raises NotFound (no such
    event), Unauthorized (no or bad credentials) or Forbidden (signed in without a role here).

    `room`: the slug of the room the socket follows (its presence is counted there too). A slug
    the event does not have is ignored, not refused: a device may remember a room since renamed.
    """
    user = user or AnonymousUser()
    if token and not key and not user.is_authenticated:
        # An attendee, nearly every socket of a connect storm: the event and them in one query.
        event_id, event_code, participant, room = selectors.attendee_by_token(code=code, token=token, room=room)
        return _attendee(event_id, event_code, participant, room)
    event = selectors.event_get(code=code)
    participant = selectors.participant_by_token(event=event, token=token) if token else None
    room = selectors.room_known(event_id=event.pk, slug=room)
    if key:
        role = role_key_read(event=event, key=key)
        if role == SCREEN:
            participant = None  # the projector shows the room what everyone may see, never one's own
        # Everyone holding the same link is one sender for `ref` purposes (unless they joined too).
        if participant is not None:
            actor = participant_actor(participant.pk)
        else:
            actor = role_link_actor(event_id=event.pk, role=role, key=key)
        return _staff(event, participant, role=role, actor=actor, label=f"{role} link", room=room)
    if user.is_authenticated:
        role = selectors.user_role(event=event, user=user)
        if role is not None:
            if participant is not None:
                actor = participant_actor(participant.pk)
            else:
                actor = account_actor(event_id=event.pk, user_id=user.pk)
            return _staff(
                event, participant, role=role, actor=actor, user_id=user.pk, label=user.get_username(), room=room
            )
        if participant is None:
            raise Forbidden(_("Your account has no role on this event."))
    if participant is None:
        raise Unauthorized(_("Join the event (token) or sign in (session or role link) first."))
    return _attendee(event.pk, event.code, participant, room)


def _staff(event: Event, participant: Participant | None, **fields: Any) -> CommandContext:
    """A role-link or signed-in socket, acting for `participant` too when it presented a token."""
    if participant is not None:
        fields.update(participant_id=participant.pk, mode=participant.mode)
    return CommandContext(event_id=event.pk, event_code=event.code, **fields)


def _attendee(event_id: int, event_code: str, participant: Participant, room: str | None) -> CommandContext:
    return CommandContext(
        event_id=event_id,
        event_code=event_code,
        room=room,
        participant_id=participant.pk,
        mode=participant.mode,
        role=ATTENDEE,
        actor=participant_actor(participant.pk),
        label=participant.name or "attendee",
    )
