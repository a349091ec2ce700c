"""The polls' part of the contract: their commands, the payloads of their events and snapshot,
and their limits."""

from datetime import datetime
from typing import Annotated, Literal

from django.utils.translation import gettext
from pydantic import Field, field_validator, model_validator

from livehub.realtime.registry import CommandSchema, Payload, event, limit, optional, snapshot_part
from livehub.validation import refused

Id = Annotated[int, Field(gt=0)]
Kind = Literal["single", "multiple", "rating", "wordcloud", "text", "stance"]
State = Literal["draft", "open", "closed"]
Phase = Literal["before", "after"]
Review = Literal["pending", "approved", "rejected"]

# The prompt's length counts after runs of spaces are folded into one (`polls.services`).
PROMPT = limit("poll_prompt", min=3, max=300)
OPTIONS = limit("poll_options", min=2, max=10)  # of a choice poll
OPTION_LABEL = limit("poll_option_label", min=1, max=120)
ANSWER_TEXT = limit("poll_answer_text", min=1, max=500)  # an open-text answer, trimmed
WORDS = limit("poll_answer_words", min=1, max=3)  # a word cloud answer
WORD = limit("poll_answer_word", max=40)

Prompt = Annotated[str, Field(max_length=PROMPT.max)]
Labels = Annotated[list[Annotated[str, Field(max_length=OPTION_LABEL.max)]], Field(max_length=OPTIONS.max)]
MaxChoices = Annotated[int, Field(ge=1, le=OPTIONS.max)]


class PollTranslation(CommandSchema):
    """The prompt and option labels in one more of the event's languages; "" keeps the original."""

    prompt: Prompt = ""
    options: Labels = []


# By language code; which codes are allowed depends on the event (`polls.services`).
Translations = dict[Annotated[str, Field(max_length=8)], PollTranslation]


class _PollSettings(CommandSchema):
    """What a poll may leave empty, the same whether it is created or changed."""

    session: Id | None = None
    options: Labels | None = None
    max_choices: MaxChoices | None = None
    scale: Literal[5, 10] | None = None
    phase: Literal["before", "after"] | None = None
    stance_pair: Id | None = None
    translations: Translations | None = None


class PollFields(_PollSettings):
    prompt: Prompt
    kind: Kind
    auto_open: bool = False


class CreatePoll(PollFields):
    pass


class UpdatePoll(_PollSettings):
    poll: Id
    prompt: Prompt | None = None
    kind: Kind | None = None
    auto_open: bool | None = None

    # Left out means "keep"; null unsets a field that may be empty, and these may not.
    @field_validator("prompt", "kind", "auto_open")
    @classmethod
    def not_null(cls, value):
        if value is None:
            raise refused(gettext("Leave it out to keep it; it cannot be null."))
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
    options: Annotated[list[Id], Field(min_length=1, max_length=OPTIONS.max)] | None = None
    value: Annotated[int, Field(ge=0, le=100)] | None = None
    text: Annotated[str, Field(max_length=ANSWER_TEXT.max)] | None = None

    @model_validator(mode="after")
    def one_kind_of_answer(self) -> "Respond":
        given = [name for name in ("options", "value", "text") if getattr(self, name) is not None]
        if len(given) != 1:
            raise refused(gettext("Give exactly one of %(fields)s.") % {"fields": "options, value, text"})
        return self


class ModerateAnswer(CommandSchema):
    response: Id
    approve: bool


class PollOption(Payload):
    id: int
    label: str


class PollTranslationPayload(Payload):
    prompt: str = Field(description='The prompt in this language, "" for the original.')
    options: list[str] = Field(
        description='As many labels as the poll has options, in their order ("" for the original), or none.'
    )


class Poll(Payload):
    id: int
    session: int | None
    kind: Kind
    prompt: str
    options: list[PollOption]
    translations: dict[str, PollTranslationPayload] = Field(
        default_factory=dict,
        description="The prompt and options in the event's other languages, by language ({} when none).",
    )
    state: State
    results_visible: bool
    on_screen: bool
    max_choices: int | None
    scale: Literal[5, 10] | None
    stance_pair: int | None
    phase: Phase | None
    opened_at: datetime | None
    closed_at: datetime | None
    grace_until: datetime | None
    auto_open: bool
    order: int


class SplitPart(Payload):
    total: int
    counts: dict[str, int]


class Split(Payload):
    room: SplitPart
    online: SplitPart


class PollAnswer(Payload):
    id: int
    text: str
    state: Review


class Swing(Payload):
    before: int
    after: int
    participants: int = Field(description="Participants who answered both polls.")
    moved: int = Field(description="Of them, those who changed position.")
    matrix: dict[str, dict[str, int]] = Field(description="before option id -> after option id -> participants.")
    before_counts: dict[str, int]
    after_counts: dict[str, int]


class PollResults(Payload):
    poll: int
    total: int = Field(description="Participants who answered.")
    counts: dict[str, int] = Field(description="By option id (choice, stance), value (rating) or word (word cloud).")
    split: Split
    mean: float | None = optional("Ratings: the mean (2 decimals), null without answers.")
    distribution: dict[str, int] = optional("Ratings: every value 1..scale -> answers.")
    words: list[tuple[str, int]] = optional("Word clouds: the top words by count, then alphabetically.")
    answers: list[PollAnswer] = optional("Open text.")
    swing: Swing = optional("The after poll of a closed stance pair.")


class PollResponse(Payload):
    """A participant's own answer: exactly one of options, value and text, by kind."""

    poll: int
    options: list[int] = optional()
    value: int = optional()
    text: str = optional()
    review: Review = optional("Open text: whether a moderator showed the answer.")


class PollRemoved(Payload):
    id: int


@snapshot_part
class PollsSnapshot(Payload):
    polls: list[Poll]
    results: dict[str, PollResults] = Field(description="By poll id.")
    responses: dict[str, PollResponse] = optional("Sockets with a participant: by poll id.")


event("poll.updated", "A poll changed.", public=Poll, moderators=Poll)
event("poll.removed", "A draft poll was deleted.", moderators=PollRemoved)
event("poll.results", "A poll's results (coalesced).", public=PollResults, moderators=PollResults)
event("poll.response", "The participant's own answer.", participant=PollResponse)
