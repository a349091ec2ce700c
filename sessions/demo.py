"""The reference congress: Science for Health 2022, Square, Brussels, 21 November 2022."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction

from .models import Event, EventRole, Room, Session, Speaker

CODE = "SFH2022"
TZ = ZoneInfo("Europe/Brussels")
DAY = date(2022, 11, 21)
DEMO_USERS = {
    # username: (password, role, first name)
    "moderator": ("sfh2022-moderator", EventRole.Role.MODERATOR, "Demo moderator"),
    "speaker": ("sfh2022-speaker", EventRole.Role.SPEAKER, "Demo speaker"),
}

SPEAKERS = {
    "Katherine High": "AskBio",
    "Bart Leroy": "UZ Gent",
    "Monica Bennett": "Novartis",
    "Federico Mingozzi": "Spark Therapeutics",
}

# (start, end, kind, title, description, speakers)
PROGRAMME = [
    ("09:00", "09:15", "talk", "Welcome", "Opening of Science for Health 2022 by MEDVIA.", []),
    (
        "09:15",
        "10:00",
        "talk",
        "Keynote: the first gene therapy for an inherited eye disease",
        "From the laboratory to the first approved gene therapy for an inherited retinal dystrophy.",
        ["Katherine High"],
    ),
    (
        "10:00",
        "11:00",
        "roundtable",
        "How can we make these new therapies more affordable?",
        "Morning roundtable: Bart Leroy (UZ Gent) and other experts on pricing, reimbursement and access.",
        ["Bart Leroy"],
    ),
    ("11:00", "11:30", "break", "Coffee break", "", []),
    (
        "11:30",
        "12:15",
        "talk",
        "Gene therapy for neurological disorders",
        "What gene therapy can change for patients with neurological disorders.",
        ["Monica Bennett"],
    ),
    (
        "12:15",
        "13:00",
        "talk",
        "Delivery and large-scale production of gene therapies",
        "Vectors, delivery and the challenge of manufacturing at scale.",
        ["Federico Mingozzi"],
    ),
    ("13:00", "14:00", "break", "Lunch", "", []),
    (
        "14:00",
        "15:30",
        "debate",
        "Can Belgium become the European hub for gene therapy?",
        "Afternoon debate, with a stance poll of the audience before and after.",
        [],
    ),
    ("15:30", "16:00", "talk", "Closing", "Conclusions and farewell.", []),
]


def _at(clock: str) -> datetime:
    hour, minute = (int(part) for part in clock.split(":"))
    return datetime(DAY.year, DAY.month, DAY.day, hour, minute, tzinfo=TZ)


@transaction.atomic
def seed_demo() -> Event:
    """Create or refresh the demo congress. Running it again changes nothing.

    Live state (session statuses, the current session, role-link secret) is left as it is,
    so restarting the demo does not undo what a moderator did.
    """
    event, _ = Event.objects.update_or_create(
        code=CODE,
        defaults={
            "name": "Science for Health 2022",
            "organiser": "MEDVIA",
            "venue": "Square conference center",
            "city": "Brussels",
            "timezone": "Europe/Brussels",
            "starts_on": DAY,
            "ends_on": DAY,
            "online": True,
        },
    )
    speakers = {
        name: Speaker.objects.update_or_create(event=event, name=name, defaults={"affiliation": affiliation})[0]
        for name, affiliation in SPEAKERS.items()
    }
    rooms = {
        name: Room.objects.update_or_create(event=event, slug=slug, defaults={"name": name, "order": order})[0]
        for order, (name, slug) in enumerate((("Room 1", "room-1"), ("Foyer", "foyer")), start=1)
    }
    for order, (start, end, kind, title, description, names) in enumerate(PROGRAMME, start=1):
        session, _ = Session.objects.update_or_create(
            event=event,
            order=order,
            defaults={
                "title": title,
                "description": description,
                "kind": kind,
                "room": rooms["Room 1" if kind != "break" else "Foyer"],
                "starts_at": _at(start),
                "ends_at": _at(end),
            },
        )
        session.speakers.set([speakers[name] for name in names])
    Session.objects.filter(event=event, order__gt=len(PROGRAMME)).delete()

    users = get_user_model()
    for username, (password, role, first_name) in DEMO_USERS.items():
        user, created = users.objects.get_or_create(username=username, defaults={"first_name": first_name})
        if created:
            user.set_password(password)
            user.save(update_fields=["password"])
        EventRole.objects.get_or_create(event=event, user=user, role=role)
    return event
