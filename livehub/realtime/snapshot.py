"""The snapshot a socket gets on connect: each app contributes the part it owns.

Most of an audience snapshot is the same for every socket of a role (the programme, the public
questions, the polls and their results); only a small part is the participant's own (who they
are, their pending questions, votes and answers). In a connect storm, thousands of sockets
would each build the shared part again; instead it is built once per event, role and stream
position and reused. Reuse is exact: a socket uses a shared part only if no event was published
on its non-personal streams since that part's position was read, so anything that changed
later still reaches it as an event after its snapshot.
"""

import copy
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from .protocol import MODERATOR
from .registry import CommandContext

Contributor = Callable[[CommandContext], dict[str, Any]]
Personalize = Callable[[CommandContext, dict[str, Any]], None]
_contributors: list[Contributor] = []
_shared: list[tuple[Contributor, Personalize | None]] = []

_CACHE_SIZE = 64
_cache: OrderedDict[tuple, dict[str, Any]] = OrderedDict()
_cache_lock = threading.Lock()


def contributor(function: Contributor) -> Contributor:
    """Register a selector that adds its keys to every snapshot (filtered by the context's role)."""
    _contributors.append(function)
    return function


def shared_contributor(*, personalize: Personalize | None = None) -> Callable[[Contributor], Contributor]:
    """Register a selector whose part is the same for every socket of a role: it must read only
    the context's event and role. `personalize(ctx, data)` then adds the socket's own part."""

    def register(function: Contributor) -> Contributor:
        _shared.append((function, personalize))
        return function

    return register


def _shared_part(ctx: CommandContext, position: tuple | None) -> dict[str, Any]:
    # Moderators see everything as it is, audit log included; they are few: never cached.
    key = None if position is None or ctx.role == MODERATOR else (ctx.event_id, ctx.role, position)
    if key is not None:
        with _cache_lock:
            hit = _cache.get(key)
            if hit is not None:
                _cache.move_to_end(key)
                return copy.deepcopy(hit)
    shared: dict[str, Any] = {}
    for function, _personalize in _shared:
        shared.update(function(ctx))
    if key is not None:
        with _cache_lock:
            _cache[key] = copy.deepcopy(shared)
            while len(_cache) > _CACHE_SIZE:
                _cache.popitem(last=False)
    return shared


def build_snapshot(ctx: CommandContext, *, position: tuple | None = None) -> dict[str, Any]:
    """The snapshot of `ctx`. `position` (the epoch and the seqs of the socket's non-personal
    streams, read before this call) lets sockets at the same position share the common part."""
    data = _shared_part(ctx, position)
    for _function, personalize in _shared:
        if personalize is not None:
            personalize(ctx, data)
    for function in _contributors:
        data.update(function(ctx))
    return data
