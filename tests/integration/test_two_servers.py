"""Two Daphne processes on one Redis and one PostgreSQL behave as one platform."""

import asyncio
import json
from urllib.parse import urlencode

import pytest
from websockets.asyncio.client import connect

from sessions.rolelinks import role_key_make
from tests.integration.conftest import join, receive

pytestmark = pytest.mark.integration


def test_an_event_published_on_one_process_reaches_both_with_the_same_seq(servers, event, roundtable):
    first, second = servers(2)
    key = role_key_make(event=event, role="moderator", hours=1)
    tokens = [join(first.http, "room"), join(second.http, "online"), join(second.http, "room")]

    async def scenario():
        origin = f"http://localhost:{first.port}"
        url = f"{first.ws}/ws/events/SFH2022/?{urlencode({'key': key})}"
        async with connect(url, origin=origin) as moderator:
            attendees = [
                await connect(f"{server.ws}/ws/events/SFH2022/?{urlencode({'token': token})}")
                for server, token in zip((first, second, second), tokens, strict=True)
            ]
            for socket in (moderator, *attendees):
                assert (await receive(socket, lambda f: f["type"] == "snapshot"))["seq"] == 0
            await moderator.send(
                json.dumps(
                    {"type": "session.set_status", "ref": "go", "data": {"session": roundtable.pk, "status": "live"}}
                )
            )
            reply = await receive(moderator, lambda f: f.get("ref") == "go")
            assert reply["type"] == "ok"
            updates = [await receive(s, lambda f: f["type"] == "session.updated") for s in attendees]
            assert {u["seq"] for u in updates} == {1}
            assert all(u == updates[0] for u in updates) and updates[0]["data"]["status"] == "live"
            # Presence is summed over both processes.
            presence = await receive(
                moderator, lambda f: f["type"] == "presence" and f["data"] == {"room": 2, "online": 1}
            )
            assert presence
            for socket in attendees:
                await socket.close()

    asyncio.run(scenario())


def test_a_client_reconnecting_to_the_other_process_replays_what_it_missed(servers, event, roundtable, attendee):
    first, second = servers(2)
    key = role_key_make(event=event, role="moderator", hours=1)

    async def scenario():
        async with connect(f"{first.ws}/ws/events/SFH2022/?{urlencode({'token': attendee.token})}") as socket:
            snapshot = await receive(socket, lambda f: f["type"] == "snapshot")
        async with connect(f"{first.ws}/ws/events/SFH2022/?{urlencode({'key': key})}") as moderator:
            await receive(moderator, lambda f: f["type"] == "snapshot")
            for status in ("live", "paused"):
                await moderator.send(
                    json.dumps(
                        {
                            "type": "session.set_status",
                            "ref": status,
                            "data": {"session": roundtable.pk, "status": status},
                        }
                    )
                )
                assert (await receive(moderator, lambda f, s=status: f.get("ref") == s))["type"] == "ok"
        query = urlencode({"token": attendee.token, "since": "public:0", "epoch": snapshot["epoch"]})
        async with connect(f"{second.ws}/ws/events/SFH2022/?{query}") as socket:
            frames = [await receive(socket, lambda f: f["type"] != "presence") for _ in range(5)]
        assert [(f["type"], f.get("seq")) for f in frames] == [
            ("session.updated", 1),
            ("room.updated", 2),
            ("event.updated", 3),
            ("session.updated", 4),
            ("synced", 4),
        ]

    asyncio.run(scenario())
