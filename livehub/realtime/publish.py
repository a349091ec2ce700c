"""Publishing events: serialized once, sent after the transaction commits."""

import contextlib
import logging
from collections.abc import Callable, Iterator
from typing import Any

from django.db import IntegrityError, transaction

from livehub.errors import DomainError

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
    # Outside a transaction the write is already committed and nothing precedes the publish.
    member = announce(event_id) if transaction.get_connection().in_atomic_block else None
    transaction.on_commit(_sender(member, event_id=event_id, type=type, data=data, stream=stream, mark=mark))


@contextlib.contextmanager
def announced(event_id: int) -> Iterator[str | None]:
    """Around one autocommit statement that writes a change of `event_id`: its publish is
    announced before it (as `publish_on_commit` does before a commit), and crossed off at once
    when the statement is refused (a DomainError, or a unique key: it wrote nothing). Any other
    error may come after PostgreSQL applied it: that announcement stays, for the sweep to heal.
    Yields what `publish_announced` crosses off."""
    member = announce(event_id)
    try:
        yield member
    except (DomainError, IntegrityError):
        if member is not None:
            announcement_published(member)
            announcements_cross_off([member])
        raise


def publish_announced(
    member: str | None,
    *,
    event_id: int,
    type: str,
    data: dict[str, Any],
    stream: str = PUBLIC,
    mark: Mark | None = None,
) -> None:
    """Publish the change an `announced` statement wrote (with the commit, if it joined a transaction)."""
    transaction.on_commit(_sender(member, event_id=event_id, type=type, data=data, stream=stream, mark=mark))


def _sender(
    member: str | None, *, event_id: int, type: str, data: dict[str, Any], stream: str, mark: Mark | None
) -> Callable[[], None]:
    data_text = dumps(data)

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

    return send
