from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from livehub.realtime.registry import CommandSchema

Id = Annotated[int, Field(gt=0)]
Kind = Literal["single", "multiple", "rating", "wordcloud", "text", "stance"]


class PollFields(CommandSchema):
    prompt: Annotated[str, Field(max_length=1000)]
    kind: Kind
    session: Id | None = None
    options: Annotated[list[Annotated[str, Field(max_length=500)]], Field(max_length=20)] | None = None
    max_choices: Annotated[int, Field(ge=1, le=20)] | None = None
    scale: Literal[5, 10] | None = None
    phase: Literal["before", "after"] | None = None
    stance_pair: Id | None = None
    auto_open: bool = False


class CreatePoll(PollFields):
    pass


class UpdatePoll(CommandSchema):
    poll: Id
    prompt: Annotated[str, Field(max_length=1000)] | None = None
    kind: Kind | None = None
    session: Id | None = None
    options: Annotated[list[Annotated[str, Field(max_length=500)]], Field(max_length=20)] | None = None
    max_choices: Annotated[int, Field(ge=1, le=20)] | None = None
    scale: Literal[5, 10] | None = None
    phase: Literal["before", "after"] | None = None
    stance_pair: Id | None = None
    auto_open: bool | None = None

    # Left out means "keep"; null unsets a field that may be empty, and these may not.
    @field_validator("prompt", "kind", "auto_open")
    @classmethod
    def not_null(cls, value):
        if value is None:
            raise ValueError("leave it out to keep it; it cannot be null")
        return value


class PollRef(CommandSchema):
    poll: Id


class ResultsVisible(CommandSchema):
    poll: Id
    visible: bool


class OnScreen(CommandSchema):
    poll: Id
    on_screen: bool


class Respond(CommandSchema):
    poll: Id
    options: Annotated[list[Id], Field(min_length=1, max_length=20)] | None = None
    value: Annotated[int, Field(ge=0, le=100)] | None = None
    text: Annotated[str, Field(max_length=2000)] | None = None

    @model_validator(mode="after")
    def one_kind_of_answer(self) -> "Respond":
        given = [name for name in ("options", "value", "text") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of options, value or text")
        return self


class ModerateAnswer(CommandSchema):
    response: Id
    approve: bool
