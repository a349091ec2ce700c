"""Connecting to the socket: credentials, roles, close codes, origin, snapshot per role."""

import time

import pytest
from channels.db import database_sync_to_async as sync_to_async
from django.core import signing

from sessions.rolelinks import _salt, role_key_make
from sessions.services import event_rotate_link_secret
from staff.models import RoleLink
from staff.services import role_links_revoke
from tests.helpers import Socket, session_cookie

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("hub_stopped")]


async def test_attendee_with_token_gets_the_agenda_and_its_own_stream(event, attendee):
    socket = await Socket.open(token=attendee.token)
    snapshot = socket.snapshot
    assert snapshot["epoch"]
    assert snapshot["seqs"] == {"public": 0, f"p:{attendee.pk}": 0}
    data = snapshot["data"]
    assert data["event"]["code"] == "SFH2022"
    assert data["event"]["name"] == "Science for Health 2022"
    titles = [session["title"] for session in data["sessions"]]
    assert "Can Belgium become the European hub for gene therapy?" in titles
    assert {session["status"] for session in data["sessions"]} == {"scheduled"}
    assert data["you"] == {
        "role": "attendee",
        "participant": {"id": str(attendee.pk), "name": None, "mode": "online"},
    }
    assert data["presence"] == {"room": 0, "online": 1}
    await socket.close()


async def test_event_code_is_case_insensitive(event, attendee):
    socket = await Socket.open("sfh2022", token=attendee.token)
    assert socket.snapshot["data"]["event"]["code"] == "SFH2022"
    await socket.close()


async def test_moderator_by_role_link_receives_the_moderators_stream(event):
    key = await sync_to_async(role_key_make)(event=event, role="moderator", hours=1)
    socket = await Socket.open(key=key)
    assert socket.snapshot["seqs"] == {"public": 0, "moderators": 0}
    assert socket.snapshot["data"]["you"] == {"role": "moderator", "participant": None}
    await socket.close()


async def test_speaker_by_role_link_receives_the_speakers_stream(event):
    key = await sync_to_async(role_key_make)(event=event, role="speaker", hours=1)
    socket = await Socket.open(key=key)
    assert socket.snapshot["seqs"] == {"public": 0, "speakers": 0}
    assert socket.snapshot["data"]["you"]["role"] == "speaker"
    await socket.close()


async def test_moderator_by_login_session(event, moderator_user):
    cookie = await session_cookie(moderator_user)
    socket = await Socket.open(headers=[(b"origin", b"http://localhost:8000"), cookie])
    assert socket.snapshot["data"]["you"]["role"] == "moderator"
    await socket.close()


async def test_speaker_by_login_session(event, speaker_user):
    cookie = await session_cookie(speaker_user)
    socket = await Socket.open(headers=[(b"origin", b"http://localhost:8000"), cookie])
    assert socket.snapshot["data"]["you"]["role"] == "speaker"
    await socket.close()


async def test_logged_in_user_without_a_role_is_forbidden(event, outsider_user):
    cookie = await session_cookie(outsider_user)
    socket = await Socket.open(headers=[(b"origin", b"http://localhost:8000"), cookie], expect_snapshot=False)
    assert await socket.closed() == 4403


async def test_no_credentials_is_4401(event):
    socket = await Socket.open(expect_snapshot=False)
    assert await socket.closed() == 4401


async def test_unknown_token_is_4401(event):
    socket = await Socket.open(token="not-a-token", expect_snapshot=False)
    assert await socket.closed() == 4401


async def test_token_of_another_event_is_4401(event, attendee, another_event):
    socket = await Socket.open("OTHER1", token=attendee.token, expect_snapshot=False)
    assert await socket.closed() == 4401


async def test_role_key_of_another_event_is_4401(event, another_event):
    key = await sync_to_async(role_key_make)(event=another_event, role="moderator", hours=1)
    socket = await Socket.open(key=key, expect_snapshot=False)
    assert await socket.closed() == 4401


async def test_forged_role_key_is_4401(event):
    forged = signing.dumps({"e": "SFH2022", "r": "moderator", "x": int(time.time()) + 3600}, salt="guess")
    socket = await Socket.open(key=forged, expect_snapshot=False)
    assert await socket.closed() == 4401


async def test_expired_role_key_is_4401(event, monkeypatch):
    key = await sync_to_async(role_key_make)(event=event, role="moderator", hours=1)
    later = time.time() + 2 * 3600
    monkeypatch.setattr("sessions.rolelinks.time.time", lambda: later)
    socket = await Socket.open(key=key, expect_snapshot=False)
    assert await socket.closed() == 4401


async def test_revoked_role_key_is_4401(event):
    key = await sync_to_async(role_key_make)(event=event, role="moderator", hours=1)
    await sync_to_async(event_rotate_link_secret)(event=event)
    socket = await Socket.open(key=key, expect_snapshot=False)
    assert await socket.closed() == 4401


async def test_one_revoked_role_link_is_4401_and_the_events_other_links_still_open(event):
    revoked = await sync_to_async(role_key_make)(event=event, role="moderator", hours=1)
    kept = await sync_to_async(role_key_make)(event=event, role="moderator", hours=1)
    first = await sync_to_async(RoleLink.objects.earliest)("id")
    await sync_to_async(role_links_revoke)(links=RoleLink.objects.filter(pk=first.pk))
    refused = await Socket.open(key=revoked, expect_snapshot=False)
    assert await refused.closed() == 4401
    opened = await Socket.open(key=kept)
    assert opened.snapshot["data"]["you"]["role"] == "moderator"
    await opened.close()


async def test_role_key_signed_before_links_were_recorded_is_4401(event):
    unrecorded = signing.dumps({"e": "SFH2022", "r": "moderator", "x": int(time.time()) + 3600}, salt=_salt(event))
    socket = await Socket.open(key=unrecorded, expect_snapshot=False)
    assert await socket.closed() == 4401


@pytest.mark.parametrize("code", ["NOPE2030", "SFH\x002022"])
@pytest.mark.parametrize("credential", ["token", "key"])
async def test_unknown_event_is_4404(event, attendee, moderator_key, code, credential):
    given = {"token": attendee.token} if credential == "token" else {"key": moderator_key}
    socket = await Socket.open(code, expect_snapshot=False, **given)
    assert await socket.closed() == 4404


async def test_unknown_socket_path_is_4404(event):
    from channels.testing import WebsocketCommunicator

    from livehub.asgi import application

    communicator = WebsocketCommunicator(application, "/ws/nothing/here/")
    connected, _ = await communicator.connect()
    assert connected
    closing = await communicator.receive_output()
    assert closing == {"type": "websocket.close", "code": 4404, "reason": "No such socket."}


@pytest.mark.parametrize("origin", [b"https://evil.example", b"null", b"http://localhost.evil.example"])
async def test_foreign_origin_is_refused_before_the_handshake(event, attendee, origin):
    socket = await Socket.open(token=attendee.token, headers=[(b"origin", origin)], expect_snapshot=False)
    assert socket.close_code == 403


async def test_foreign_origin_with_a_valid_login_cookie_is_refused(event, moderator_user):
    cookie = await session_cookie(moderator_user)
    socket = await Socket.open(headers=[(b"origin", b"https://evil.example"), cookie], expect_snapshot=False)
    assert socket.close_code == 403


async def test_client_without_origin_header_is_not_a_browser_and_may_connect(event, attendee):
    socket = await Socket.open(token=attendee.token, headers=[])
    assert socket.snapshot["type"] == "snapshot"
    await socket.close()


# Digits other than 0-9 pass str.isdigit() ("²" even fails int()): a number is ASCII digits.
@pytest.mark.parametrize(
    "since", ["public:abc", "public:²", "5²", "٣", "public:1e3", "public:-1", "public:" + "9" * 19]
)
async def test_unreadable_since_gets_a_fresh_snapshot(event, attendee, since):
    socket = await Socket.open(token=attendee.token, since=since)
    assert socket.snapshot["type"] == "snapshot"
    await socket.close()


async def test_moderator_with_an_attendee_token_acts_for_that_participant_too(event, attendee):
    key = await sync_to_async(role_key_make)(event=event, role="moderator", hours=1)
    socket = await Socket.open(key=key, token=attendee.token)
    assert socket.snapshot["seqs"] == {"public": 0, "moderators": 0, f"p:{attendee.pk}": 0}
    assert socket.snapshot["data"]["you"]["role"] == "moderator"
    assert socket.snapshot["data"]["you"]["participant"]["id"] == str(attendee.pk)
    reply = await socket.send("participant.update", {"name": "Moderating Ana"})
    assert reply["type"] == "ok"
    assert (await socket.event("participant.updated"))["stream"] == f"p:{attendee.pk}"
    await socket.close()


async def test_the_screen_shows_public_things_only_even_given_an_attendee_token(event, attendee, ask):
    pending = await sync_to_async(ask)(attendee, text="A pending question the projector must not show")
    key = await sync_to_async(role_key_make)(event=event, role="screen", hours=1)
    socket = await Socket.open(key=key, token=attendee.token)
    data = socket.snapshot["data"]
    assert socket.snapshot["seqs"] == {"public": 0}
    assert data["you"]["participant"] is None
    assert pending.pk not in [question["id"] for question in data["questions"]]
    assert (await socket.send("participant.update", {"name": "Screen"}))["error"]["code"] == "forbidden"
    await socket.close()


async def test_signed_in_user_without_a_role_but_with_a_token_is_an_attendee(event, outsider_user, attendee):
    cookie = await session_cookie(outsider_user)
    socket = await Socket.open(headers=[(b"origin", b"http://localhost:8000"), cookie], token=attendee.token)
    assert socket.snapshot["data"]["you"]["role"] == "attendee"
    await socket.close()


async def test_database_down_at_connect_closes_with_try_again(event, attendee, monkeypatch):
    from django.db import OperationalError

    def down(**kwargs):
        raise OperationalError("the database went away")

    monkeypatch.setattr("livehub.realtime.consumer.authenticate", down)
    socket = await Socket.open(token=attendee.token, expect_snapshot=False)
    assert await socket.closed() == 1013


async def test_a_socket_without_session_cookie_reads_no_session(event, attendee, monkeypatch):
    async def read_session(scope):
        raise AssertionError("an attendee's connect read the session store")

    monkeypatch.setattr("channels.auth.get_user", read_session)
    socket = await Socket.open(token=attendee.token)
    assert socket.snapshot["data"]["you"]["role"] == "attendee"
    await socket.close()
