"""One process's chores, on a loop of their own beside the fan-out.

Every presence interval: the room / online counts are reported and shown where they moved,
what a dead process left undone is finished (publishes it never made, counters it never
flushed); every minute the counts are kept as the events' attendance, and every few minutes
old command receipts are forgotten.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone

from .attendance import SAMPLE_EVERY, presence_record
from .coalesce import Coalescer
from .dbwork import db_work
from .dispatch import receipts_purge
from .healing import sweep_orphaned_publishes

if TYPE_CHECKING:
    from .hub import Hub

log = logging.getLogger(__name__)

RECEIPT_PURGE_EVERY = 600.0


class Housekeeping:
    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self._task: asyncio.Task | None = None
        self._receipts_purged_at: float | None = None
        self._sampled_at: float | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="livehub-housekeeping")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _loop(self) -> None:
        interval = settings.LIVEHUB_REALTIME["PRESENCE_INTERVAL"]
        while True:
            await asyncio.sleep(interval)
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - presence is best effort; try next tick
                log.warning("presence update failed: %s", error.__class__.__name__)

    async def tick(self) -> None:
        """At most one presence update per event per interval, only when the counts moved; then
        the sweeps and the purge."""
        hub, broker = self.hub, self.hub.broker
        events = hub.presence_due()
        for event_id in events:
            hub.presence_show(event_id, await broker.presence(event_id, hub.process_id, hub.local_presence(event_id)))
        if broker.shared:
            await asyncio.to_thread(_sweep, events)
        await self._sample(events)
        await self._purge_receipts()

    async def _sample(self, events: set[int]) -> None:
        now = self.hub.loop.time()
        if not events or (self._sampled_at is not None and now - self._sampled_at < SAMPLE_EVERY):
            return
        self._sampled_at = now
        totals = {event_id: self.hub.presence(event_id) for event_id in events}
        minute = timezone.now().replace(second=0, microsecond=0)
        try:
            await db_work(presence_record)(minute=minute, totals=totals)
        except Exception as error:  # noqa: BLE001 - the database is away: this minute goes unsampled
            log.warning("recording attendance failed (%s)", error.__class__.__name__)

    async def _purge_receipts(self) -> None:
        # Every few minutes per process; several processes deleting the same old rows is harmless.
        now = self.hub.loop.time()
        if self._receipts_purged_at is not None and now - self._receipts_purged_at < RECEIPT_PURGE_EVERY:
            return
        self._receipts_purged_at = now
        older_than = timedelta(hours=settings.LIVEHUB_REALTIME["RECEIPT_HOURS"])
        try:
            await db_work(receipts_purge)(older_than=older_than)
        except Exception as error:  # noqa: BLE001 - the database is away: purge next time
            log.warning("purging command receipts failed (%s)", error.__class__.__name__)


def _sweep(events: set[int]) -> None:
    """What a dead process left undone is finished by whoever notices first: publishes it never
    made (healing.py) and counters it never flushed (coalesce.py)."""
    try:
        sweep_orphaned_publishes()
    except Exception as error:  # noqa: BLE001 - Redis away: the next tick sweeps again
        log.warning("sweeping orphaned publishes failed (%s)", error.__class__.__name__)
        return
    for coalescer in Coalescer.registry:
        for event_id in events:
            try:
                coalescer.sweep(event_id)
            except Exception as error:  # noqa: BLE001 - Redis away: the next tick sweeps again
                log.warning("sweeping %s of event %s failed (%s)", coalescer.name, event_id, error.__class__.__name__)
                return
