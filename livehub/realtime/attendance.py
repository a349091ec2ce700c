"""Attendance: once a minute, how many were connected to each event, in the room and online."""

from datetime import datetime

from .models import PresenceSample

# Seconds between two samples of an event.
SAMPLE_EVERY = 60.0


def presence_record(*, minute: datetime, totals: dict[int, dict[str, int]]) -> None:
    """One sample per event for `minute` (counts over every process); a minute another process
    already wrote is kept as it is."""
    samples = [
        PresenceSample(event_id=event_id, minute=minute, room=counts.get("room", 0), online=counts.get("online", 0))
        for event_id, counts in totals.items()
    ]
    PresenceSample.objects.bulk_create(samples, ignore_conflicts=True)
