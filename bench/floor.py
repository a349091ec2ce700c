"""The floor: the cheapest broadcast a Python websocket server does, to compare LiveHub with.

A bare `websockets` asyncio server, no framework. Every connection gets a small snapshot;
a client that sends `{"type": "publish", "ref": r, "data": {...}}` has its data broadcast to
every connection as a pushed event in LiveHub's envelope (`type`, `stream`, `seq`, `data`),
serialized once, then gets an `ok`. The load client measures it exactly as it measures LiveHub.

    python -m bench.floor --port 8765
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys

from websockets.asyncio.server import ServerConnection, broadcast, serve


class Floor:
    def __init__(self) -> None:
        self.seq = 0
        self.connections: set[ServerConnection] = set()

    async def handler(self, connection: ServerConnection) -> None:
        # Subscribed before the snapshot is written: the snapshot's seq is never behind.
        self.connections.add(connection)
        try:
            seq = self.seq
            snapshot = f'{{"type":"snapshot","epoch":"floor","seqs":{{"public":{seq}}},"seq":{seq},"data":{{}}}}'
            await connection.send(snapshot)
            async for text in connection:
                message = json.loads(text)
                if message.get("type") != "publish":
                    continue
                self.seq += 1
                data = json.dumps(message.get("data"), separators=(",", ":"))
                frame = f'{{"type":"floor.updated","stream":"public","seq":{self.seq},"data":{data}}}'
                broadcast(self.connections, frame)
                reply = {"type": "ok", "ref": message.get("ref"), "data": {"seq": self.seq}}
                await connection.send(json.dumps(reply, separators=(",", ":")))
        finally:
            self.connections.discard(connection)


async def main(*, host: str, port: int) -> None:
    floor = Floor()
    async with serve(floor.handler, host, port, compression=None, ping_interval=None, max_queue=None) as server:
        bound = server.sockets[0].getsockname()[1]
        print(f"floor listening on ws://{host}:{bound}/", flush=True)
        await asyncio.get_running_loop().create_future()


def run() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--loop", choices=("asyncio", "uvloop"), default="uvloop")
    args = parser.parse_args()
    factory = None
    if args.loop == "uvloop":
        try:
            import uvloop
        except ImportError:
            print("uvloop is not installed; using asyncio's loop", file=sys.stderr)
        else:
            factory = uvloop.new_event_loop
    with asyncio.Runner(loop_factory=factory) as runner, contextlib.suppress(KeyboardInterrupt):
        runner.run(main(host=args.host, port=args.port))


if __name__ == "__main__":
    run()
