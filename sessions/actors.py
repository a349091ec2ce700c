"""Who sent a command, as one stable text (a command receipt's `actor`). The format lives here only.

`p:<participant>`: an attendee, or staff acting with the participant token they presented;
`k:<event>:<role>:<end of the key>`: everyone holding one role link (one sender for `ref` retries);
`u:<event>:<account>`: a signed-in account. Each names its event, so a purge finds them all.
"""

from collections.abc import Iterable
from uuid import UUID

from django.db.models import Q


def participant_actor(participant_id: UUID | str) -> str:
    return f"p:{participant_id}"


def role_link_actor(*, event_id: int, role: str, key: str) -> str:
    return f"k:{event_id}:{role}:{key[-16:]}"


def account_actor(*, event_id: int, user_id: int) -> str:
    return f"u:{event_id}:{user_id}"


def actors_of_event(*, event_id: int, participant_ids: Iterable[UUID]) -> Q:
    """A filter on an `actor` field: every sender of this event (its participants, links and accounts)."""
    return (
        Q(actor__in=[participant_actor(pk) for pk in participant_ids])
        | Q(actor__startswith=f"k:{event_id}:")
        | Q(actor__startswith=f"u:{event_id}:")
    )
