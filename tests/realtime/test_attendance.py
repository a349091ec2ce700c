"""Attendance: one sample a minute per event, whichever process writes it first."""

from datetime import UTC, datetime

import pytest
from channels.db import database_sync_to_async

from livehub.realtime.attendance import presence_record
from livehub.realtime.hub import get_hub
from livehub.realtime.models import PresenceSample
from tests.helpers import Socket

pytestmark = pytest.mark.django_db(transaction=True)

NINE = datetime(2022, 11, 21, 8, 0, tzinfo=UTC)


def test_the_first_process_to_sample_a_minute_keeps_it(event):
    presence_record(minute=NINE, totals={event.pk: {"room": 120, "online": 310}})
    presence_record(minute=NINE, totals={event.pk: {"room": 121, "online": 309}})
    assert list(PresenceSample.objects.values_list("minute", "room", "online")) == [(NINE, 120, 310)]


@pytest.mark.usefixtures("hub_stopped")
async def test_housekeeping_samples_the_connected_once_a_minute(event, attendee):
    socket = await Socket.open(token=attendee.token)
    hub = await get_hub()
    await hub.housekeeping.tick()
    await hub.housekeeping.tick()  # within the minute: nothing more
    samples = await database_sync_to_async(lambda: list(PresenceSample.objects.values_list("event_id", "online")))()
    assert samples == [(event.pk, 1)]
    await socket.close()
