"""Socket commands of the Q&A: parse, authorise (by the registry), call one service."""

from typing import Any

from livehub.realtime.registry import (
    ATTENDEES,
    MODERATORS_ONLY,
    STAGE,
    CommandContext,
    Receipt,
    command,
    one_statement_command,
)

from . import services
from .schemas import AnswerIn, Ask, Edit, Merge, Moderate, SetModeration, VoteIn


@command("question.ask", schema=Ask, roles=ATTENDEES, needs_participant=True)
def ask(ctx: CommandContext, cmd: Ask) -> dict[str, Any]:
    question = services.question_ask(
        participant_id=ctx.participant_id,
        event_id=ctx.event_id,
        session_id=cmd.session,
        text=cmd.text,
        anonymous=cmd.anonymous,
    )
    return {"question": question.pk, "state": question.state}


@one_statement_command("question.vote", schema=VoteIn, roles=ATTENDEES, needs_participant=True)
def vote(ctx: CommandContext, cmd: VoteIn, receipt: Receipt | None) -> dict[str, Any]:
    votes, voted = services.question_vote(
        participant_id=ctx.participant_id, event_id=ctx.event_id, question_id=cmd.question, up=cmd.up, receipt=receipt
    )
    return services.vote_reply(question_id=cmd.question, voted=voted, votes=votes)


@command("question.moderate", schema=Moderate, roles=STAGE)
def moderate(ctx: CommandContext, cmd: Moderate) -> dict[str, Any]:
    question = services.question_moderate(
        event_id=ctx.event_id,
        question_id=cmd.question,
        action=cmd.action,
        actor=ctx.label,
        role=ctx.role,
        reason=cmd.reason,
    )
    return {"question": question.pk, "state": question.state, "highlighted": question.highlighted}


@command("question.answer", schema=AnswerIn, roles=STAGE)
def answer(ctx: CommandContext, cmd: AnswerIn) -> dict[str, Any]:
    question = services.question_answer_in_writing(
        event_id=ctx.event_id, question_id=cmd.question, text=cmd.text, role=ctx.role, actor=ctx.label
    )
    return {"question": question.pk, "answered": bool(question.answer_text)}


@command("question.edit", schema=Edit, roles=MODERATORS_ONLY)
def edit(ctx: CommandContext, cmd: Edit) -> dict[str, Any]:
    question = services.question_edit(event_id=ctx.event_id, question_id=cmd.question, text=cmd.text, actor=ctx.label)
    return {"question": question.pk}


@command("question.merge", schema=Merge, roles=MODERATORS_ONLY)
def merge(ctx: CommandContext, cmd: Merge) -> dict[str, Any]:
    target = services.question_merge(event_id=ctx.event_id, question_id=cmd.question, into_id=cmd.into, actor=ctx.label)
    return {"question": cmd.question, "into": target.pk, "votes": target.vote_count}


@command("event.set_moderation", schema=SetModeration, roles=MODERATORS_ONLY)
def set_moderation(ctx: CommandContext, cmd: SetModeration) -> dict[str, Any]:
    event = services.event_set_moderation(event_id=ctx.event_id, auto_approve=cmd.auto_approve, actor=ctx.label)
    return {"auto_approve": event.auto_approve}
