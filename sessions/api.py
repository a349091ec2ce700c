"""HTTP endpoints of the programme: the agenda, and joining as an attendee."""

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from . import services
from .schemas import JoinIn, JoinOut
from .selectors import event_get, programme

router = Router(tags=["events"])


@router.get("/{code}/", summary="The event and its agenda with live statuses")
def event_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    return programme(event_get(code=code))


@router.post("/{code}/join", response={201: JoinOut}, summary="Join as an attendee (anonymous by default)")
def join(request: HttpRequest, code: str, payload: JoinIn) -> Status:
    participant, token = services.participant_join(event=event_get(code=code), name=payload.name, mode=payload.mode)
    return Status(
        201,
        {
            "participant": str(participant.pk),
            "token": token,
            "mode": participant.mode,
            "name": participant.name or None,
        },
    )
