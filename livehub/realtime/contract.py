"""The wire contract as one JSON Schema document, from the models the apps declare.

Each app declares its commands, event payloads, snapshot part and constants in the registry;
this module adds the frames' envelopes and writes the whole as `docs/protocol.schema.json`
(`manage.py protocol_schema`). The frontend's types are generated from that file, and the test
suite checks every frame its clients receive against it (`FrameChecker`).
"""

import json
from functools import cache
from pathlib import Path
from typing import Any, Literal

from django.conf import settings
from pydantic import BaseModel, Field, create_model
from pydantic.json_schema import GenerateJsonSchema, models_json_schema

from livehub.errors import DomainError

from .registry import COMMANDS, CONSTANTS, EVENTS, SNAPSHOT_PARTS, Payload, optional

PATH = Path(settings.BASE_DIR) / "docs" / "protocol.schema.json"
REGENERATE = "python manage.py protocol_schema"


def _codes(error: type[DomainError]) -> set[str]:
    codes = {error.code} if error is not DomainError else set()
    for subclass in error.__subclasses__():
        codes |= _codes(subclass)
    return codes


ErrorCode = Literal[tuple(sorted(_codes(DomainError)))]  # type: ignore[valid-type]


class RoomPresence(Payload):
    room: int = Field(description="Participants following this room from the hall.")
    online: int = Field(description="Participants following this room online.")


class Presence(Payload):
    room: int = Field(description="Participants connected in the room.")
    online: int = Field(description="Participants connected online.")
    rooms: dict[str, RoomPresence] = optional(
        "Room slug -> the participants whose socket follows that room (`?room=`), by mode; only rooms"
        " someone follows, and left out when no one follows any."
    )


class ErrorBody(Payload):
    code: ErrorCode
    message: str
    fields: dict[str, str] = optional("Field (dotted path) -> what is wrong with it.")
    retry_after: float = optional("rate_limited: seconds to wait before retrying.")


class OkFrame(Payload):
    type: Literal["ok"]
    ref: str | None
    data: dict[str, Any] = Field(description="The command's reply.")


class ErrorFrame(Payload):
    type: Literal["error"]
    ref: str | None
    error: ErrorBody


class SyncedFrame(Payload):
    type: Literal["synced"]
    epoch: str
    seqs: dict[str, int] = Field(description="Every stream of the socket -> its current seq.")
    seq: int = Field(description="seqs.public")


class PresenceFrame(Payload):
    type: Literal["presence"]
    data: Presence


class GatewaySnapshot(Payload):
    presence: Presence


def snapshot_model() -> type[BaseModel]:
    """The snapshot's `data`: every app's part."""
    return create_model("Snapshot", __base__=(GatewaySnapshot, *SNAPSHOT_PARTS))


def snapshot_frame_model() -> type[BaseModel]:
    return create_model(
        "SnapshotFrame",
        __base__=Payload,
        type=(Literal["snapshot"], ...),
        epoch=(str, ...),
        seqs=(dict[str, int], ...),
        seq=(int, ...),
        data=(snapshot_model(), ...),
    )


ENVELOPES: dict[str, type[BaseModel]] = {
    "ok": OkFrame,
    "error": ErrorFrame,
    "synced": SyncedFrame,
    "presence": PresenceFrame,
}


class _Schema(GenerateJsonSchema):
    # A field's title is only its name again; generated TypeScript would make a type of each.
    def field_title_should_be_set(self, schema: Any) -> bool:
        return False


def _stream_schema(kind: str) -> dict[str, Any]:
    if kind == "participant":
        return {"type": "string", "pattern": "^p:"}
    return {"const": kind}


def _event_frame(type: str, kind: str, payload_ref: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "type": {"const": type},
            "stream": _stream_schema(kind),
            "seq": {"type": "integer", "minimum": 1},
            "data": payload_ref,
        },
        "required": ["type", "stream", "seq", "data"],
        "additionalProperties": False,
    }


def _one_of(refs: list[dict[str, Any]]) -> dict[str, Any]:
    distinct = list({ref["$ref"]: ref for ref in refs}.values())
    return distinct[0] if len(distinct) == 1 else {"anyOf": distinct}


def _table(properties: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "type": "object",
        "description": description,
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def document() -> dict[str, Any]:
    """The contract as one JSON Schema (draft 2020-12) document."""
    commands = sorted(COMMANDS.values(), key=lambda command: command.type)
    events = sorted(EVENTS.values(), key=lambda event: event.type)
    snapshot_frame = snapshot_frame_model()
    models: list[type[BaseModel]] = [command.schema for command in commands]
    models += [model for event in events for model in event.payloads.values()]
    models += [*ENVELOPES.values(), snapshot_frame]
    unique = list(dict.fromkeys(models))
    refs, schema = models_json_schema(
        [(model, "validation") for model in unique], ref_template="#/$defs/{model}", schema_generator=_Schema
    )

    def ref(model: type[BaseModel]) -> dict[str, Any]:
        return refs[(model, "validation")]

    defs = schema["$defs"]
    defs["EventFrame"] = {
        "description": "A pushed event: its `data` is the model of its type on that stream.",
        "anyOf": [
            _event_frame(event.type, kind, ref(model)) for event in events for kind, model in event.payloads.items()
        ],
    }
    frames = {name: ref(model) for name, model in ENVELOPES.items()}
    frames["snapshot"] = ref(snapshot_frame)
    frames["event"] = {"$ref": "#/$defs/EventFrame"}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Protocol",
        "description": f"The LiveHub wire contract (docs/protocol.md). Generated: {REGENERATE}.",
        "type": "object",
        "properties": {
            "commands": _table(
                {command.type: ref(command.schema) for command in commands}, "Command type -> its `data`."
            ),
            "events": _table(
                {event.type: _one_of([ref(model) for model in event.payloads.values()]) for event in events},
                "Event type -> its `data` (on each stream it comes on: x-events).",
            ),
            "frames": _table(frames, "What the server sends, by kind."),
        },
        "required": ["commands", "events", "frames"],
        "additionalProperties": False,
        "x-events": {
            event.type: {
                "description": event.description,
                "streams": {kind: ref(model)["$ref"].rsplit("/", 1)[1] for kind, model in event.payloads.items()},
            }
            for event in events
        },
        "x-constants": dict(sorted(CONSTANTS.items())),
        "$defs": dict(sorted(defs.items())),
    }


def text() -> str:
    """The document as it is committed: stable key order, one trailing newline."""
    return json.dumps(document(), indent=2, ensure_ascii=False) + "\n"


def write(path: Path = PATH) -> bool:
    """Write the document; returns whether it changed."""
    new = text()
    if path.exists() and path.read_text(encoding="utf-8") == new:
        return False
    path.write_text(new, encoding="utf-8")
    return True


def stream_kind(stream: str) -> str:
    return "participant" if stream.startswith("p:") else stream


class FrameChecker:
    """Checks frames a client received against the document; `errors` says what is wrong."""

    def __init__(self, document: dict[str, Any]) -> None:
        import jsonschema_rs  # a test dependency: only the test suite checks frames

        self._jsonschema = jsonschema_rs
        self._document = document
        self._validators: dict[tuple[str, str | None], Any] = {}

    def _validator(self, key: tuple[str, str | None], schema: dict[str, Any]) -> Any:
        if key not in self._validators:
            self._validators[key] = self._jsonschema.validator_for(
                {**schema, "$defs": self._document["$defs"]}, validate_formats=True
            )
        return self._validators[key]

    def _schema_of(self, frame: dict[str, Any]) -> tuple[tuple[str, str | None], dict[str, Any]] | str:
        kind = frame.get("type")
        frames = self._document["properties"]["frames"]["properties"]
        if kind in frames and kind != "event":
            return (kind, None), frames[kind]
        spec = self._document["x-events"].get(kind)
        if spec is None:
            return f"no event or frame of type {kind!r} in the contract"
        stream = stream_kind(str(frame.get("stream")))
        model = spec["streams"].get(stream)
        if model is None:
            return f"{kind!r} never comes on the stream {frame.get('stream')!r} (only {sorted(spec['streams'])})"
        return (kind, stream), _event_frame(kind, stream, {"$ref": f"#/$defs/{model}"})

    def errors(self, frame: dict[str, Any]) -> list[str]:
        found = self._schema_of(frame)
        if isinstance(found, str):
            return [found]
        key, schema = found
        return [
            f"{'/'.join(map(str, error.instance_path))}: {error.message}"
            for error in self._validator(key, schema).iter_errors(frame)
        ]


@cache
def frame_checker() -> FrameChecker:
    return FrameChecker(document())
