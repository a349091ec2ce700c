"""A few audience questions for the demo congress, so the Q&A panels are not empty on first look."""

from django.db import transaction

from sessions.models import Event, Participant, Session

from .models import Question

# (session kind, text, state, shown name)
QUESTIONS = [
    (
        "roundtable",
        "Who should pay for a therapy that cures with one dose: the patient's insurer, or Europe?",
        Question.State.APPROVED,
        "Els",
    ),
    (
        "roundtable",
        "Could outcome-based payments over several years make these prices bearable?",
        Question.State.APPROVED,
        "",
    ),
    ("roundtable", "How do we make sure patients in smaller countries get access too?", Question.State.PENDING, ""),
    (
        "debate",
        "What would Belgium need to build first: manufacturing capacity or clinical trial networks?",
        Question.State.APPROVED,
        "Pieter",
    ),
]


@transaction.atomic
def seed_demo_questions(event: Event) -> None:
    """Idempotent: each demo question exists once, asked by the demo audience member."""
    audience, _ = Participant.objects.get_or_create(
        event=event, token_hash="demo-audience-member", defaults={"name": "Demo audience", "mode": "room"}
    )
    for kind, text, state, name in QUESTIONS:
        session = Session.objects.filter(event=event, kind=kind).order_by("order").first()
        if session is not None:
            Question.objects.get_or_create(
                event=event,
                session=session,
                text=text,
                defaults={"author": audience, "author_name": name, "state": state},
            )
