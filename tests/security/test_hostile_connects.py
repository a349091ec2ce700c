"""Hostile handshakes: credentials for another event, expired, revoked or forged; foreign origins;
forged reconnect positions. Each is refused with its close code, or gets only its own streams."""

import time
from copy import copy
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.core import signing

from sessions.models import hash_token
from sessions.rolelinks import _salt
from tests.helpers import ORIGIN, Socket
from tests.security.conftest import db_state

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("hub_stopped")]


def link_id(w: SimpleNamespace, key: str, *, event=None) -> int:
    """The recorded link a real key names."""
    return signing.loads(key, salt=_salt(event or w.event))["i"]


def signed(w: SimpleNamespace, claims: Any, *, event=None, link: int | None = None) -> str:
    """A role key as the server would sign it, with whatever claims the attacker wants signed: a dict
    names the world's live moderator link unless it says otherwise, so that only its own flaw refuses it."""
    if isinstance(claims, dict) and "i" not in claims and link != 0:
        claims = {**claims, "i": link or link_id(w, w.moderator_key)}
    return signing.dumps(claims, salt=_salt(event or w.event))


def revoked_key(w: SimpleNamespace) -> str:
    """A key signed before the organisers rotated the event's link secret."""
    before = copy(w.event)
    before.link_secret = "the-secret-before-rotation"
    return signed(w, {"e": w.event.code, "r": "moderator", "x": int(time.time()) + 3600}, event=before)


def tampered_key(w: SimpleNamespace) -> str:
    """A speaker key whose payload was edited to say moderator, signature kept."""
    _payload, timestamp, signature = w.speaker_key.split(":")
    forged = signing.b64_encode(b'{"e":"SFH2022","r":"moderator","x":9999999999}').decode()
    return f"{forged}:{timestamp}:{signature}"


@dataclass(frozen=True)
class Connect:
    name: str
    query: Any  # callable(w) -> dict of query parameters
    expect: int | str  # a close code, or "own-streams": accepted with nothing but its own streams
    headers: list | None = None
    code: str = "SFH2022"


HOUR = 3600
CASES = [
    Connect("key_of_another_event", lambda w: {"key": w.other_moderator_key}, 4401),
    Connect(
        "expired_key", lambda w: {"key": signed(w, {"e": "SFH2022", "r": "moderator", "x": int(time.time()) - 1})}, 4401
    ),
    Connect("revoked_key", lambda w: {"key": revoked_key(w)}, 4401),
    Connect(
        "key_signed_with_a_guessed_salt",
        lambda w: {"key": signing.dumps({"e": "SFH2022", "r": "moderator", "x": 2**40}, salt="livehub")},
        4401,
    ),
    Connect("key_payload_edited", lambda w: {"key": tampered_key(w)}, 4401),
    Connect(
        "key_for_an_unknown_role",
        lambda w: {"key": signed(w, {"e": "SFH2022", "r": "admin", "x": int(time.time()) + HOUR})},
        4401,
    ),
    Connect(
        "key_naming_another_event",
        lambda w: {"key": signed(w, {"e": "OTHER1", "r": "moderator", "x": int(time.time()) + HOUR})},
        4401,
    ),
    Connect("key_without_expiry", lambda w: {"key": signed(w, {"e": "SFH2022", "r": "moderator", "x": "never"})}, 4401),
    Connect("key_claims_not_an_object", lambda w: {"key": signed(w, ["SFH2022", "moderator"])}, 4401),
    Connect("key_of_a_link_revoked_on_its_own", lambda w: {"key": w.revoked_moderator_key}, 4401),
    Connect(
        "key_without_a_recorded_link",
        lambda w: {"key": signed(w, {"e": "SFH2022", "r": "moderator", "x": int(time.time()) + HOUR}, link=0)},
        4401,
    ),
    Connect(
        "key_naming_an_unknown_link",
        lambda w: {"key": signed(w, {"e": "SFH2022", "r": "moderator", "x": int(time.time()) + HOUR, "i": 2**40})},
        4401,
    ),
    Connect(
        "key_naming_a_speaker_link_as_moderator",
        lambda w: {
            "key": signed(
                w, {"e": "SFH2022", "r": "moderator", "x": int(time.time()) + HOUR, "i": link_id(w, w.speaker_key)}
            )
        },
        4401,
    ),
    Connect(
        "key_naming_another_events_link",
        lambda w: {
            "key": signed(
                w,
                {
                    "e": "SFH2022",
                    "r": "moderator",
                    "x": int(time.time()) + HOUR,
                    "i": link_id(w, w.other_moderator_key, event=w.other_event),
                },
            )
        },
        4401,
    ),
    Connect(
        "key_link_id_not_a_number",
        lambda w: {"key": signed(w, {"e": "SFH2022", "r": "moderator", "x": int(time.time()) + HOUR, "i": "1 OR 1=1"})},
        4401,
    ),
    Connect(
        "key_link_id_true",
        lambda w: {"key": signed(w, {"e": "SFH2022", "r": "moderator", "x": int(time.time()) + HOUR, "i": True})},
        4401,
    ),
    Connect("key_garbage", lambda w: {"key": "eyJhbGciOiJub25lIn0.e30."}, 4401),
    Connect(
        "key_unsigned_jwt_style",
        lambda w: {"key": signing.b64_encode(b'{"e":"SFH2022","r":"moderator"}').decode()},
        4401,
    ),
    Connect("token_of_another_event", lambda w: {"token": w.zoe_token}, 4401),
    Connect("token_garbage", lambda w: {"token": "not-a-token"}, 4401),
    Connect("token_huge", lambda w: {"token": "A" * 10_000}, 4401),
    Connect("token_sql_injection", lambda w: {"token": "' OR '1'='1' --"}, 4401),
    Connect("token_is_the_stored_hash", lambda w: {"token": hash_token(w.attendee.token)}, 4401),
    Connect("no_credentials", lambda w: {}, 4401),
    Connect("empty_credentials", lambda w: {"token": "", "key": ""}, 4401),
    Connect(
        "foreign_origin_with_a_valid_token",
        lambda w: {"token": w.attendee.token},
        403,
        headers=[(b"origin", b"https://evil.example")],
    ),
    Connect("origin_null", lambda w: {"token": w.attendee.token}, 403, headers=[(b"origin", b"null")]),
    Connect(
        "origin_lookalike_host",
        lambda w: {"token": w.attendee.token},
        403,
        headers=[(b"origin", b"http://localhost.evil.example")],
    ),
    Connect("origin_without_scheme", lambda w: {"token": w.attendee.token}, 403, headers=[(b"origin", b"localhost")]),
    Connect("unknown_event", lambda w: {"token": w.attendee.token}, 4404, code="NOPE2030"),
    Connect("event_code_sql_injection", lambda w: {"token": w.attendee.token}, 4404, code="SFH2022' OR '1'='1"),
    Connect(
        "event_code_fullwidth_lookalike",
        lambda w: {"token": w.attendee.token},
        4404,
        code="\uff33\uff26\uff28\uff12\uff10\uff12\uff12",
    ),
    Connect(
        "since_far_beyond_the_log", lambda w: {"token": w.attendee.token, "since": "public:999999999"}, "own-streams"
    ),
    Connect("since_garbage", lambda w: {"token": w.attendee.token, "since": "public:-1,🧬:x"}, "own-streams"),
    Connect(
        "since_for_the_moderators_stream", lambda w: {"token": w.attendee.token, "since": "moderators:0"}, "own-streams"
    ),
    Connect(
        "since_for_another_participants_stream",
        lambda w: {"token": w.attendee.token, "since": f"p:{w.ben.pk}:0"},
        "own-streams",
    ),
    Connect(
        "forged_epoch", lambda w: {"token": w.attendee.token, "since": "public:0", "epoch": "deadbeef"}, "own-streams"
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
async def test_hostile_handshake(case, world):
    before = await database_sync_to_async(db_state)()
    query = case.query(world)
    socket = await Socket.open(
        case.code, headers=[ORIGIN] if case.headers is None else case.headers, expect_snapshot=False, **query
    )
    if isinstance(case.expect, int):
        assert (socket.close_code or await socket.closed()) == case.expect
    else:
        first = await socket.next(timeout=5)
        assert first["type"] in {"snapshot", "synced"}, first
        assert set(first["seqs"]) == {"public", f"p:{world.attendee.pk}"}, "a socket got streams that are not its own"
        await socket.close()
    assert await database_sync_to_async(db_state)() == before


async def test_an_honest_key_made_like_the_forged_ones_is_accepted(world):
    """Control: `signed` with honest claims opens the socket as moderator, so each refused key
    above is refused for its own flaw, not for a flaw of the helper."""
    socket = await Socket.open(key=signed(world, {"e": "SFH2022", "r": "moderator", "x": int(time.time()) + HOUR}))
    assert socket.close_code is None
    assert socket.snapshot["data"]["you"]["role"] == "moderator"
    await socket.close()
