"""A process's subscriptions to the events it serves, on Redis sharded pub/sub.

Each event has a channel of its own (`lh:{<event id>}:fanout:<db>`), in the hash slot of the
event's sequence and log keys: the publish script may `SPUBLISH` to it, and on a Redis Cluster
it lives on the shard that holds the event. A process subscribes (`SSUBSCRIBE`) when its first
socket of an event arrives and unsubscribes when the last one leaves, so it receives only the
frames of the events it serves.

One connection per node carries the subscriptions placed on that node (a standalone Redis is
one node). Commands go out in order on it and Redis answers them in order, so counting the
`ssubscribe` confirmations of a channel tells which `SSUBSCRIBE` Redis has applied: a socket
that joins while an unsubscribe of its event is on the way waits for the confirmation of the
new `SSUBSCRIBE`, not the old one, before it reads its position. A connection lost, or a slot
moved to another node, resubscribes where the slot now lives and then resyncs that event's
sockets (they replay what they missed).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from livehub.metrics import REDIS_RECONNECTS, fanout_counted, fanout_stopped

from . import redis as lhredis

if TYPE_CHECKING:
    from .broker import Subscriber

log = logging.getLogger(__name__)

# A node that answers nothing, not even a PING, within two intervals is taken for dead.
KEEPALIVE_INTERVAL = lhredis.HEALTH_CHECK_INTERVAL


@dataclass(eq=False)
class Follow:
    """One event this process subscribes to."""

    event_id: int
    channel: bytes
    ready: asyncio.Future  # set once Redis confirmed the subscription
    shard: Shard | None = None
    needs: int = 0  # the count of this channel's confirmations that answers our SSUBSCRIBE
    resync: bool = False  # frames may have been missed: resync the event's sockets once subscribed


@dataclass(eq=False)
class _Link:
    """One live connection's bookkeeping; a new connection starts afresh."""

    connection: Any
    commands: asyncio.Queue = field(default_factory=asyncio.Queue)
    sent: dict[bytes, int] = field(default_factory=dict)  # SSUBSCRIBEs sent, per channel
    confirmed: dict[bytes, int] = field(default_factory=dict)  # `ssubscribe` answers, per channel
    leaving: dict[bytes, int] = field(default_factory=dict)  # SUNSUBSCRIBEs not answered yet


class Shard:
    """One connection to one Redis node and the subscriptions placed on it."""

    def __init__(self, fanout: Fanout, address: tuple[str, int] | None) -> None:
        self.fanout = fanout
        self.address = address  # None: the standalone Redis of the URL
        self.follows: dict[bytes, Follow] = {}
        self.received = 0  # published events read (what `livehub_fanout_received_total` sums)
        self._answers = 0  # everything else read (confirmations, PONGs): with `received`, proof of life
        self._link: _Link | None = None
        self._task = asyncio.create_task(self._run(), name="livehub-fanout-shard")

    def subscribe(self, follow: Follow) -> None:
        follow.shard = self
        self.follows[follow.channel] = follow
        if self._link is not None:
            self._send_subscribe(self._link, follow)

    def unsubscribe(self, follow: Follow) -> None:
        self.follows.pop(follow.channel, None)
        link = self._link
        if link is not None:
            link.leaving[follow.channel] = link.leaving.get(follow.channel, 0) + 1
            link.commands.put_nowait(("SUNSUBSCRIBE", follow.channel))

    def _send_subscribe(self, link: _Link, follow: Follow) -> None:
        follow.needs = link.sent[follow.channel] = link.sent.get(follow.channel, 0) + 1
        link.commands.put_nowait(("SSUBSCRIBE", follow.channel))

    async def stop(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    async def _run(self) -> None:
        delay = 0.1
        while True:
            connection = self.fanout.connection(self.address)
            writer = None
            try:
                await connection.connect()
                link = self._link = _Link(connection)
                for follow in self.follows.values():
                    self._send_subscribe(link, follow)
                writer = asyncio.create_task(self._write(link), name="livehub-fanout-writer")
                delay = 0.1
                await self._read(link)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - any Redis failure: log, back off, resubscribe
                log.warning("fan-out subscriber lost Redis (%s); resubscribing", error.__class__.__name__)
                REDIS_RECONNECTS.inc()
            finally:
                self._link = None
                if writer is not None:
                    writer.cancel()
                with contextlib.suppress(Exception):  # the connection may already be broken
                    await connection.disconnect(nowait=True)
            for follow in self.follows.values():
                # Subscribed before, frames may have come meanwhile; not yet, its socket reads later.
                follow.resync = follow.resync or follow.ready.done()
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)
            await self.fanout.relocate(self)
            if not self.follows and self.address is not None:
                self.fanout.retire(self)  # a cluster node that serves none of our events any more
                return

    async def _write(self, link: _Link) -> None:
        """Send the queued commands in order; PING when idle, and drop a connection that
        answered nothing since the previous PING."""
        heard = -1
        try:
            while True:
                try:
                    command = await asyncio.wait_for(link.commands.get(), KEEPALIVE_INTERVAL)
                except TimeoutError:
                    if heard == self.received + self._answers:
                        raise ConnectionError("no answer to PING") from None
                    heard = self.received + self._answers
                    command = ("PING",)
                await link.connection.send_command(*command, check_health=False)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - the reader sees the connection end and reconnects
            log.info("fan-out writer stopped (%s)", error.__class__.__name__)
            await link.connection.disconnect(nowait=True)

    async def _read(self, link: _Link) -> None:
        read, dispatch = link.connection.read_response, self.fanout.subscriber.dispatch
        while True:
            response = await read(disconnect_on_error=False)
            kind = response[0]
            if kind == b"smessage":
                self.received += 1
                event_id, stream, seq, frame = response[2].decode().split("\n", 3)
                dispatch(int(event_id), stream, int(seq), frame)
                continue
            self._answers += 1
            if kind == b"ssubscribe":
                self._confirmed(link, response[1])
            elif kind == b"sunsubscribe":
                self._left(link, response[1])

    def _confirmed(self, link: _Link, channel: bytes) -> None:
        count = link.confirmed[channel] = link.confirmed.get(channel, 0) + 1
        follow = self.follows.get(channel)
        if follow is None or count < follow.needs:
            return  # an older SSUBSCRIBE's answer: ours is still on its way
        if not follow.ready.done():
            follow.ready.set_result(None)
        if follow.resync:
            follow.resync = False
            self.fanout.subscriber.resync_event(follow.event_id)

    def _left(self, link: _Link, channel: bytes) -> None:
        leaving = link.leaving.get(channel, 0)
        if leaving:
            link.leaving[channel] = leaving - 1
            if leaving == 1 and channel not in self.follows and link.confirmed.get(channel) == link.sent.get(channel):
                for counts in (link.sent, link.confirmed, link.leaving):  # all answered: forget the channel
                    counts.pop(channel, None)
            return
        # Not asked for: the node gave the slot away (resharding, failover). Follow it there.
        follow = self.follows.pop(channel, None)
        if follow is not None:
            log.info("the slot of event %s moved; subscribing where it is now", follow.event_id)
            follow.shard = None
            follow.resync = True
            self.fanout.later(self.fanout.replace(follow))


class Fanout:
    """The subscriptions of one subscriber (a process's hub), spread over the nodes."""

    def __init__(self, *, url: str, subscriber: Subscriber, channel: Any, cluster: Any = None) -> None:
        self.url = url
        self.subscriber = subscriber
        self._channel = channel  # event id -> channel name
        self._cluster = cluster  # an async RedisCluster client for the slot map, or None
        self.follows: dict[int, Follow] = {}
        self.shards: dict[tuple[str, int] | None, Shard] = {}
        self._retired_received = 0
        self._tasks: set[asyncio.Task] = set()
        fanout_counted(self)

    @property
    def received(self) -> int:
        return self._retired_received + sum(shard.received for shard in self.shards.values())

    def connection(self, address: tuple[str, int] | None) -> Any:
        if address is None:
            return lhredis.subscriber_connection(self.url)
        return lhredis.subscriber_connection(lhredis.plain_url(self.url, host=address[0], port=address[1]))

    def follow(self, event_id: int) -> asyncio.Future:
        """Subscribe to the event (once); the future is done when Redis has confirmed it."""
        follow = self.follows.get(event_id)
        if follow is None:
            ready = asyncio.get_running_loop().create_future()
            follow = self.follows[event_id] = Follow(event_id, self._channel(event_id).encode(), ready)
            self._place(follow)
        return follow.ready

    def unfollow(self, event_id: int) -> None:
        follow = self.follows.pop(event_id, None)
        if follow is None:
            return
        follow.ready.cancel()  # nobody waits for it: its last socket is gone
        if follow.shard is not None:
            follow.shard.unsubscribe(follow)
            follow.shard = None

    def _place(self, follow: Follow) -> None:
        """Subscribe on the node that holds the event's slot (the only one when standalone)."""
        if self._cluster is None:
            address = None
        else:
            try:
                node = self._cluster.get_node_from_key(follow.channel)
            except Exception as error:  # noqa: BLE001 - no node has the slot now: ask the cluster again
                log.warning("no node serves event %s yet (%s)", follow.event_id, error.__class__.__name__)
                self.later(self.replace(follow, after=0.5))
                return
            address = (node.host, node.port)
        shard = self.shards.get(address)
        if shard is None:
            shard = self.shards[address] = Shard(self, address)
        shard.subscribe(follow)

    def later(self, coroutine: Any) -> None:
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def replace(self, follow: Follow, *, after: float = 0.0) -> None:
        """Subscribe where the event's slot is now, by a fresh slot map (it moved, or none had it)."""
        await asyncio.sleep(after)
        await self._refresh()
        if self.follows.get(follow.event_id) is follow and follow.shard is None:
            self._place(follow)

    async def relocate(self, shard: Shard) -> None:
        """After `shard` lost its connection: on a cluster, move its subscriptions to the node
        that holds each slot now (a replica promoted by a failover)."""
        if self._cluster is None:
            return
        await self._refresh()
        for follow in list(shard.follows.values()):
            try:
                node = self._cluster.get_node_from_key(follow.channel)
            except Exception:  # noqa: BLE001, S112 - still no owner: stay, and look again after the next loss
                continue
            if (node.host, node.port) != shard.address:
                del shard.follows[follow.channel]
                follow.shard = None
                self._place(follow)

    async def _refresh(self) -> None:
        with contextlib.suppress(Exception):  # the cluster is busy failing over: try at the next loss
            await self._cluster.nodes_manager.initialize()

    def retire(self, shard: Shard) -> None:
        if self.shards.get(shard.address) is shard:
            del self.shards[shard.address]
            self._retired_received += shard.received

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for shard in list(self.shards.values()):
            await shard.stop()
            self.retire(shard)
        for follow in self.follows.values():
            follow.ready.cancel()
        self.follows.clear()
        fanout_stopped(self)
