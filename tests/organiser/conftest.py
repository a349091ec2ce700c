from datetime import UTC, date, datetime

import pytest
from django.contrib.auth import get_user_model

from organiser.services import organiser_create
from sessions.models import Event

PASSWORD = "a long organiser passphrase"


@pytest.fixture
def organiser_user(event):
    """Olivia organises SFH2022 (the demo event), and only it."""
    return organiser_create(username="olivia", password=PASSWORD, event_codes=[event.code])


@pytest.fixture
def organiser(client, organiser_user):
    client.force_login(organiser_user)
    return client


@pytest.fixture
def other_event(db):
    """An event someone else organises, with a room, a session and a poll to reach by URL."""
    other = Event.objects.create(
        code="BBD2025", name="Brussels Biotech Day", starts_on=date(2025, 3, 20), ends_on=date(2025, 3, 20)
    )
    room = other.rooms.create(name="Hall", slug="hall")
    other.sessions.create(
        title="Opening", room=room, starts_at=datetime(2025, 3, 20, 8, tzinfo=UTC),
        ends_at=datetime(2025, 3, 20, 9, tzinfo=UTC),
    )  # fmt: skip
    other.speakers.create(name="Anna Peeters")
    return other


@pytest.fixture
def plain_user(db):
    return get_user_model().objects.create_user("plain", password=PASSWORD)
