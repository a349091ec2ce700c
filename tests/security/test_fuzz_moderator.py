"""The moderators' commands fuzzed too (hypothesis, seeded): a moderator may change almost
anything, so what is checked is that every frame gets one reply, never `internal`, the socket
stays up and the server logs no error. Values are mostly plausible for their field (and often
null), and the targets include drafts, so that frames get past validation into the services:
a null prompt in `poll.update` of a draft once reached the database.
"""

import asyncio
import json
import logging

import pytest
from django.test import override_settings
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from livehub.realtime.protocol import MODERATOR
from livehub.realtime.registry import COMMANDS
from tests.helpers import Socket

from .test_fuzz import EDGY_TEXT, TARGETS, WORDS, ErrorLog, _limits, answered, resolve

pytestmark = [pytest.mark.django_db, pytest.mark.timeout(600)]

EXAMPLES, FRAMES_PER_EXAMPLE = 100, 30  # 3,000 frames
MODERATOR_COMMANDS = sorted(
    name for name, command in COMMANDS.items() if MODERATOR in command.roles and not command.needs_participant
)
DRAFTS = ["$draft_single", "$draft_before", "$draft_after"]
ids = st.sampled_from(TARGETS + DRAFTS * 3)
texts = st.sampled_from(["Who pays for gene therapy?", "Belgium can become the hub.", "Yes", "No", *EDGY_TEXT])
PLAUSIBLE = {
    "kind": st.sampled_from(["single", "multiple", "rating", "wordcloud", "text", "stance", "poll"]),
    "phase": st.sampled_from(["before", "after", "during"]),
    "scale": st.sampled_from([5, 10, 7, 0]),
    "max_choices": st.integers(-1, 12),
    "options": st.lists(texts, max_size=11) | st.lists(ids, max_size=3),
    "status": st.sampled_from(["scheduled", "live", "paused", "ended", "over"]),
    "action": st.sampled_from(WORDS),
    "prompt": texts,
    "text": texts,
}


def field_values(name: str) -> st.SearchStrategy:
    if name in {"session", "question", "poll", "into", "response", "stance_pair"}:
        plausible = ids
    else:
        plausible = PLAUSIBLE.get(name, st.booleans())
    # Junk of every type is the other fuzz test's job (it stops at validation): here, nearly right.
    return plausible | st.none()


def command_frames(type: str) -> st.SearchStrategy[str]:
    """Its required fields always there (else nearly every frame stops at "Field required")."""
    schema = COMMANDS[type].schema.model_fields
    required = {name: field_values(name) for name, field in schema.items() if field.is_required()}
    optional = {name: field_values(name) for name, field in schema.items() if not field.is_required()}
    frames = st.fixed_dictionaries(required, optional=optional)
    return frames.map(lambda data: json.dumps({"type": type, "data": data}))


async def drafts(socket: Socket, world) -> dict[str, int]:
    """Made over the socket, as a moderator would (committed, so the socket's threads see them)."""

    async def create(kind: str, **fields) -> int:
        reply = await socket.send("poll.create", {"kind": kind, "prompt": "A draft to fuzz?", **fields})
        return reply["data"]["poll"]

    before = await create("stance", phase="before")
    return {
        "$draft_single": await create("single", options=["Insurers", "Europe"], session=world.session),
        "$draft_before": before,
        "$draft_after": await create("stance", phase="after", stance_pair=before),
    }


def test_fuzzed_moderator_commands_always_get_a_clear_answer(world, loop):
    def run(coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, loop).result(60)

    errors = ErrorLog()
    logging.getLogger().addHandler(errors)
    replies: dict[str, int] = {}
    with override_settings(LIVEHUB_REALTIME={**_limits(), "COMMANDS_PER_SECOND": 10**6}):
        socket = run(Socket.open(key=world.moderator_key))

    async def send_batch(batch: list[str]) -> None:
        targets = await drafts(socket, world)  # fresh ones: the last batch may have opened them
        for text in batch:
            await answered(socket, resolve(text, world, targets), replies)
        socket.frames.clear()

    @seed(20221122)
    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(
        batch=st.lists(
            st.sampled_from(MODERATOR_COMMANDS).flatmap(command_frames),
            min_size=FRAMES_PER_EXAMPLE,
            max_size=FRAMES_PER_EXAMPLE,
        )
    )
    def fuzz(batch: list[str]) -> None:
        run(send_batch(batch))
        assert not errors.records, [record.getMessage() for record in errors.records]
        assert socket.close_code is None, "the socket was dropped"

    try:
        fuzz()
    finally:
        logging.getLogger().removeHandler(errors)
        run(socket.close())
    print(f"replies by code: {dict(sorted(replies.items()))}")
    assert sum(replies.values()) == EXAMPLES * FRAMES_PER_EXAMPLE
    assert replies.get("ok", 0) > 300, "the fuzzer must get past validation into the services"
