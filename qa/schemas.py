"""The Q&A's part of the contract: its commands, the payloads of its events and snapshot, and
its moderation machine."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from livehub.realtime.registry import CommandSchema, Payload, constant, event, limit, optional, snapshot_part

QUESTION_TEXT = limit("question_text", min=3, max=500)
QuestionText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=QUESTION_TEXT.min, max_length=QUESTION_TEXT.max)
]
# A written answer; empty text takes the answer back.
ANSWER_TEXT = limit("answer_text", max=2000)
Id = Annotated[int, Field(gt=0)]
QuestionState = Literal["pending", "approved", "rejected", "answered", "archived"]
ModerationAction = Literal["approve", "reject", "highlight", "unhighlight", "answer", "archive", "restore"]

# action: the states it applies to and the resulting state (None: kept), in the console's order. Besides the state,
# highlight needs a question not highlighted, unhighlight a highlighted one, restore one that was
# not merged (`qa.selectors.moderation_actions`).
MODERATION: dict[str, dict[str, Any]] = constant(
    "question_moderation",
    {
        "approve": {"from": ("pending", "rejected"), "to": "approved"},
        "highlight": {"from": ("approved",), "to": None},
        "unhighlight": {"from": ("approved", "answered"), "to": None},
        "answer": {"from": ("approved",), "to": "answered"},
        "archive": {"from": ("pending", "approved", "rejected", "answered"), "to": "archived"},
        "reject": {"from": ("pending", "approved"), "to": "rejected"},
        "restore": {"from": ("archived", "rejected"), "to": "approved"},
    },
)


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
    action: ModerationAction
    # Only with "reject": told to the question's author.
    reason: RejectionReason | None = None


class Edit(CommandSchema):
    question: Id
    text: QuestionText


class AnswerIn(CommandSchema):
    question: Id
    text: str = Field(
        max_length=ANSWER_TEXT.max, description="The answer in writing; empty removes it, another text replaces it."
    )


class Merge(CommandSchema):
    question: Id
    into: Id


class SetModeration(CommandSchema):
    auto_approve: bool


class SimilarQuestion(Payload):
    id: int
    text: str
    votes: int


class WrittenAnswer(Payload):
    text: str
    by: Literal["moderator", "speaker"] = Field(description="The role of whoever wrote it.")
    at: datetime = Field(description="When it was written or last replaced.")


class PublicQuestion(Payload):
    """What everyone who may see a question sees."""

    id: int
    session: int
    text: str
    author: str | None
    state: QuestionState
    votes: int
    highlighted: bool
    edited: bool
    created_at: datetime
    answered_at: datetime | None
    merged_into: int | None
    answer: WrittenAnswer | None = Field(description="The answer in writing, if a moderator or speaker wrote one.")


class AuthorQuestion(PublicQuestion):
    """The author's copy of their own question, on their `p:` stream."""

    mine: Literal[True]
    rejection_reason: RejectionReason | None


class ModeratorQuestion(PublicQuestion):
    rejection_reason: RejectionReason | None
    flagged: bool
    flagged_words: list[str]
    original_text: str | None
    similar: list[SimilarQuestion]
    actions: list[ModerationAction] = Field(
        description="The `question.moderate` actions the server accepts for this question now."
    )


class Question(PublicQuestion):
    """A question as a client holds it: a payload, with this socket's marks (a participant's
    sockets) and the moderators' fields (moderator sockets)."""

    voted: bool = optional("This participant upvoted it.")
    mine: bool = optional("This participant asked it.")
    rejection_reason: RejectionReason | None = optional("Why a moderator rejected it (the author's, moderators').")
    flagged: bool = optional()
    flagged_words: list[str] = optional()
    original_text: str | None = optional()
    similar: list[SimilarQuestion] = optional()
    actions: list[ModerationAction] = optional()


class QuestionRemoved(Payload):
    id: int
    session: int


class VoteTotals(Payload):
    counts: dict[str, int] = Field(description="Question id -> its votes, for the questions whose votes changed.")


class VoteMark(Payload):
    question: int
    voted: bool


@snapshot_part
class QaSnapshot(Payload):
    questions: list[Question]


event(
    "question.submitted",
    "A question was asked (a question approved at once comes to `public` as `question.updated`).",
    moderators=ModeratorQuestion,
    participant=AuthorQuestion,
)
event(
    "question.updated",
    "A question changed: moderated, edited, merged, answered in writing, or asked and approved at once.",
    public=PublicQuestion,
    moderators=ModeratorQuestion,
    participant=AuthorQuestion,
)
event("question.removed", "A question left public view.", public=QuestionRemoved)
event("votes.updated", "New vote totals (coalesced).", public=VoteTotals)
event("vote.updated", "The participant's own vote.", participant=VoteMark)
