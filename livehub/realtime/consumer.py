"""The socket of the wire contract, `/ws/events/{code}/`: a plain ASGI app.

It is not a Channels consumer on purpose: events reach it through the process's hub (one
prepared string for all sockets), never through a channel layer and a handler per socket.
"""

import logging
import time
from typing import Any
from urllib.parse import parse_qs

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http.request import split_domain_port, validate_host
from django.utils import translation
from django.utils.translation import gettext
from redis.exceptions import RedisError

from livehub import metrics
from livehub.errors import (
    BadRequest,
    DomainError,
    Forbidden,
    Internal,
    NotFound,
    RateLimited,
    TooLarge,
    Unauthorized,
    Unavailable,
)
from livehub.i18n import socket_language, supported

from . import dispatch
from .auth import authenticate
from .connection import Connection
from .dbwork import db_work
from .hub import get_hub
from .protocol import (
    ATTENDEE,
    Close,
    decode_frame,
    dumps,
    error_frame,
    frame_ref,
    ok_frame,
    parse_since,
    read_envelope,
    snapshot_frame,
    streams_for,
    synced_frame,
)
from .ratelimit import TokenBucket
from .registry import COMMANDS, CommandContext
from .snapshot import build_snapshot
from .wire import frame_writer

log = logging.getLogger(__name__)

CLOSE_FOR = {NotFound: Close.NOT_FOUND, Unauthorized: Close.UNAUTHORIZED, Forbidden: Close.FORBIDDEN}


def origin_allowed(scope: dict[str, Any]) -> bool:
    """Browsers always send Origin: a foreign one is cross-site hijacking and is refused.

    Without an Origin header the client is not a browser (a script, the load tool), so no
    ambient credential of a victim can be riding along.
    """
    for name, value in scope.get("headers", ()):
        if name == b"origin":
            origin = value.decode("latin-1")
            if origin == "null" or "://" not in origin:
                return False
            host, _port = split_domain_port(origin.split("://", 1)[1])
            return bool(host) and validate_host(host, settings.ALLOWED_HOSTS)
    return True


def close_reason(text: str) -> str:
    """A close frame's reason holds 123 bytes; French and Dutch letters may take two each."""
    return text.encode("utf-8")[:120].decode("utf-8", "ignore")


# Off the single "thread-sensitive" thread: commands and snapshots of many sockets run side by
# side on the gateway's database threads.
@db_work
def _authenticate(
    code: str, token: str | None, key: str | None, user: Any, language: str, room: str | None
) -> CommandContext:
    with translation.override(language):
        return authenticate(code=code, token=token, key=key, user=user, room=room)


@db_work
def _snapshot(ctx: CommandContext, position: tuple) -> dict[str, str]:
    return build_snapshot(ctx, position=position)


@db_work
def _execute(ctx: CommandContext, type: str, ref: str | None, data: dict[str, Any], language: str) -> dict[str, Any]:
    with translation.override(language):
        return dispatch.execute(ctx, type=type, ref=ref, data=data)


class EventSocket:
    def __init__(self, scope: dict[str, Any], receive, send) -> None:
        self.scope = scope
        self.receive = receive
        self.send = send
        limits = settings.LIVEHUB_REALTIME
        self.max_frame = limits["MAX_FRAME_BYTES"]
        rate = limits["COMMANDS_PER_SECOND"]
        self.commands = TokenBucket(rate=rate, burst=rate)
        # Frames refused for flooding; a client that keeps going after being told is closed.
        self.strikes = TokenBucket(rate=limits["FLOOD_STRIKES"] / 10, burst=limits["FLOOD_STRIKES"])
        self.connection: Connection | None = None
        self.ctx: CommandContext | None = None
        self.language = "en"

    @classmethod
    def as_asgi(cls):
        async def app(scope, receive, send):
            await cls(scope, receive, send).run()

        return app

    async def run(self) -> None:
        message = await self.receive()
        if message["type"] != "websocket.connect":
            return
        if not origin_allowed(self.scope):
            await self.send({"type": "websocket.close", "code": 403})  # before accept: HTTP 403
            return
        query = {name: values[-1] for name, values in parse_qs(self.scope.get("query_string", b"").decode()).items()}
        code = self.scope["url_route"]["kwargs"]["code"]
        # The person's error messages: the switch's cookie, else the page's language (`lang`, which
        # already holds the event's default), else the browser's.
        self.language = socket_language(self.scope.get("headers", ()), [supported(query.get("lang")) or ""])
        try:
            self.ctx = await _authenticate(
                code, query.get("token"), query.get("key"), self.scope.get("user"), self.language, query.get("room")
            )
        except (NotFound, Unauthorized, Forbidden) as error:
            await self.send({"type": "websocket.accept"})
            await self.send(
                {
                    "type": "websocket.close",
                    "code": CLOSE_FOR.get(type(error), Close.FORBIDDEN),
                    "reason": close_reason(error.message),
                }
            )
            return
        except (OperationalError, InterfaceError):
            # Accepted first: a close before the handshake would reach the client as HTTP 403.
            await self.send({"type": "websocket.accept"})
            with translation.override(self.language):
                reason = gettext("Database unavailable.")
            await self.send({"type": "websocket.close", "code": Close.TRY_AGAIN, "reason": reason})
            return
        try:
            since = parse_since(query["since"]) if "since" in query else None
        except BadRequest:
            since = None  # a snapshot is always a correct answer to a confused client
        await self.send({"type": "websocket.accept"})
        try:
            try:
                await self.start_streams(since, query.get("epoch"))
            except (RedisError, OperationalError, InterfaceError, OSError) as error:
                # Redis or the database failed the catch-up: the client retries with backoff.
                log.warning("catch-up failed (%s); asking the client to retry", error.__class__.__name__)
                await self._close(Close.TRY_AGAIN)
                return
            await self.serve()
        finally:
            await self.finish()

    async def _send_text(self, text: str) -> None:
        await self.send({"type": "websocket.send", "text": text})

    async def _close(self, code: int) -> None:
        await self.send({"type": "websocket.close", "code": code})

    async def start_streams(self, since: dict[str, int] | None, epoch: str | None) -> None:
        """Subscribe first (the process follows the event), then catch the client up (replay or
        snapshot), then go live.

        Events published after the subscription but before the catch-up wait in the
        connection and are sent afterwards, skipping what the catch-up already held.
        """
        ctx = self.ctx
        hub = await get_hub()
        streams = streams_for(ctx.role, ctx.participant_id)
        self.connection = Connection(
            event_id=ctx.event_id,
            streams=streams,
            send_text=self._send_text,
            write_frame=frame_writer(self.send),
            close=self._close,
            participant_id=ctx.participant_id,
            mode=ctx.mode if ctx.role == ATTENDEE else None,  # presence counts the audience only
            room=ctx.room,
        )
        hub.attach(self.connection)
        metrics.SOCKETS.labels(ctx.role).inc()
        if hub.draining:
            self.connection.close(Close.RESTARTING)  # this process is stopping: go elsewhere
            return
        # Subscribed before the position is read: nothing published after it can be missed.
        await hub.subscribed(ctx.event_id)
        if since is not None:
            replay = await hub.broker.replay(ctx.event_id, streams, since, epoch)
            if replay is not None:
                # Sent directly, not through the bounded outbox: a long replay is not a slow client.
                for _stream, _seq, frame in replay.frames:
                    await self._send_text(frame)
                await self._send_text(synced_frame(epoch=replay.epoch, seqs=replay.seqs))
                metrics.REPLAY_FRAMES.inc(len(replay.frames) + 1)
                self.connection.go_live(replay.seqs)
                return
        epoch, seqs = await hub.broker.position(ctx.event_id, streams)
        # Sockets at the same position on the shared streams may share the snapshot's common part.
        shared_at = (epoch, tuple(sorted((s, n) for s, n in seqs.items() if not s.startswith("p:"))))
        data = await _snapshot(ctx, shared_at)
        data["presence"] = dumps(hub.presence(ctx.event_id))
        await self._send_text(snapshot_frame(epoch=epoch, seqs=seqs, data=data))
        metrics.SNAPSHOT_FRAMES.inc()
        self.connection.go_live(seqs)

    async def serve(self) -> None:
        while True:
            message = await self.receive()
            if message["type"] == "websocket.disconnect":
                return
            if message["type"] == "websocket.receive" and not self.connection.closed:
                await self.handle_frame(message)

    async def handle_frame(self, message: dict[str, Any]) -> None:
        with translation.override(self.language):
            await self._handle_frame(message)

    async def _handle_frame(self, message: dict[str, Any]) -> None:
        ref = None
        command = "unknown"  # a label only for registered types: a client cannot add series
        try:
            # Every frame counts against the limit, well-formed or not.
            wait = self.commands.take()
            if wait and self.strikes.take():
                self.connection.close(Close.FLOODING)
                return
            text = message.get("text")
            if text is None:
                raise BadRequest(gettext("Frames must be JSON text, not binary."))
            # surrogatepass: measuring must not fail; decode_frame refuses surrogates with bad_request.
            if len(text) > self.max_frame or len(text.encode("utf-8", "surrogatepass")) > self.max_frame:
                raise TooLarge(gettext("Frames are limited to %(size)s KiB.") % {"size": self.max_frame // 1024})
            value = decode_frame(text)
            ref = frame_ref(value)
            envelope = read_envelope(value)
            if envelope.type in COMMANDS:
                command = envelope.type
            if wait:
                raise RateLimited(gettext("Too many commands; slow down."), retry_after=wait)
            started = time.perf_counter()
            try:
                if dispatch.is_direct(envelope.type):
                    reply = await dispatch.execute_direct(
                        self.ctx, type=envelope.type, ref=envelope.ref, data=envelope.data
                    )
                else:
                    reply = await _execute(self.ctx, envelope.type, envelope.ref, envelope.data, self.language)
            finally:
                metrics.COMMAND_SECONDS.labels(command).observe(time.perf_counter() - started)
            self.connection.push(ok_frame(ref, reply))
        except DomainError as error:
            self._reply_error(ref, command, error)
        except (OperationalError, InterfaceError):
            log.warning("database unavailable for a command")
            self._reply_error(ref, command, Unavailable(gettext("The database is not answering; retry shortly.")))
        except Exception:
            log.exception("command failed")
            self._reply_error(ref, command, Internal(gettext("Something went wrong on our side; retry shortly.")))
        metrics.REPLY_FRAMES.inc()

    def _reply_error(self, ref: str | None, command: str, error: DomainError) -> None:
        metrics.COMMAND_ERRORS.labels(command, error.code).inc()
        self.connection.push(error_frame(ref, error))

    async def finish(self) -> None:
        if self.connection is None:
            return
        hub = await get_hub()
        hub.detach(self.connection)
        metrics.SOCKETS.labels(self.ctx.role).dec()
        await self.connection.stop()


class NoSuchSocket:
    """Any other websocket path: a clear 4404 instead of a server error."""

    @classmethod
    def as_asgi(cls):
        async def app(scope, receive, send):
            message = await receive()
            if message["type"] == "websocket.connect":
                await send({"type": "websocket.accept"})
                await send({"type": "websocket.close", "code": Close.NOT_FOUND, "reason": "No such socket."})

        return app
