"""Schemas shared by the HTTP API and the socket commands of the programme."""

import unicodedata
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from livehub.realtime.registry import CommandSchema

NAME_MAX = 60


def clean_name(value: str | None) -> str | None:
    """A display name: trimmed, no control characters; empty means anonymous."""
    if value is None:
        return None
    value = " ".join(value.split())
    if any(unicodedata.category(char) in {"Cc", "Cf"} for char in value):
        raise ValueError("must not contain control or invisible formatting characters")
    if len(value) > NAME_MAX:
        raise ValueError(f"must be at most {NAME_MAX} characters")
    return value or None


DisplayName = Annotated[str | None, AfterValidator(clean_name)]
Mode = Literal["room", "online"]
Status = Literal["scheduled", "live", "paused", "ended"]


class JoinIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: DisplayName = None
    mode: Mode = "online"


class JoinOut(BaseModel):
    participant: str
    token: str
    mode: Mode
    name: str | None


class SetStatus(CommandSchema):
    session: int = Field(gt=0)
    status: Status


class SetCurrent(CommandSchema):
    session: int | None = Field(gt=0)


class UpdateParticipant(CommandSchema):
    name: DisplayName = None
    mode: Mode | None = None
