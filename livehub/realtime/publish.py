"""Publishing events: serialized once, sent after the transaction commits."""

import logging
from typing import Any

from django.db import transaction

from .broker import Mark, get_broker
from .healing import announce, announcement_published, announcements_cross_off, healer
from .protocol import PUBLIC, dumps

log = logging.getLogger(__name__)


def publish_on_commit(
    *, event_id: int, type: str, data: dict[str, Any], stream: str = PUBLIC, mark: Mark | None = None
) -> None:
    """Publish `type` with `data` on `stream` once (and only if) the current transaction commits.

    The payload is serialized now, from the state this transaction wrote. `mark` (a coalescer and
    a key) is marked first, in the same Redis round trip: a process dying between the two leaves
    a mark (swept by another process) or an announcement (healed), never neither.
    """
    data_text = dumps(data)
    # Outside a transaction the write is already committed and nothing precedes the publish.
    member = announce(event_id) if transaction.get_connection().in_atomic_block else None

    def send() -> None:
        if member is not None:
            announcement_published(member)
        try:
            get_broker().publish(
                event_id=event_id, stream=stream, type=type, data_text=data_text, inflight=member, mark=mark
            )
        except Exception as error:  # noqa: BLE001 - the write is committed whatever happens here
            # The command stays acknowledged; the clients get the change by a snapshot instead.
            log.warning("publishing %s for event %s failed (%s)", type, event_id, error.__class__.__name__)
            healer.mark(event_id)
            announcements_cross_off([member] if member else [])

    transaction.on_commit(send)
