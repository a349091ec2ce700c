"""Frames written straight to Uvicorn's sans-I/O sockets: intact, in order, and flow-controlled.

A real Uvicorn (websockets-sansio) serves a socket whose outbox is a LiveHub `Connection`, on
a loopback port; a real websockets client reads what it writes.
"""

import asyncio
import contextlib
import socket

import pytest
import uvicorn
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed
from websockets.frames import Frame, Opcode
from websockets.protocol import State
from websockets.streams import StreamReader

from livehub.realtime.connection import Connection
from livehub.realtime.protocol import Close
from livehub.realtime.wire import encode_text, frame_writer


def event(seq: int, size: int = 0) -> str:
    return f'{{"type":"x.updated","stream":"public","seq":{seq},"data":{{"pad":"{"é" * size}"}}}}'


@pytest.mark.parametrize("length", [0, 1, 125, 126, 127, 65535, 65536, 200_000])
def test_an_encoded_frame_is_read_back_by_a_client_as_the_same_text(length):
    text = ("ë" * length)[:length]
    reader = StreamReader()
    reader.feed_data(encode_text(text))
    parser = Frame.parse(reader.read_exact, mask=False)
    with pytest.raises(StopIteration) as parsed:
        next(parser)
    frame = parsed.value.value
    assert frame.opcode is Opcode.TEXT and frame.fin and frame.data.decode() == text


class Served:
    """One socket of a real Uvicorn: its Connection and whether it writes frames directly."""

    def __init__(self) -> None:
        self.connection: Connection | None = None
        self.direct: bool | None = None
        self.ready = asyncio.Event()
        self.done = asyncio.Event()

    async def app(self, scope, receive, send) -> None:
        assert scope["type"] == "websocket"
        await receive()  # websocket.connect
        await send({"type": "websocket.accept"})

        async def send_text(text: str) -> None:
            await send({"type": "websocket.send", "text": text})

        async def close(code: int) -> None:
            await send({"type": "websocket.close", "code": code})

        writer = frame_writer(send)
        self.direct = writer is not None
        self.connection = Connection(
            event_id=1, streams=("public",), send_text=send_text, close=close, queue_limit=20, write_frame=writer
        )
        self.connection.go_live({"public": 0})
        self.ready.set()
        with contextlib.suppress(Exception):
            while (await receive())["type"] != "websocket.disconnect":
                pass
        await self.connection.stop()
        self.done.set()


@contextlib.asynccontextmanager
async def uvicorn_serving(app, *, deflate: bool = False):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(
        app,
        ws="websockets-sansio",
        ws_per_message_deflate=deflate,
        interface="asgi3",
        lifespan="off",
        log_config=None,  # leave the test session's logging alone
        log_level="warning",
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            await asyncio.sleep(0.01)
        yield f"ws://127.0.0.1:{sock.getsockname()[1]}/"
    finally:
        server.should_exit = True
        await task


async def test_a_fan_out_written_directly_reaches_the_client_whole_and_in_order():
    served = Served()
    async with uvicorn_serving(served.app) as url, connect(url, compression=None) as client:
        await served.ready.wait()
        assert served.direct
        texts = [event(seq, size=seq * 50) for seq in range(1, 301)]  # 0 to 15,000 letters
        for seq, text in enumerate(texts, start=1):
            served.connection.offer("public", seq, text, encode_text(text))
        served.connection.push('{"type":"ok","ref":"r1","data":{}}')  # a reply, encoded for itself
        received = [await client.recv() for _ in range(301)]
    assert received == [*texts, '{"type":"ok","ref":"r1","data":{}}']


async def test_a_client_that_stops_reading_is_cut_off_at_its_bound_with_nothing_lost_before():
    served = Served()
    async with uvicorn_serving(served.app) as url, connect(url, compression=None, max_queue=1) as client:
        await served.ready.wait()
        conn = served.connection
        text = event(0, size=30_000)
        seq = 0
        # The client reads nothing: the kernel's buffers fill, Uvicorn pauses writing, the frames
        # go through the ASGI send (which waits) and then the bounded outbox, which closes it.
        while not conn.closed:
            seq += 1
            conn.offer("public", seq, text.replace('"seq":0', f'"seq":{seq}'), None)
            await asyncio.sleep(0)
        seqs = []
        with contextlib.suppress(ConnectionClosed):
            while True:
                seqs.append(int((await client.recv()).split('"seq":')[1].split(",")[0]))
        assert client.close_code == Close.RECONNECT
    assert seqs == list(range(1, len(seqs) + 1))  # whole frames, in order, none skipped
    assert len(seqs) < seq  # it was cut off, not served everything


async def test_a_socket_that_negotiated_compression_is_written_through_asgi():
    served = Served()
    async with uvicorn_serving(served.app, deflate=True) as url, connect(url) as client:
        await served.ready.wait()
        assert served.direct is False
        text = event(1, size=2_000)
        served.connection.offer("public", 1, text, encode_text(text))
        assert await client.recv() == text


async def test_a_closed_socket_takes_no_direct_write():
    served = Served()
    async with uvicorn_serving(served.app) as url:
        async with connect(url, compression=None) as client:
            await served.ready.wait()
            served.connection.offer("public", 1, event(1), encode_text(event(1)))
            assert await client.recv() == event(1)
        await served.done.wait()  # the client closed; the server saw it go
        conn = served.connection
        assert conn.closed
        assert client.protocol.state is State.CLOSED
