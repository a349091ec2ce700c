from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from livehub.realtime.registry import CommandSchema

QuestionText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500)]
Id = Annotated[int, Field(gt=0)]


class Ask(CommandSchema):
    session: Id
    text: QuestionText
    anonymous: bool = True


class VoteIn(CommandSchema):
    question: Id
    up: bool


RejectionReason = Literal["off_topic", "duplicate", "already_answered", "inappropriate"]


class Moderate(CommandSchema):
    question: Id
    action: Literal["approve", "reject", "highlight", "unhighlight", "answer", "archive", "restore"]
    # Only with "reject": told to the question's author.
    reason: RejectionReason | None = None


class Edit(CommandSchema):
    question: Id
    text: QuestionText


class Merge(CommandSchema):
    question: Id
    into: Id


class SetModeration(CommandSchema):
    auto_approve: bool
