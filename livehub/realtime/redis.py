"""Redis clients of the gateway, configured explicitly rather than by library defaults.

A connect burst must wait for a free connection rather than be refused, and an idle subscriber
must not be cut by a read timeout: so the pool is sized here and waits, and the subscriber has
no read timeout (a health check finds a dead connection instead).
"""

import asyncio
from functools import cache

import redis
import redis.asyncio as aioredis
from django.conf import settings

CONNECT_TIMEOUT = 2.0
COMMAND_TIMEOUT = 5.0
POOL_WAIT = 10.0
HEALTH_CHECK_INTERVAL = 15


def max_connections() -> int:
    return settings.LIVEHUB_REALTIME["REDIS_MAX_CONNECTIONS"]


def _pool_options() -> dict:
    return {
        "max_connections": max_connections(),
        "timeout": POOL_WAIT,  # wait for a free connection instead of failing the request
        "socket_connect_timeout": CONNECT_TIMEOUT,
        "socket_timeout": COMMAND_TIMEOUT,
        "health_check_interval": HEALTH_CHECK_INTERVAL,
    }


@cache
def sync_client(url: str) -> redis.Redis:
    """For publishing from Django's (synchronous) transaction hooks; thread-safe."""
    return redis.Redis(connection_pool=redis.BlockingConnectionPool.from_url(url, **_pool_options()))


def async_client(url: str) -> aioredis.Redis:
    """For one event loop's reads (positions, replay, presence); connections are loop-bound."""
    asyncio.get_running_loop()
    return aioredis.Redis(connection_pool=aioredis.BlockingConnectionPool.from_url(url, **_pool_options()))


def subscriber_client(url: str) -> aioredis.Redis:
    """One long-lived pub/sub connection per process: it may sit idle for hours."""
    return aioredis.Redis.from_url(
        url,
        socket_connect_timeout=CONNECT_TIMEOUT,
        socket_timeout=None,
        socket_keepalive=True,
        health_check_interval=HEALTH_CHECK_INTERVAL,
    )


@cache
def health_client(url: str) -> redis.Redis:
    """Answers within a second or counts Redis as down."""
    return redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
