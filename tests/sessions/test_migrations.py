"""Rooms were free text on each session: an installation gets one room per name, with the
sessions, the running session and the current session where they were."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = ("livesessions", "0006_backstage_notes_and_timer")


def migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection)


def test_each_room_name_becomes_a_room_with_its_sessions_and_current_session(event):
    old = migrate([BEFORE]).loader.project_state([BEFORE]).apps
    try:
        sessions = old.get_model("livesessions", "Session").objects.filter(event_id=event.pk).order_by("order")
        first, second, third, fourth = (s.pk for s in sessions[:4])
        sessions.filter(pk=second).update(room="Salle Érasme", status="live")
        sessions.filter(pk=third).update(room="salle erasme")  # the same slug as above
        sessions.filter(pk=fourth).update(room="")
        old.get_model("livesessions", "Event").objects.filter(pk=event.pk).update(current_session_id=first)
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())  # the rest of the suite needs it
    from sessions.models import Session

    rooms = list(event.rooms.values_list("name", "slug", "current_session"))
    assert rooms == [
        ("Room 1", "room-1", first),
        ("Salle Érasme", "salle-erasme", second),
        ("salle erasme", "salle-erasme-2", None),
        ("Foyer", "foyer", None),
    ]
    assert Session.objects.get(pk=third).room.slug == "salle-erasme-2"
    assert Session.objects.get(pk=fourth).room is None
