"""The actions' signals, turned into queued deliveries (inside the action's transaction)."""

from polls.selectors import poll_payload, poll_results
from qa.selectors import question_payload
from sessions.selectors import session_payload

from .services import deliveries_enqueue


def _question_data(question) -> dict:
    session = question.session
    return {
        "question": question_payload(question),
        # The room's name, as the public session payload carries it ("" for a session without a room).
        "session": {"id": session.pk, "title": session.title, "room": session.room.name if session.room_id else ""},
    }


def on_question_approved(sender, question, **kwargs) -> None:
    deliveries_enqueue(event=question.event, type="question.approved", data=lambda: _question_data(question))


def on_question_answered(sender, question, **kwargs) -> None:
    deliveries_enqueue(event=question.event, type="question.answered", data=lambda: _question_data(question))


def on_poll_closed(sender, poll, **kwargs) -> None:
    deliveries_enqueue(
        event=poll.event,
        type="poll.closed",
        data=lambda: {"poll": poll_payload(poll), "results": poll_results(poll, for_moderators=False)},
    )


def on_session_status(sender, session, previous, **kwargs) -> None:
    event = session.event
    deliveries_enqueue(
        event=event,
        type="session.status_changed",
        data=lambda: {"session": session_payload(session, timezone=event.timezone), "previous_status": previous},
    )
