"""HTTP endpoints of the Q&A: the public questions of a session, for integrations and archives."""

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router

from sessions.selectors import event_get, session_get

from .selectors import public_questions, question_payload

router = Router(tags=["questions"])


@router.get("/{code}/sessions/{session_id}/questions", summary="Approved and answered questions of a session")
def session_questions(
    request: HttpRequest, code: str, session_id: int, order: Literal["top", "recent"] = "top"
) -> dict[str, Any]:
    event = event_get(code=code)
    session = session_get(event_id=event.pk, session_id=session_id)
    return {
        "session": session.pk,
        "order": order,
        "questions": [question_payload(question) for question in public_questions(session=session, order=order)],
    }
