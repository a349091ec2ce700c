"""The snapshot a socket gets on connect: each app contributes the part it owns.

Most of an audience snapshot is the same for every socket of a role (the programme, the public
questions, the polls and their results); only a small part is the participant's own (who they
are, their pending questions, votes and answers). In a connect storm, thousands of sockets
would each build the shared part again; instead it is built once per event, role and stream
position and reused, JSON text included. Reuse is exact: a socket uses a shared part only if no
event was published on its non-personal streams since that part's position was read, so
anything that changed later still reaches it as an event after its snapshot.

A socket's own part costs one query: every app's own rows are read with one UNION ALL.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from django.db import connection

from livehub.sql import uuid_param

from .protocol import MODERATOR, dumps
from .registry import CommandContext


class Raw(str):
    """A value already serialized as JSON text (e.g. a shared list with this socket's marks)."""


class SharedPart:
    """The common part of one event, role and position. Its values are never changed after it
    is built (sockets share them); what is derived from them is made once, on first use."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self._memo: dict[str, Any] = {}

    def memo(self, name: str, make: Callable[[], Any]) -> Any:
        # Two threads may both make it the first time: `make` is pure, either result is right.
        try:
            return self._memo[name]
        except KeyError:
            value = self._memo[name] = make()
            return value

    def text(self, key: str) -> str:
        return self.memo(f"text:{key}", lambda: dumps(self.data[key]))


Contributor = Callable[[CommandContext], dict[str, Any]]
# (ctx, the shared part, this app's own rows) -> the keys it adds or replaces: JSON values or Raw text.
Personalize = Callable[[CommandContext, SharedPart, list[tuple]], dict[str, Any]]
_contributors: list[Contributor] = []
_shared: list[tuple[Contributor, Personalize | None, str | None]] = []

_CACHE_SIZE = 64
_cache: OrderedDict[tuple, SharedPart] = OrderedDict()
_cache_lock = threading.Lock()
_building: dict[tuple, threading.Lock] = {}


def contributor(function: Contributor) -> Contributor:
    """Register a selector that adds its keys to every snapshot (filtered by the context's role)."""
    _contributors.append(function)
    return function


def shared_contributor(
    *, personalize: Personalize | None = None, own_rows: str | None = None
) -> Callable[[Contributor], Contributor]:
    """Register a selector whose part is the same for every socket of a role: it must read only
    the context's event and role. `personalize(ctx, shared, rows)` then returns the socket's own
    keys, never changing `shared`.

    `own_rows` is the app's SELECT of a participant's rows, with `%(event)s` and
    `%(participant)s` parameters. Its columns are an integer then six texts (cast them: the
    apps' selects are one UNION ALL); `rows` holds them, empty for a socket without participant.
    """

    def register(function: Contributor) -> Contributor:
        _shared.append((function, personalize, own_rows))
        return function

    return register


def _shared_part(ctx: CommandContext, position: tuple | None) -> SharedPart:
    # Moderators see everything as it is, audit log included; they are few: never cached.
    key = None if position is None or ctx.role == MODERATOR else (ctx.event_id, ctx.role, position)
    if key is None:
        return _build_shared(ctx)
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return hit
        building = _building.setdefault(key, threading.Lock())
    # One build per key: the sockets that miss at the same time wait for it instead of each
    # building it too (at the start of a storm, one per worker thread).
    with building:
        with _cache_lock:
            hit = _cache.get(key)
        if hit is None:
            try:
                hit = _build_shared(ctx)
                with _cache_lock:
                    _cache[key] = hit
                    while len(_cache) > _CACHE_SIZE:
                        _cache.popitem(last=False)
            finally:
                with _cache_lock:
                    _building.pop(key, None)
    return hit


def _build_shared(ctx: CommandContext) -> SharedPart:
    data: dict[str, Any] = {}
    for function, _personalize, _own_rows in _shared:
        data.update(function(ctx))
    return SharedPart(data)


def _own_rows(ctx: CommandContext) -> list[list[tuple]]:
    """Each shared contributor's own rows of the socket's participant, in one query."""
    rows: list[list[tuple]] = [[] for _ in _shared]
    selects = [(index, sql) for index, (_f, _p, sql) in enumerate(_shared) if sql]
    if ctx.participant_id is None or not selects:
        return rows
    participant = uuid_param(ctx.participant_id)
    # The selects are the apps' constants; the values are parameters.
    query = " UNION ALL ".join(f"SELECT {index} AS part, own.* FROM ({sql}) AS own" for index, sql in selects)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(query, {"event": ctx.event_id, "participant": participant})
        for part, *row in cursor.fetchall():
            rows[part].append(tuple(row))
    return rows


def build_snapshot(ctx: CommandContext, *, position: tuple | None = None) -> dict[str, str]:
    """The snapshot of `ctx`, as the JSON text of each of its keys, in order. `position` (the
    epoch and the seqs of the socket's non-personal streams, read before this call) lets
    sockets at the same position share the common part."""
    shared = _shared_part(ctx, position)
    own: dict[str, Any] = {}
    for (_function, personalize, _sql), rows in zip(_shared, _own_rows(ctx), strict=True):
        if personalize is not None:
            own.update(personalize(ctx, shared, rows))
    for function in _contributors:
        own.update(function(ctx))
    # The order of `dict.update`: the shared keys, replaced in place, then the socket's new ones.
    texts = {key: _text(own[key]) if key in own else shared.text(key) for key in shared.data}
    texts.update((key, _text(value)) for key, value in own.items() if key not in texts)
    return texts


def _text(value: Any) -> str:
    return value if isinstance(value, Raw) else dumps(value)
