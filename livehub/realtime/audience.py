"""How many sockets of an event this process serves: what its coalesced updates cost it."""

from __future__ import annotations

import weakref
from typing import Protocol


class Serves(Protocol):
    def sockets_of(self, event_id: int) -> int: ...


# Every event loop's hub of this process (a test may run several).
_hubs: weakref.WeakSet[Serves] = weakref.WeakSet()


def audience_register(hub: Serves) -> None:
    _hubs.add(hub)


def local_audience(event_id: int) -> int:
    """Sockets of the event in this process; safe from any thread (a size read under the GIL)."""
    return sum(hub.sockets_of(event_id) for hub in list(_hubs))
