"""The socket gateway's database work, on threads of its own.

When the pool is exhausted or PostgreSQL is away, these threads wait up to the pool's timeout: on
the event loop's default executor they would starve everything else that runs there (Django logs
every 4xx/5xx response on it, so even /healthz stopped answering).

With the process's pool, each thread keeps the connection it borrowed across units of work (a
command, an authentication, a snapshot) instead of borrowing and returning one for each: a
checkout cost about 12 % of a vote's path (the pool's check, Django setting autocommit, the
return). The threads are few and fixed, so the connections they hold are too (THREADS of the
pool's LIVEHUB_DB_POOL_MAX); a connection that failed, or that has been held for HOLD_SECONDS,
goes back to the pool, which replaces or recycles it. Without a pool (the embedded SQLite, the
test process) each unit closes its connections, as Django's request cycle does.
"""

import asyncio
import contextvars
import functools
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.db import close_old_connections, connections

# As many as the loop's default executor would have; each holds at most one pooled connection.
THREADS = min(32, (os.cpu_count() or 1) + 4)
EXECUTOR = ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="livehub-db")
# The pool recycles connections (max_lifetime) only when they come back to it.
HOLD_SECONDS = 300.0


class _Held(threading.local):
    since: float = 0.0


_held = _Held()


def _pooled() -> bool:
    return bool(getattr(connections["default"], "pool", None))


def release_unusable_connections() -> None:
    """After a unit of work: keep a healthy pooled connection for the next one, give back the rest."""
    if not _pooled():
        close_old_connections()
        return
    now = time.monotonic()
    for connection in connections.all(initialized_only=True):
        if connection.connection is None:
            continue
        if connection.errors_occurred and not connection.is_usable():
            connection.close()
        elif connection.in_atomic_block or connection.get_autocommit() != connection.settings_dict["AUTOCOMMIT"]:
            connection.close()  # never lend on a connection left mid-transaction
        elif now - _held.since > HOLD_SECONDS:
            connection.close()
        else:
            connection.errors_occurred = False
            continue
        _held.since = now


def _run(func: Callable[..., Any], args: tuple, kwargs: dict) -> Any:
    if not _held.since:
        _held.since = time.monotonic()
    try:
        return func(*args, **kwargs)
    finally:
        release_unusable_connections()


def db_work(func: Callable[..., Any]) -> Callable[..., Any]:
    """`func` as a coroutine run on the gateway's database threads (in the caller's context)."""

    @functools.wraps(func)
    async def run(*args: Any, **kwargs: Any) -> Any:
        context = contextvars.copy_context()
        call = functools.partial(context.run, _run, func, args, kwargs)
        return await asyncio.get_running_loop().run_in_executor(EXECUTOR, call)

    return run
