"""The envelope of the wire contract (docs/protocol.md): streams, close codes, frames."""

import json
import re
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.utils.translation import gettext

from livehub.errors import BadRequest, DomainError, Invalid

PUBLIC = "public"
MODERATORS = "moderators"
SPEAKERS = "speakers"

ATTENDEE = "attendee"
MODERATOR = "moderator"
SPEAKER = "speaker"
SCREEN = "screen"  # the projector: reads the public stream, sends nothing
ROLES = (ATTENDEE, MODERATOR, SPEAKER, SCREEN)


class Close:
    # The client should reconnect with `since` (server restarting, client too slow, lost sync).
    RECONNECT = 4000
    UNAUTHORIZED = 4401
    FORBIDDEN = 4403
    NOT_FOUND = 4404
    FLOODING = 4408
    TRY_AGAIN = 1013  # a service the server needs is down; reconnect with backoff
    RESTARTING = 1012  # this process is stopping: reconnect (elsewhere) with backoff


def participant_stream(participant_id: UUID | str) -> str:
    return f"p:{participant_id}"


def streams_for(role: str, participant_id: UUID | None) -> tuple[str, ...]:
    """The streams a socket of this role receives, in the contract's order."""
    if role == SCREEN:
        return (PUBLIC,)  # the projector shows public things only, whatever it presented
    own = (participant_stream(participant_id),) if participant_id else ()
    if role == MODERATOR:
        return (PUBLIC, MODERATORS, *own)
    if role == SPEAKER:
        return (PUBLIC, SPEAKERS, *own)
    return (PUBLIC, *own)


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def event_frame_parts(*, type: str, stream: str, data_text: str) -> tuple[str, str]:
    """The text of a pushed event around its `seq`, which only the replay log allocates."""
    return f'{{"type":{dumps(type)},"stream":{dumps(stream)},"seq":', f',"data":{data_text}}}'


def ok_frame(ref: str | None, data: dict[str, Any]) -> str:
    return dumps({"type": "ok", "ref": ref, "data": data})


def error_frame(ref: str | None, error: DomainError) -> str:
    return dumps({"type": "error", "ref": ref, "error": error.as_dict()})


def snapshot_frame(*, epoch: str, seqs: dict[str, int], data: dict[str, str]) -> str:
    """`data` holds the JSON text of each key: a shared part is serialized once, not per socket."""
    head = dumps({"type": "snapshot", "epoch": epoch, "seqs": seqs, "seq": seqs.get(PUBLIC, 0)})
    body = ",".join(f"{dumps(key)}:{text}" for key, text in data.items())
    return f'{head[:-1]},"data":{{{body}}}}}'


def synced_frame(*, epoch: str, seqs: dict[str, int]) -> str:
    return dumps({"type": "synced", "epoch": epoch, "seqs": seqs, "seq": seqs.get(PUBLIC, 0)})


def presence_frame(counts: dict[str, int]) -> str:
    return dumps({"type": "presence", "data": counts})


@dataclass(frozen=True)
class Envelope:
    type: str
    ref: str | None
    data: dict[str, Any]


MAX_REF_LENGTH = 64


def decode_frame(text: str) -> dict[str, Any]:
    """A client frame as a JSON object, or BadRequest."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise BadRequest("The frame is nested too deeply.") from None
    except ValueError:
        raise BadRequest("The frame is not valid JSON.") from None
    if not isinstance(value, dict):
        raise BadRequest("A frame must be a JSON object.")
    # An in-process client can hand over a raw surrogate; a real socket's UTF-8 check refuses it.
    if SURROGATE.search(text):
        raise BadRequest("The frame is not valid UTF-8 text.")
    return value


# A \u escape can carry NUL or an unpaired surrogate into a string: PostgreSQL cannot store NUL
# and UTF-8 cannot encode a surrogate, so stored or echoed either would become a server error.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
SURROGATE = re.compile("[\ud800-\udfff]")


def has_unstorable(value: Any, *, pattern: re.Pattern[str] = UNSTORABLE) -> bool:
    """Whether any string in a decoded JSON value (keys included) matches `pattern`."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if pattern.search(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _unstorable_field(data: dict[str, Any]) -> str | None:
    """The top-level field of `data` that holds NUL or an unpaired surrogate, if any."""
    for key, item in data.items():
        if has_unstorable(key):
            return "data"
        if has_unstorable(item):
            return key
    return None


def frame_ref(value: dict[str, Any]) -> str | None:
    """The frame's `ref` if it is a usable one (so that even an error can carry it back)."""
    ref = value.get("ref")
    usable = isinstance(ref, str) and 0 < len(ref) <= MAX_REF_LENGTH and not UNSTORABLE.search(ref)
    return ref if usable else None


def read_envelope(value: dict[str, Any]) -> Envelope:
    """Check the envelope's fields, saying precisely what is wrong."""
    ref = value.get("ref")
    if ref is not None and frame_ref(value) is None:
        raise Invalid("`ref` must be a string of 1 to 64 characters (no NUL).", fields={"ref": "invalid"})
    type_ = value.get("type")
    if not isinstance(type_, str) or not type_:
        raise BadRequest("A frame needs a `type` string.")
    data = value.get("data", {})
    if not isinstance(data, dict):
        raise Invalid("`data` must be an object.", fields={"data": "must be an object"})
    field = _unstorable_field(data)
    if field is not None:
        raise Invalid(
            gettext("Text must not contain NUL characters or unpaired surrogates."),
            fields={field: gettext("must not contain NUL characters or unpaired surrogates")},
        )
    return Envelope(type=type_, ref=ref, data=data)


def parse_since(raw: str) -> dict[str, int]:
    """`since=40` (the public stream) or `since=public:40,moderators:12`."""
    result: dict[str, int] = {}
    for part in raw.split(","):
        part = part.strip()
        if not part:
            continue
        stream, _, number = part.rpartition(":") if ":" in part else (PUBLIC, "", part)
        if not (number.isascii() and number.isdigit()) or len(number) > 18:
            raise BadRequest(f"`since` has a bad position: {part!r}.")
        result[stream or PUBLIC] = int(number)
    return result
