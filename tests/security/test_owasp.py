"""The OWASP WebSocket security checklist, one test per item (plus the HTTP side of the platform)."""

import asyncio
import json
import os
import re
import socket as tcp
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import redis
from channels.db import database_sync_to_async
from django.core import signing
from django.db import connection
from django.test import Client

from livehub.realtime.registry import COMMANDS
from sessions.models import Participant, hash_token
from sessions.rolelinks import role_key_make
from sessions.services import event_rotate_link_secret
from tests.helpers import ORIGIN, Socket, session_cookie
from tests.integration.conftest import start_server

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("hub_stopped")]
ROOT = Path(__file__).resolve().parents[2]


def join_over_http(client: Client, **headers) -> dict:
    response = client.post("/api/events/SFH2022/join", data="{}", content_type="application/json", **headers)
    assert response.status_code == 201, response.content
    return response.json()


# 1. Origin allow-list: cross-site websocket hijacking.
async def test_a_foreign_origin_with_a_valid_login_cookie_is_refused_before_the_handshake(event, moderator_user):
    cookie = await session_cookie(moderator_user)
    hijack = await Socket.open(headers=[(b"origin", b"https://evil.example"), cookie], expect_snapshot=False)
    assert hijack.close_code == 403  # refused before accept: the browser sees a failed handshake
    own = await Socket.open(headers=[ORIGIN, cookie])
    assert own.snapshot["data"]["you"]["role"] == "moderator"
    await own.close()


# 2. Authorisation of every message, not only at connect.
async def test_every_command_is_authorised_for_every_role(event, attendee):
    sockets = {
        "attendee": await Socket.open(token=attendee.token),
        "speaker": await Socket.open(
            key=await database_sync_to_async(role_key_make)(event=event, role="speaker", hours=1)
        ),
        "screen": await Socket.open(
            key=await database_sync_to_async(role_key_make)(event=event, role="screen", hours=1)
        ),
    }
    checked = 0
    for type, command in sorted(COMMANDS.items()):
        for role, socket in sockets.items():
            reply = await socket.send(type, {})
            refused = reply["type"] == "error" and reply["error"]["code"] == "forbidden"
            assert refused == (role not in command.roles), (type, role, reply)
            checked += 1
            await asyncio.sleep(0.06)  # stay under the frame rate limit
    assert checked == 3 * len(COMMANDS) >= 30
    for socket in sockets.values():
        await socket.close()


# 3. Frame size limit.
async def test_frames_are_limited_to_64_kib(event, attendee):
    socket = await Socket.open(token=attendee.token)
    envelope = '{"type": "participant.update", "data": {"name": "%s"}}'
    at_limit = envelope % ("x" * (64 * 1024 - len(envelope) + 2))
    assert len(at_limit.encode()) == 64 * 1024
    reply = await socket.send_raw(at_limit)
    assert reply["error"]["code"] == "invalid"  # read and validated: the name is too long, not the frame
    reply = await socket.send_raw(at_limit[:-2] + 'x"}}')
    assert reply["error"]["code"] == "too_large"
    assert (await socket.send("participant.update", {}))["type"] == "ok"
    await socket.close()


# 4. Rate limits: per socket, per participant, per address for joins.
async def test_rate_limit_per_socket_answers_then_closes_a_flood(event, attendee, stopped_clock):
    socket = await Socket.open(token=attendee.token)
    for index in range(40):
        await socket.communicator.send_to(text_data=json.dumps({"type": "nope", "ref": f"b{index}"}))
    replies = [await socket.take(lambda f, i=index: f.get("ref") == f"b{i}") for index in range(40)]
    codes = [reply["error"]["code"] for reply in replies]
    assert codes == ["unknown_type"] * 20 + ["rate_limited"] * 20
    assert all(reply["error"]["retry_after"] > 0 for reply in replies if reply["error"]["code"] == "rate_limited")
    for _ in range(200):
        await socket.communicator.send_to(text_data='{"type": "participant.update"}')
    assert await socket.closed() == 4408


async def test_rate_limit_per_participant_counts_all_its_sockets(event, attendee, roundtable):
    phone, laptop = await Socket.open(token=attendee.token), await Socket.open(token=attendee.token)
    for index, socket in enumerate([phone, laptop, phone]):
        reply = await socket.send("question.ask", {"session": roundtable.pk, "text": f"Question number {index}?"})
        assert reply["type"] == "ok", reply
    reply = await laptop.send("question.ask", {"session": roundtable.pk, "text": "A fourth question?"})
    assert reply["error"]["code"] == "rate_limited" and reply["error"]["retry_after"] > 0
    await phone.close()
    await laptop.close()


def test_rate_limit_per_address_for_joins(event, settings, stopped_wallclock):
    settings.LIVEHUB_JOINS_BURST = 5
    settings.LIVEHUB_JOINS_PER_MINUTE = 60
    client = Client()
    for _ in range(5):
        join_over_http(client, REMOTE_ADDR="198.51.100.7")
    refused = client.post(
        "/api/events/SFH2022/join", data="{}", content_type="application/json", REMOTE_ADDR="198.51.100.7"
    )
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    assert int(refused["Retry-After"]) == 1  # one a second comes back
    join_over_http(client, REMOTE_ADDR="203.0.113.9")  # another network is not affected
    stopped_wallclock[0] += 1
    join_over_http(client, REMOTE_ADDR="198.51.100.7")
    # The bucket is kept under a salted hash: the address itself is stored nowhere.
    keys = [key.decode() for key in redis.Redis.from_url(settings.REDIS_URL).keys("lh:bucket:*")]
    assert keys and not [key for key in keys if "198.51.100.7" in key]


# 5. Idle timeout: a socket that stops answering pings is dropped; a live idle one stays.
@pytest.mark.integration
def test_a_socket_that_does_not_answer_pings_is_dropped(event, attendee, tmp_path):
    server = start_server(tmp_path, args=("--ping-interval", "1", "--ping-timeout", "2"))
    try:
        with tcp.create_connection(("127.0.0.1", server.port), timeout=15) as raw:
            raw.sendall(
                f"GET /ws/events/SFH2022/?token={attendee.token} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
                "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n".encode()
            )
            assert raw.recv(4096).startswith(b"HTTP/1.1 101")
            started = time.monotonic()
            try:
                while raw.recv(65536):  # read everything, pings included, and never answer them
                    pass
            except ConnectionResetError:
                pass  # dropped without a closing handshake: what a dead peer gets
            dropped_after = time.monotonic() - started
        assert dropped_after < 10
    finally:
        server.stop()


# 6. No message bodies, tokens or client addresses in the logs.
@pytest.mark.integration
def test_the_server_logs_no_bodies_tokens_or_addresses(event, attendee, roundtable, tmp_path):
    from websockets.sync.client import connect

    key = role_key_make(event=event, role="moderator", hours=1)
    # As deployed (Dockerfile, docker-compose.yml, make run): Daphne without its access log.
    server = start_server(tmp_path, args=("-v", "0"), env={"LOG_LEVEL": "INFO"})
    secret_text = "My very private question about Aunt Bertha?"
    try:
        # A role key in a URL: an access log would keep it (pages need the built frontend; the API does not).
        urllib.request.urlopen(f"{server.http}/api/events/SFH2022/?key={key}").read()
        joined = urllib.request.urlopen(
            urllib.request.Request(
                f"{server.http}/api/events/SFH2022/join",
                data=b'{"name": "Bertha Private"}',
                headers={"Content-Type": "application/json"},
            )
        )
        new_token = json.loads(joined.read())["token"]
        with connect(f"{server.ws}/ws/events/SFH2022/?token={attendee.token}") as ws:
            json.loads(ws.recv(5))
            ws.send(
                json.dumps(
                    {"type": "question.ask", "ref": "q1", "data": {"session": roundtable.pk, "text": secret_text}}
                )
            )
            ws.send(
                json.dumps({"type": "session.set_status", "ref": "q2", "data": {"session": 1, "status": secret_text}})
            )
            ws.send("{" + secret_text)
            replies = [json.loads(ws.recv(5)) for _ in range(3)]
            while {reply.get("ref") for reply in replies} < {"q1", "q2"}:
                replies.append(json.loads(ws.recv(5)))
    finally:
        server.stop()
    log = server.log.read_text()
    for secret in (attendee.token, new_token, key, secret_text, "Aunt Bertha", "Bertha Private"):
        assert secret not in log, f"{secret[:12]}… is in the server log"
    lines = [line for line in log.splitlines() if f":{server.port}" not in line and "interface=" not in line]
    assert not [line for line in lines if "127.0.0.1" in line], "a client address is in the server log"


# 7. Tokens stored hashed.
def test_attendee_tokens_are_stored_only_as_their_hash(event, client):
    joined = join_over_http(client)
    participant = Participant.objects.get(pk=joined["participant"])
    assert participant.token_hash == hash_token(joined["token"]) != joined["token"]
    assert len(participant.token_hash) == 64
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM livesessions_participant")
        assert joined["token"] not in repr(cursor.fetchall())


# 8. Role links signed, expiring and revocable.
async def test_role_links_are_signed_expiring_and_revocable(event, monkeypatch):
    key = await database_sync_to_async(role_key_make)(event=event, role="speaker", hours=1)
    payload, timestamp, signature = key.split(":")
    promoted = signing.b64_encode(signing.b64_decode(payload.encode()).replace(b"speaker", b"moderator")).decode()
    tampered = await Socket.open(key=f"{promoted}:{timestamp}:{signature}", expect_snapshot=False)
    assert await tampered.closed() == 4401  # signed: editing the role breaks the signature
    good = await Socket.open(key=key)
    assert good.snapshot["data"]["you"]["role"] == "speaker"
    await good.close()
    later = time.time() + 2 * 3600
    with monkeypatch.context() as patch:
        patch.setattr("sessions.rolelinks.time.time", lambda: later)
        expired = await Socket.open(key=key, expect_snapshot=False)
        assert await expired.closed() == 4401  # expiring
    await database_sync_to_async(event_rotate_link_secret)(event=event)
    revoked = await Socket.open(key=key, expect_snapshot=False)
    assert await revoked.closed() == 4401  # revocable
    fresh = await database_sync_to_async(role_key_make)(event=event, role="speaker", hours=1)
    reopened = await Socket.open(key=fresh)
    assert reopened.snapshot["data"]["you"]["role"] == "speaker"
    await reopened.close()


# 9. CSRF on every HTTP write.
def test_http_writes_are_protected_from_cross_site_requests(event, moderator_user):
    from livehub.api import api

    schema = api.get_openapi_schema()
    writes = [
        (path, method)
        for path, operations in schema["paths"].items()
        for method in operations
        if method in {"post", "put", "patch", "delete"}
    ]
    assert writes, "the API has writes to protect"
    client = Client()
    for path, method in writes:
        url = path.replace("{code}", "SFH2022")
        send = getattr(client, method)
        cross_site = send(url, data="{}", content_type="application/json", HTTP_ORIGIN="https://evil.example")
        assert cross_site.status_code == 403 and cross_site.json()["error"]["code"] == "forbidden", url
        as_a_form = send(url, data="name=Eve", content_type="application/x-www-form-urlencoded")
        assert as_a_form.status_code == 400, url  # a cross-site form cannot send JSON without a preflight
    assert Participant.objects.count() == 0
    join_over_http(client, HTTP_ORIGIN="http://localhost:8000")  # the app's own page may
    # Django's own forms (sign-in, admin) take the CSRF token.
    strict = Client(enforce_csrf_checks=True)
    refused = strict.post("/accounts/login/", {"username": "moderator", "password": "sfh2022-moderator"})
    assert refused.status_code == 403
    strict.force_login(moderator_user)
    assert strict.post("/admin/livesessions/event/add/", {"code": "HACK", "name": "Hack"}).status_code == 403


# 10. Security headers.
def test_pages_send_a_strict_content_security_policy_and_refuse_framing(event, client):
    page = client.get("/e/SFH2022/")
    assert page.status_code == 200
    policy = dict(part.strip().split(" ", 1) for part in page["Content-Security-Policy"].split(";"))
    assert policy["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval'
    assert "unsafe" not in policy.get("default-src", "")
    assert policy["frame-ancestors"] == "'none'" and page["X-Frame-Options"] == "DENY"
    assert page["X-Content-Type-Options"] == "nosniff"
    assert page["Referrer-Policy"] == "same-origin"
    # The page really has no inline script to allow: only the JSON data block and module files.
    inline = re.findall(rb"<script(?![^>]*\bsrc=)([^>]*)>", page.content)
    assert all(b'type="application/json"' in attributes for attributes in inline), inline


def test_the_projector_page_may_be_embedded(event, client):
    key = role_key_make(event=event, role="screen", hours=1)
    page = client.get(f"/e/SFH2022/screen/?key={key}")
    assert page.status_code == 200
    assert "X-Frame-Options" not in page
    assert "frame-ancestors" not in page["Content-Security-Policy"]
    assert "script-src 'self';" in page["Content-Security-Policy"]


PRODUCTION = {
    "SECRET_KEY": "k" * 20 + "-production-only-9f8e7d6c5b4a3928170615243342516",
    "DEBUG": "false",
    "HTTPS": "true",
    "ALLOWED_HOSTS": "live.example.org",
    "LIVEHUB_BASE_URL": "https://live.example.org",
    "DATABASE_URL": "postgres://livehub:secret@db:5432/livehub",
    "REDIS_URL": "redis://cache:6379/0",
    "DJANGO_SETTINGS_MODULE": "livehub.settings",
}


def production_env() -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG"}}
    return {**keep, **PRODUCTION}


def test_production_settings_send_hsts_and_secure_cookies():
    probe = (
        "import django, json; django.setup(); from django.conf import settings as s; print(json.dumps("
        "[s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_SSL_REDIRECT,"
        " s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.DEBUG]))"
    )
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=production_env(), capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    hsts, subdomains, redirect, session_secure, csrf_secure, debug = json.loads(out.stdout)
    assert hsts >= 365 * 24 * 3600 and subdomains and redirect and session_secure and csrf_secure and not debug


def test_check_deploy_is_clean_with_production_settings():
    out = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "no issues" in out.stdout
