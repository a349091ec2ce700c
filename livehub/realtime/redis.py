"""Redis clients of the gateway, configured explicitly rather than by library defaults.

A connect burst must wait for a free connection rather than be refused, and an idle subscriber
must not be cut by a read timeout: so the pool is sized here and waits, and the subscriber has
no read timeout (a keepalive PING finds a dead connection instead).

`REDIS_URL` names a standalone Redis (`redis://host:port/db`) or a Redis Cluster
(`redis+cluster://host:port`, any one node; `rediss+cluster://` with TLS): the same calls go to
the node that holds their keys.
"""

import asyncio
from functools import cache
from urllib.parse import urlparse, urlunparse

import redis
import redis.asyncio as aioredis
import redis.asyncio.cluster as aiocluster
import redis.cluster
from django.conf import settings

CONNECT_TIMEOUT = 2.0
COMMAND_TIMEOUT = 5.0
POOL_WAIT = 10.0
HEALTH_CHECK_INTERVAL = 15
CLUSTER_SCHEMES = {"redis+cluster": "redis", "rediss+cluster": "rediss"}


def is_cluster(url: str) -> bool:
    return urlparse(url).scheme in CLUSTER_SCHEMES


def plain_url(url: str, *, host: str | None = None, port: int | None = None) -> str:
    """The URL redis-py reads: the cluster scheme made plain, optionally for one node."""
    parts = urlparse(url)
    scheme = CLUSTER_SCHEMES.get(parts.scheme, parts.scheme)
    netloc = parts.netloc
    if host is not None:
        credentials = netloc.rpartition("@")[0]
        netloc = f"{credentials}@{host}:{port}" if credentials else f"{host}:{port}"
    return urlunparse(parts._replace(scheme=scheme, netloc=netloc))


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


def _cluster_options() -> dict:
    # Per node; a cluster client's pool refuses rather than waits when all are lent out.
    options = _pool_options()
    del options["timeout"]
    return options


@cache
def sync_client(url: str) -> redis.Redis | redis.cluster.RedisCluster:
    """For publishing from Django's (synchronous) transaction hooks; thread-safe."""
    if is_cluster(url):
        return redis.cluster.RedisCluster.from_url(plain_url(url), **_cluster_options())
    return redis.Redis(connection_pool=redis.BlockingConnectionPool.from_url(url, **_pool_options()))


def async_client(url: str) -> aioredis.Redis | aiocluster.RedisCluster:
    """For one event loop's reads (positions, replay, presence); connections are loop-bound."""
    asyncio.get_running_loop()
    if is_cluster(url):
        return aiocluster.RedisCluster.from_url(plain_url(url), **_cluster_options())
    return aioredis.Redis(connection_pool=aioredis.BlockingConnectionPool.from_url(url, **_pool_options()))


def subscriber_connection(url: str) -> aioredis.Connection:
    """A long-lived pub/sub connection to one node (a standalone Redis's URL, or a cluster
    node's from `plain_url`): it may sit idle for hours, so no read timeout."""
    pool = aioredis.ConnectionPool.from_url(
        plain_url(url), socket_connect_timeout=CONNECT_TIMEOUT, socket_timeout=None, socket_keepalive=True
    )
    return pool.make_connection()


@cache
def health_client(url: str) -> redis.Redis | redis.cluster.RedisCluster:
    """Answers within a second or counts Redis as down."""
    if is_cluster(url):
        return redis.cluster.RedisCluster.from_url(plain_url(url), socket_connect_timeout=1, socket_timeout=1)
    return redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
