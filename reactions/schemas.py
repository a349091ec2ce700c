"""The reactions' part of the contract: the command, the totals' event and snapshot part."""

from typing import Annotated, Literal

from pydantic import Field

from livehub.realtime.registry import CommandSchema, Payload, constant, event, snapshot_part

REACTION_KINDS = constant("reaction_kinds", ["applause", "like", "love", "laugh", "think"])
# Per participant, whatever their number of sockets or server processes.
REACTIONS_PER_SECOND = constant("reactions_per_second", 2)
ReactionKind = Literal["applause", "like", "love", "laugh", "think"]


class SendReaction(CommandSchema):
    session: Annotated[int, Field(gt=0)]
    kind: ReactionKind


class ModeCounts(Payload):
    room: int
    online: int


SessionReactions = dict[ReactionKind, ModeCounts]


class ReactionTotals(Payload):
    sessions: dict[str, SessionReactions] = Field(
        description="Session id -> kind -> exact totals (room, online), for the sessions whose totals changed."
    )


@snapshot_part
class ReactionsSnapshot(Payload):
    reactions: dict[str, SessionReactions] = Field(
        description="Session id -> kind -> totals, for every session with a reaction."
    )


event("reactions.updated", "New reaction totals (coalesced).", public=ReactionTotals)
