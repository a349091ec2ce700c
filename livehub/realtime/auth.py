"""Who is on a socket: credentials are read once, at connect, and fix the socket's role."""

from django.contrib.auth.models import AnonymousUser

from livehub.errors import Forbidden, Unauthorized
from sessions import selectors
from sessions.rolelinks import role_key_read

from .protocol import ATTENDEE
from .registry import CommandContext


def authenticate(*, code: str, token: str | None, key: str | None, user=None) -> CommandContext:
    """A role key wins over a token, a token over the login session.

    Raises NotFound (no such event), Unauthorized (no or bad credentials) or Forbidden
    (logged in, but without a role on this event).
    """
    event = selectors.event_get(code=code)
    base = {"event_id": event.pk, "event_code": event.code}
    if key:
        role = role_key_read(event=event, key=key)
        return CommandContext(**base, role=role, actor=f"k:{event.pk}:{role}:{key[-16:]}")
    if token:
        participant = selectors.participant_by_token(event=event, token=token)
        return CommandContext(
            **base,
            role=ATTENDEE,
            actor=f"p:{participant.pk}",
            participant_id=participant.pk,
            mode=participant.mode,
        )
    user = user or AnonymousUser()
    if not user.is_authenticated:
        raise Unauthorized("Join the event (token) or sign in (session or role link) first.")
    role = selectors.user_role(event=event, user=user)
    if role is None:
        raise Forbidden("Your account has no role on this event.")
    return CommandContext(**base, role=role, actor=f"u:{user.pk}", user_id=user.pk)
