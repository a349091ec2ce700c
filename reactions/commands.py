"""The socket command of the reactions: run on the event loop (a transaction each would not keep
up with a hall reacting at once), one atomic Redis script per reaction."""

from typing import Any

from livehub.realtime.registry import ATTENDEES, CommandContext, direct_command

from . import services
from .schemas import SendReaction


@direct_command("reaction.send", schema=SendReaction, roles=ATTENDEES, needs_participant=True)
async def send(ctx: CommandContext, cmd: SendReaction, ref: str | None) -> dict[str, Any]:
    counted = await services.reaction_send(
        event_id=ctx.event_id,
        participant_id=ctx.participant_id,
        actor=ctx.actor,
        mode=ctx.mode,
        session_id=cmd.session,
        kind=cmd.kind,
        ref=ref,
    )
    return {"session": cmd.session, "kind": cmd.kind, "counted": counted}
