"""A text frame written straight to the socket, its bytes encoded once for every socket.

A server's frames are not masked and, without per-message compression, the bytes of one
frame are the same for every socket: the hub encodes an event once and each socket's share
of a fan-out is one `transport.write`, not an ASGI message, two coroutines and a frame built
per socket. This needs the server's protocol object, which only Uvicorn's websockets-sansio
protocol hands over (its ASGI `send` is a method of it). Under another server, and whenever
the socket cannot take a frame at once (flow control paused it, a close was sent or it is
gone), the frame goes through the ASGI `send`, which waits or fails as it always did. A socket
that negotiated compression is written through the ASGI `send` only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from websockets.frames import Frame, Opcode
from websockets.protocol import State

# Writes a frame's bytes if the socket takes them now; False: send it through ASGI instead.
WriteFrame = Callable[[bytes], bool]

try:
    from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
except ImportError:  # pragma: no cover - another server is installed instead
    WebSocketsSansIOProtocol = None


def encode_text(text: str) -> bytes:
    """The bytes of an unmasked, uncompressed text frame carrying `text`."""
    return Frame(Opcode.TEXT, text.encode()).serialize(mask=False)


def frame_writer(send: Any) -> WriteFrame | None:
    """A direct writer for the socket behind the ASGI `send`, when its server is known here."""
    protocol = getattr(send, "__self__", None)
    if WebSocketsSansIOProtocol is None or type(protocol) is not WebSocketsSansIOProtocol:
        return None
    conn = protocol.conn
    if not protocol.handshake_complete or conn.extensions:
        return None  # asked before the accept, or frames are compressed per socket

    def write(data: bytes) -> bool:
        if (
            protocol.close_sent
            or protocol.disconnected
            or not protocol.writable.is_set()
            or conn.state is not State.OPEN
        ):
            return False
        protocol.transport.write(data)
        return True

    return write
