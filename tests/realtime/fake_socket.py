"""A socket the tests drive by hand: it records what it is sent and can stop reading."""

import asyncio
import json

from livehub.realtime.connection import Connection


class FakeSocket:
    def __init__(self, *, stalled: bool = False):
        self.texts: list[str] = []
        self.closed_with: int | None = None
        self.stalled = stalled
        self.unstall = asyncio.Event()

    async def send_text(self, text: str) -> None:
        if self.stalled:
            await self.unstall.wait()  # a client that stopped reading: the send never completes
        self.texts.append(text)

    async def close(self, code: int) -> None:
        self.closed_with = code

    def seqs(self) -> list[int]:
        return [json.loads(text)["seq"] for text in self.texts]


def connection(socket: FakeSocket, *, streams=("public",), event_id=1, **kwargs) -> Connection:
    return Connection(event_id=event_id, streams=streams, send_text=socket.send_text, close=socket.close, **kwargs)


def frame(stream: str, seq: int) -> str:
    return json.dumps({"type": "t", "stream": stream, "seq": seq, "data": {}})


async def settle():
    for _ in range(5):
        await asyncio.sleep(0)
