"""The socket gateway's database work, on threads of its own.

Each thread borrows a connection from the process's pool for one unit of work (a command, an
authentication, a snapshot) and gives it back. When the pool is exhausted or PostgreSQL is away,
these threads wait up to the pool's timeout: on the event loop's default executor they would
starve everything else that runs there (Django logs every 4xx/5xx response on it, so even
/healthz stopped answering).
"""

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from channels.db import database_sync_to_async

# As many as the loop's default executor would have; the pool, not this, bounds the connections.
EXECUTOR = ThreadPoolExecutor(max_workers=min(32, (os.cpu_count() or 1) + 4), thread_name_prefix="livehub-db")


def db_work(func: Callable[..., Any]) -> Callable[..., Any]:
    """`func` as a coroutine run on the gateway's database threads (connections closed around it,
    which with the pool means borrowed and given back)."""
    return database_sync_to_async(func, thread_sensitive=False, executor=EXECUTOR)
