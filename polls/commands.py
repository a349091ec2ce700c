"""Socket commands of the polls: parse, authorise (by the registry), call one service."""

from typing import Any

from pydantic import BaseModel

from livehub.realtime.registry import (
    ATTENDEES,
    MODERATORS_ONLY,
    CommandContext,
    Receipt,
    command,
    one_statement_command,
)

from . import services
from .schemas import CreatePoll, ModerateAnswer, OnScreen, PollRef, Respond, ResultsVisible, UpdatePoll
from .selectors import respond_reply


def _plain(translations: dict[str, BaseModel] | None) -> dict[str, Any] | None:
    return None if translations is None else {language: text.model_dump() for language, text in translations.items()}


@command("poll.create", schema=CreatePoll, roles=MODERATORS_ONLY)
def create(ctx: CommandContext, cmd: CreatePoll) -> dict[str, Any]:
    poll = services.poll_create(
        event_id=ctx.event_id,
        actor=ctx.label,
        kind=cmd.kind,
        prompt=cmd.prompt,
        session_id=cmd.session,
        options=cmd.options,
        max_choices=cmd.max_choices,
        scale=cmd.scale,
        phase=cmd.phase,
        stance_pair_id=cmd.stance_pair,
        auto_open=cmd.auto_open,
        translations=_plain(cmd.translations),
    )
    return {"poll": poll.pk}


@command("poll.update", schema=UpdatePoll, roles=MODERATORS_ONLY)
def update(ctx: CommandContext, cmd: UpdatePoll) -> dict[str, Any]:
    names = {"session": "session_id", "stance_pair": "stance_pair_id"}
    fields = {names.get(name, name): getattr(cmd, name) for name in cmd.model_fields_set if name != "poll"}
    if "translations" in fields:
        fields["translations"] = _plain(cmd.translations)
    poll = services.poll_update(event_id=ctx.event_id, poll_id=cmd.poll, actor=ctx.label, **fields)
    return {"poll": poll.pk}


@command("poll.open", schema=PollRef, roles=MODERATORS_ONLY)
def open_poll(ctx: CommandContext, cmd: PollRef) -> dict[str, Any]:
    poll = services.poll_open(event_id=ctx.event_id, poll_id=cmd.poll, actor=ctx.label)
    return {"poll": poll.pk, "state": poll.state}


@command("poll.close", schema=PollRef, roles=MODERATORS_ONLY)
def close_poll(ctx: CommandContext, cmd: PollRef) -> dict[str, Any]:
    poll = services.poll_close(event_id=ctx.event_id, poll_id=cmd.poll, actor=ctx.label)
    return {"poll": poll.pk, "state": poll.state}


@command("poll.results_visible", schema=ResultsVisible, roles=MODERATORS_ONLY)
def results_visible(ctx: CommandContext, cmd: ResultsVisible) -> dict[str, Any]:
    poll = services.poll_set_results_visible(
        event_id=ctx.event_id, poll_id=cmd.poll, visible=cmd.visible, actor=ctx.label
    )
    return {"poll": poll.pk, "results_visible": poll.results_visible}


@command("poll.on_screen", schema=OnScreen, roles=MODERATORS_ONLY)
def on_screen(ctx: CommandContext, cmd: OnScreen) -> dict[str, Any]:
    poll = services.poll_set_on_screen(
        event_id=ctx.event_id, poll_id=cmd.poll, on_screen=cmd.on_screen, actor=ctx.label
    )
    return {"poll": poll.pk, "on_screen": poll.on_screen}


@one_statement_command("poll.respond", schema=Respond, roles=ATTENDEES, needs_participant=True)
def respond(ctx: CommandContext, cmd: Respond, receipt: Receipt | None) -> dict[str, Any]:
    response = services.poll_respond(
        participant_id=ctx.participant_id,
        event_id=ctx.event_id,
        poll_id=cmd.poll,
        options=cmd.options,
        value=cmd.value,
        text=cmd.text,
        receipt=receipt,
    )
    return respond_reply(response)


@command("poll.moderate_answer", schema=ModerateAnswer, roles=MODERATORS_ONLY)
def moderate_answer(ctx: CommandContext, cmd: ModerateAnswer) -> dict[str, Any]:
    response = services.poll_moderate_answer(
        event_id=ctx.event_id, response_id=cmd.response, approve=cmd.approve, actor=ctx.label
    )
    return {"response": response.pk, "state": response.review}
