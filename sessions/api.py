"""HTTP endpoints of the programme: the agenda, and joining as an attendee."""

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from livehub.metrics import join_counted
from livehub.realtime.ratelimit import joins_take

from . import services
from .schemas import JoinIn, JoinOut
from .selectors import event_get, programme

router = Router(tags=["events"])


@router.get("/{code}/", summary="The event and its agenda with live statuses")
def event_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    return programme(event_get(code=code))


@router.post("/{code}/join", response={201: JoinOut}, summary="Join as an attendee (anonymous by default)")
def join(request: HttpRequest, code: str, payload: JoinIn) -> Status:
    with join_counted():
        event = event_get(code=code)
        # REMOTE_ADDR is the client's behind the proxy (Daphne --proxy-headers); counted, never stored.
        joins_take(event_id=event.pk, address=request.META.get("REMOTE_ADDR") or "")
        participant, token = services.participant_join(event=event, name=payload.name, mode=payload.mode)
    return Status(
        201,
        {
            "participant": str(participant.pk),
            "token": token,
            "mode": participant.mode,
            "name": participant.name or None,
        },
    )
