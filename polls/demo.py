"""Draft polls of the demo congress: the debate's stance pair and one poll for the roundtable."""

from django.db import transaction

from sessions.models import Event, Session

from .models import Option, Poll
from .services import STANCE_LABELS

STATEMENT = "Belgium can become the European hub for gene therapy."


def _poll(event: Event, session: Session, prompt: str, kind: str, labels: list[str], **extra) -> Poll:
    poll, created = Poll.objects.get_or_create(
        event=event, session=session, prompt=prompt, phase=extra.pop("phase", ""), defaults={"kind": kind, **extra}
    )
    if created:
        Option.objects.bulk_create([Option(poll=poll, label=label, order=i) for i, label in enumerate(labels)])
    return poll


@transaction.atomic
def seed_demo_polls(event: Event) -> None:
    """Idempotent: drafts that the moderators open during the day."""
    debate = Session.objects.filter(event=event, kind="debate").first()
    if debate is not None:
        before = _poll(event, debate, STATEMENT, "stance", STANCE_LABELS[3], phase="before", order=1, auto_open=True)
        after = _poll(event, debate, STATEMENT, "stance", STANCE_LABELS[3], phase="after", order=2)
        if after.stance_pair_id != before.pk:
            Poll.objects.filter(pk=after.pk).update(stance_pair=before)
    roundtable = Session.objects.filter(event=event, kind="roundtable").first()
    if roundtable is not None:
        _poll(
            event,
            roundtable,
            "Who should pay for one-shot gene therapies?",
            "single",
            [
                "Public health insurance",
                "Pharmaceutical companies, through lower prices",
                "A European fund",
                "Patients and private insurance",
            ],
            order=1,
        )
        _poll(event, roundtable, "One word for the price of gene therapy today?", "wordcloud", [], order=2)
