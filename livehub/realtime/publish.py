"""Publishing events: serialized once, sent after the transaction commits."""

import logging
from typing import Any

from django.db import transaction

from .broker import get_broker
from .protocol import PUBLIC, dumps

log = logging.getLogger(__name__)


def publish_on_commit(*, event_id: int, type: str, data: dict[str, Any], stream: str = PUBLIC) -> None:
    """Publish `type` with `data` on `stream` once (and only if) the current transaction commits.

    The payload is serialized now, from the state this transaction wrote.
    """
    data_text = dumps(data)

    def send() -> None:
        get_broker().publish(event_id=event_id, stream=stream, type=type, data_text=data_text)

    # robust: the write is committed whatever happens here; a failed publish is healed by
    # the clients' replay/snapshot, so it must not turn a committed command into an error.
    transaction.on_commit(send, robust=True)
