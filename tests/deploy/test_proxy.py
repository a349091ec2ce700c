"""Through a real nginx in front of two Uvicorn processes (tests/deploy/conftest.py): what only a
running proxy shows."""

import asyncio
import http.client
import json
import os
import ssl
import subprocess
import sys
from urllib.parse import urlencode

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from bench.proc import Servers
from bench.run import run_scenario
from bench.scenarios import Target
from sessions.rolelinks import role_key_make
from tests.deploy.conftest import ROOT
from tests.integration.test_two_servers import receive

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]


def request(port, method, path, *, body=None, source="127.0.0.1", headers=None, tls=None):
    """One HTTP request from the loopback address `source`; (status, headers, parsed body)."""
    if tls is None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0))
    else:
        connection = http.client.HTTPSConnection("localhost", port, timeout=10, context=tls)
    try:
        data = json.dumps(body).encode() if body is not None else None
        connection.request(method, path, body=data, headers={"Content-Type": "application/json", **(headers or {})})
        response = connection.getresponse()
        raw = response.read()
        return response.status, response.headers, raw
    finally:
        connection.close()


def join(port, *, source="127.0.0.1", headers=None):
    return request(port, "POST", "/api/events/SFH2022/join", body={"mode": "room"}, source=source, headers=headers)


def token_of(port, **kwargs):
    status, _, raw = join(port, **kwargs)
    assert status == 201, raw
    return json.loads(raw)["token"]


async def attendee_socket(base, token, **options):
    socket = await connect(f"{base}/ws/events/SFH2022/?{urlencode({'token': token})}", **options)
    await receive(socket, lambda f: f["type"] == "snapshot")
    return socket


async def set_status(base, key, session, status):
    async with connect(f"{base}/ws/events/SFH2022/?{urlencode({'key': key})}") as moderator:
        await receive(moderator, lambda f: f["type"] == "snapshot")
        await moderator.send(
            json.dumps({"type": "session.set_status", "ref": status, "data": {"session": session, "status": status}})
        )
        assert (await receive(moderator, lambda f: f.get("ref") == status))["type"] == "ok"


def test_attendees_join_and_hear_a_status_change_through_the_proxy(deployment, event, roundtable):
    proxy = deployment()
    key = role_key_make(event=event, role="moderator", hours=1)
    tokens = [token_of(proxy.port) for _ in range(4)]

    async def scenario():
        # nginx takes turns: the four sockets are spread over both processes.
        sockets = [await attendee_socket(proxy.ws, token) for token in tokens]
        await set_status(proxy.ws, key, roundtable.pk, "live")
        for socket in sockets:
            assert (await receive(socket, lambda f: f["type"] == "session.updated"))["data"]["status"] == "live"
            await socket.close()

    asyncio.run(scenario())


def test_the_fanout_scenario_through_the_proxy_loses_nothing(deployment, event):
    proxy = deployment()
    target = Target(
        name="nginx",
        urls=[proxy.http],
        moderator_key=role_key_make(event=event, role="moderator", hours=1),
        servers=Servers(tuple(server.process.pid for server in proxy.servers)),
    )
    result = run_scenario(scenario="fanout", target=target, clients=40, mode="mix", messages=3, interval=0.1)
    assert result.connected == 40
    assert result.lost == 0 and result.disorder == 0
    assert result.received == result.expected >= 40 * 3


def test_a_quiet_socket_outlives_the_proxy_read_timeout_on_the_servers_pings(deployment, event, roundtable):
    # The proxy gives up on an upstream silent for 1 s; the servers ping every 0.25 s (production:
    # 1 h and 20 s). The client sends no pings of its own: only the server's keep the socket open.
    proxy = deployment(read_timeout="1s", args=("--ws-ping-interval", "0.25"))
    key = role_key_make(event=event, role="moderator", hours=1)
    token = token_of(proxy.port)

    async def scenario():
        socket = await attendee_socket(proxy.ws, token, ping_interval=None)
        await asyncio.sleep(2.5)  # quiet for longer than the proxy's timeout, the point of this test
        await set_status(proxy.ws, key, roundtable.pk, "live")
        assert (await receive(socket, lambda f: f["type"] == "session.updated"))["data"]["status"] == "live"
        await socket.close()

    asyncio.run(scenario())


def test_a_killed_process_loses_its_sockets_to_the_other_one(deployment, event, roundtable):
    proxy = deployment()
    key = role_key_make(event=event, role="moderator", hours=1)
    tokens = [token_of(proxy.port) for _ in range(4)]

    async def scenario():
        sockets = [await attendee_socket(proxy.ws, token) for token in tokens]
        proxy.kill(proxy.servers[0])
        moved, stayed = [], []
        for token, socket in zip(tokens, sockets, strict=True):
            try:
                await asyncio.wait_for(await socket.ping(), 10)
                stayed.append(socket)
            except ConnectionClosed:
                # The client reconnects through the same address and reaches the living process.
                moved.append(await attendee_socket(proxy.ws, token))
        assert moved and stayed
        # New joins are not refused either: nginx passes them to the living process.
        assert [join(proxy.port)[0] for _ in range(4)] == [201] * 4
        await set_status(proxy.ws, key, roundtable.pk, "live")
        for socket in (*moved, *stayed):
            assert (await receive(socket, lambda f: f["type"] == "session.updated"))["data"]["status"] == "live"
            await socket.close()

    asyncio.run(scenario())


def test_the_join_limit_counts_client_addresses_apart_and_ignores_a_forged_forwarded_for(deployment, event):
    proxy = deployment(env={"LIVEHUB_JOINS_BURST": "2", "LIVEHUB_JOINS_PER_MINUTE": "1"})
    assert [join(proxy.port)[0] for _ in range(3)] == [201, 201, 429]
    # Another address behind the same proxy has a count of its own.
    assert [join(proxy.port, source="127.0.0.2")[0] for _ in range(3)] == [201, 201, 429]
    # A forged header through the proxy is replaced by the address nginx sees.
    assert join(proxy.port, source="127.0.0.2", headers={"X-Forwarded-For": "203.0.113.7"})[0] == 429
    # Straight to a server process from anywhere but the proxy: the header is ignored.
    server = proxy.servers[0]
    assert join(server.port, source="127.0.0.2", headers={"X-Forwarded-For": "203.0.113.7"})[0] == 429
    # From the proxy's own address it is honoured: that is how nginx names the client.
    assert join(server.port, headers={"X-Forwarded-For": "203.0.113.7"})[0] == 201


def test_static_files_are_cached_long_and_the_access_log_keeps_no_address_and_no_query(deployment, event, tmp_path):
    static_root = tmp_path / "static"
    # As the Dockerfile and docs/deploy.md collect them: hashed names, served by WhiteNoise.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "livehub.settings", "STATIC_ROOT": str(static_root)},
        check=True,
    )
    hashed = json.loads((static_root / "staticfiles.json").read_text())["paths"]["admin/css/base.css"]
    proxy = deployment(env={"STATIC_ROOT": str(static_root)})
    status, headers, _ = request(proxy.port, "GET", f"/static/{hashed}")
    assert status == 200
    assert "immutable" in headers["Cache-Control"]
    max_age = int(next(p for p in headers["Cache-Control"].split(", ") if p.startswith("max-age="))[8:])
    assert max_age >= 365 * 24 * 3600

    token = token_of(proxy.port, source="127.0.0.2")

    async def scenario():
        socket = await attendee_socket(proxy.ws, token)
        await socket.close()

    asyncio.run(scenario())
    request(proxy.port, "GET", f"/api/events/SFH2022/?token={token}", source="127.0.0.2")
    proxy.nginx.terminate()  # nginx writes a socket's line when it ends
    proxy.nginx.wait(10)
    log = proxy.access_log.read_text()
    assert '"GET /ws/events/SFH2022/"' in log and '"POST /api/events/SFH2022/join"' in log
    assert "127.0.0" not in log and "?" not in log and token not in log


def test_tls_is_terminated_at_the_proxy_with_hsts_and_wss(deployment, event, roundtable):
    # HTTPS=true as in production (docs/deploy.md); the plain port stays open here for the other checks.
    proxy = deployment(env={"HTTPS": "true", "SECURE_SSL_REDIRECT": "false"})
    tls = ssl.create_default_context(cafile=str(proxy.certificate))
    status, headers, _ = request(proxy.tls_port, "GET", "/api/events/SFH2022/", tls=tls)
    assert status == 200
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    # Django sends HSTS only because nginx says the client came over TLS (X-Forwarded-Proto).
    assert "Strict-Transport-Security" not in request(proxy.port, "GET", "/api/events/SFH2022/")[1]
    token = json.loads(
        request(proxy.tls_port, "POST", "/api/events/SFH2022/join", body={"mode": "online"}, tls=tls)[2]
    )["token"]
    key = role_key_make(event=event, role="moderator", hours=1)

    async def scenario():
        socket = await attendee_socket(f"wss://localhost:{proxy.tls_port}", token, ssl=tls)
        await set_status(proxy.ws, key, roundtable.pk, "live")
        assert (await receive(socket, lambda f: f["type"] == "session.updated"))["data"]["status"] == "live"
        await socket.close()

    asyncio.run(scenario())
