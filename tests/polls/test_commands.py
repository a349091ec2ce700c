"""Polls over the socket: audiences, hidden results, coalescing, retries, verify-action."""

import asyncio
import threading

import pytest
from channels.db import database_sync_to_async

from polls import services
from polls.models import Poll, Response
from tests.helpers import Socket, catch_up, verify_action

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("hub_stopped")]


@pytest.fixture
async def attendee_socket(join):
    participant = await database_sync_to_async(join)("Ana", "room")
    socket = await Socket.open(token=participant.token)
    socket.participant = participant
    yield socket
    await socket.close()


async def test_drafts_are_for_moderators_and_an_opened_poll_reaches_everyone(
    event, roundtable, moderator, attendee_socket
):
    reply = await moderator.send("poll.create", {"session": roundtable.pk, "kind": "rating", "prompt": "Rate it?"})
    poll_id = reply["data"]["poll"]
    draft = await moderator.event("poll.updated")
    assert draft["stream"] == "moderators" and draft["data"]["state"] == "draft"
    await attendee_socket.nothing(0.4)
    await moderator.send("poll.open", {"poll": poll_id})
    opened = await attendee_socket.event("poll.updated")
    assert opened["stream"] == "public" and opened["data"]["state"] == "open" and opened["data"]["scale"] == 5


async def test_hidden_results_never_reach_an_attendee(event, roundtable, moderator, attendee_socket, make_poll):
    poll = await database_sync_to_async(make_poll)("single")
    options = await database_sync_to_async(lambda: [o.pk for o in poll.options.all()])()
    reply = await attendee_socket.send("poll.respond", {"poll": poll.pk, "options": [options[0]]})
    assert reply["data"]["response"] == {"poll": poll.pk, "options": [options[0]]}
    own = await attendee_socket.event("poll.response")
    assert own["stream"].startswith("p:")
    results = await moderator.take(lambda f: f["type"] == "poll.results" and f["data"]["total"] == 1)
    assert results["stream"] == "moderators"
    assert results["data"]["split"]["room"]["total"] == 1
    assert not [f for f in await attendee_socket.collect("poll.results", quiet=0.6)]
    await moderator.send("poll.results_visible", {"poll": poll.pk, "visible": True})
    shown = await attendee_socket.event("poll.results")
    assert shown["stream"] == "public" and shown["data"]["counts"][str(options[0])] == 1


async def test_five_hundred_answers_give_few_result_frames_with_exact_totals(
    event, moderator, attendee_socket, make_poll, join
):
    poll = await database_sync_to_async(make_poll)("single")
    await moderator.send("poll.results_visible", {"poll": poll.pk, "visible": True})
    options = await database_sync_to_async(lambda: [o.pk for o in poll.options.all()])()
    voters = await database_sync_to_async(lambda: [join() for _ in range(500)])()

    def storm(chunk):
        from django.db import connection

        for index, voter in chunk:
            services.poll_respond(
                participant_id=voter.pk, event_id=event.pk, poll_id=poll.pk, options=[options[index % 3]]
            )
        connection.close()

    indexed = list(enumerate(voters))
    threads = [threading.Thread(target=storm, args=(indexed[i::10],)) for i in range(10)]
    started = asyncio.get_running_loop().time()
    for thread in threads:
        thread.start()
    for thread in threads:
        await asyncio.to_thread(thread.join)
    elapsed = asyncio.get_running_loop().time() - started
    for socket in (moderator, attendee_socket):
        frames = [f for f in await socket.collect("poll.results", quiet=0.7) if f["data"]["total"] > 0]
        assert 1 <= len(frames) <= 4 * elapsed + 2
        assert frames[-1]["data"]["total"] == 500
        assert sorted(frames[-1]["data"]["counts"].values()) == [166, 167, 167]


async def test_a_retried_answer_counts_once(event, attendee_socket, make_poll):
    poll = await database_sync_to_async(make_poll)("rating")
    for _ in range(2):
        reply = await attendee_socket.send("poll.respond", {"poll": poll.pk, "value": 4}, ref="answer-1")
        assert reply["type"] == "ok"
    assert await database_sync_to_async(Response.objects.count)() == 1


async def test_a_retried_answer_gets_its_first_reply_even_after_a_change(event, attendee_socket, make_poll):
    poll = await database_sync_to_async(make_poll)("rating")
    first = await attendee_socket.send("poll.respond", {"poll": poll.pk, "value": 4}, ref="a1")
    assert first["data"] == {"poll": poll.pk, "response": {"poll": poll.pk, "value": 4}}
    await attendee_socket.send("poll.respond", {"poll": poll.pk, "value": 2}, ref="a2")
    again = await attendee_socket.send("poll.respond", {"poll": poll.pk, "value": 4}, ref="a1")
    assert again["type"] == "ok" and again["data"] == first["data"]
    # The resend of a1 did not undo the change made since.
    values = await database_sync_to_async(lambda: list(Response.objects.values_list("value", flat=True)))()
    assert values == [2]


async def test_an_answer_to_a_closed_poll_stores_no_reply_and_leaves_no_announcement(
    event, attendee_socket, make_poll, settings
):
    from livehub.realtime import redis as lhredis
    from livehub.realtime.broker import INFLIGHT_KEY

    poll = await database_sync_to_async(make_poll)("rating")
    await database_sync_to_async(services.poll_close)(event_id=event.pk, poll_id=poll.pk, actor="Mo")
    refused = await attendee_socket.send("poll.respond", {"poll": poll.pk, "value": 4}, ref="a1")
    assert refused["error"]["code"] == "conflict"
    assert lhredis.sync_client(settings.REDIS_URL).zcard(INFLIGHT_KEY) == 0
    assert await database_sync_to_async(Response.objects.count)() == 0


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"options": [1], "value": 3}, "invalid"),
        ({}, "invalid"),
        ({"value": "4"}, "invalid"),
        ({"value": 9}, "invalid"),
        ({"text": "x"}, "invalid"),
    ],
)
async def test_bad_answers_over_the_socket(event, attendee_socket, make_poll, data, code):
    poll = await database_sync_to_async(make_poll)("rating")
    reply = await attendee_socket.send("poll.respond", {"poll": poll.pk, **data})
    assert reply["error"]["code"] == code


async def test_attendees_cannot_run_polls(event, roundtable, attendee_socket, make_poll):
    poll = await database_sync_to_async(make_poll)("single", open_=False)
    for command, data in [
        ("poll.create", {"kind": "rating", "prompt": "Rate it?"}),
        ("poll.open", {"poll": poll.pk}),
        ("poll.close", {"poll": poll.pk}),
        ("poll.results_visible", {"poll": poll.pk, "visible": True}),
        ("poll.on_screen", {"poll": poll.pk, "on_screen": True}),
        ("poll.update", {"poll": poll.pk, "prompt": "Hijacked?"}),
    ]:
        assert (await attendee_socket.send(command, data))["error"]["code"] == "forbidden"


async def test_verify_poll_lifecycle_for_moderator_and_attendee(event, roundtable, moderator, moderator_key, join):
    participant = await database_sync_to_async(join)("Ana", "online")
    attendee = await Socket.open(token=participant.token)
    reply = await verify_action(
        moderator,
        "poll.create",
        {"session": roundtable.pk, "kind": "stance", "prompt": "Belgium can be the hub.", "phase": "before"},
        key=moderator_key,
    )
    poll = reply["data"]["poll"]
    for command, data in [
        ("poll.update", {"poll": poll, "prompt": "Belgium can become the hub."}),
        ("poll.open", {"poll": poll}),
        ("poll.results_visible", {"poll": poll, "visible": True}),
        ("poll.on_screen", {"poll": poll, "on_screen": True}),
    ]:
        await verify_action(moderator, command, data, key=moderator_key)
    option = moderator.snapshot["data"]["polls"][-1]["options"][0]["id"]
    await verify_action(
        attendee, "poll.respond", {"poll": poll, "options": [option]}, settle=0.6, token=participant.token
    )
    await asyncio.sleep(0.3)
    await verify_action(moderator, "poll.close", {"poll": poll}, settle=0.4, key=moderator_key)
    await verify_action(moderator, "poll.results_visible", {"poll": poll, "visible": False}, key=moderator_key)
    await attendee.close()


@pytest.mark.parametrize("field", ["prompt", "kind", "auto_open"])
async def test_null_for_a_field_that_cannot_be_empty_is_invalid_and_changes_nothing(
    event, roundtable, moderator, field
):
    data = {"session": roundtable.pk, "kind": "rating", "prompt": "Rate the debate?"}
    poll = (await moderator.send("poll.create", data))["data"]["poll"]
    reply = await moderator.send("poll.update", {"poll": poll, field: None})
    assert reply["error"]["code"] == "invalid" and field in reply["error"]["fields"], reply
    stored = await database_sync_to_async(lambda: Poll.objects.values("prompt", "kind", "auto_open").get(pk=poll))()
    assert stored == {"prompt": "Rate the debate?", "kind": "rating", "auto_open": False}


async def test_pairing_keeps_every_moderator_in_step_with_both_polls(event, moderator, moderator_key):
    async def create(phase, **pair):
        data = {"kind": "stance", "prompt": "Belgium can become the hub.", "phase": phase, **pair}
        return (await verify_action(moderator, "poll.create", data, key=moderator_key))["data"]["poll"]

    def pairs():
        return {poll["id"]: poll["stance_pair"] for poll in moderator.snapshot["data"]["polls"]}

    before = await create("before")
    first_after = await create("after", stance_pair=before)
    assert pairs() == {before: first_after, first_after: before}
    # A before poll is in one pair at a time: the second after poll takes it from the first.
    second_after = await create("after", stance_pair=before)
    assert pairs() == {before: second_after, first_after: None, second_after: before}
    other_before = await create("before")
    await verify_action(moderator, "poll.update", {"poll": other_before, "stance_pair": first_after}, key=moderator_key)
    assert pairs() == {before: second_after, first_after: other_before, second_after: before, other_before: first_after}
    # Now a poll of the same phase as its partner: it leaves the pair.
    await verify_action(moderator, "poll.update", {"poll": second_after, "phase": "before"}, key=moderator_key)
    assert pairs()[before] is None and pairs()[second_after] is None
    await verify_action(moderator, "poll.update", {"poll": first_after, "kind": "rating"}, key=moderator_key)
    assert pairs()[other_before] is None and pairs()[first_after] is None


async def test_a_deleted_draft_leaves_every_console_and_the_audience_hears_nothing(
    event, roundtable, moderator, moderator_key, attendee_socket, make_poll
):
    before = await database_sync_to_async(make_poll)("stance", open_=False, phase="before")
    after = await database_sync_to_async(make_poll)("stance", open_=False, phase="after", stance_pair_id=before.pk)
    await catch_up(moderator, key=moderator_key)
    watcher = await Socket.open(key=moderator_key)
    await database_sync_to_async(services.poll_delete)(event_id=event.pk, poll_id=after.pk, actor="Olivia")
    removed = await watcher.event("poll.removed")
    assert removed["stream"] == "moderators" and removed["data"] == {"id": after.pk}
    await watcher.close()
    await catch_up(moderator, key=moderator_key)
    held = {poll["id"]: poll for poll in moderator.snapshot["data"]["polls"]}
    assert after.pk not in held and held[before.pk]["stance_pair"] is None
    assert str(after.pk) not in moderator.snapshot["data"]["results"]
    assert await attendee_socket.collect("poll.removed", quiet=0.5) == []


async def test_a_drafts_shown_results_reach_the_public_only_when_it_opens(
    event, roundtable, moderator, attendee_socket
):
    data = {"session": roundtable.pk, "kind": "single", "prompt": "Who pays?", "options": ["Insurers", "Europe"]}
    poll = (await moderator.send("poll.create", data))["data"]["poll"]
    assert (await moderator.send("poll.results_visible", {"poll": poll, "visible": True}))["type"] == "ok"
    assert (await moderator.event("poll.results"))["data"]["poll"] == poll  # the console shows them
    assert await attendee_socket.collect("poll.results", quiet=0.5) == []
    assert (await moderator.send("poll.on_screen", {"poll": poll, "on_screen": False}))["type"] == "ok"
    assert (await moderator.send("poll.open", {"poll": poll}))["type"] == "ok"
    shown = await attendee_socket.event("poll.results")
    assert shown["stream"] == "public" and shown["data"]["poll"] == poll and shown["data"]["total"] == 0


async def test_the_author_of_an_open_text_answer_hears_how_it_was_reviewed(
    event, roundtable, moderator, moderator_key, attendee_socket, make_poll
):
    poll = await database_sync_to_async(make_poll)("text")
    sent = await attendee_socket.send("poll.respond", {"poll": poll.pk, "text": "Who pays when it stops working?"})
    assert sent["data"]["response"]["review"] == "pending"
    assert (await attendee_socket.event("poll.response"))["data"]["review"] == "pending"
    response = await database_sync_to_async(lambda: Response.objects.get(poll=poll).pk)()
    for approve, review in [(False, "rejected"), (True, "approved")]:
        await verify_action(
            moderator, "poll.moderate_answer", {"response": response, "approve": approve}, settle=0.6, key=moderator_key
        )
        told = await attendee_socket.event("poll.response")
        assert told["stream"] == f"p:{attendee_socket.participant.pk}"
        assert told["data"] == {"poll": poll.pk, "text": "Who pays when it stops working?", "review": review}
        fresh = await Socket.open(token=attendee_socket.participant.token)
        assert fresh.snapshot["data"]["responses"][str(poll.pk)] == told["data"]
        await fresh.close()


# --- translations --------------------------------------------------------------------------------

FRENCH = {"prompt": "Qui devrait payer ?", "options": ["Les assureurs", "L'industrie", "L'Europe"]}
DUTCH = {"prompt": "Wie moet betalen?", "options": ["Verzekeraars", "", "Europa"]}


@pytest.mark.parametrize(
    ("translations", "field"),
    [
        ({"fr": {**FRENCH, "options": ["Un", "Deux", "x" * 121]}}, "translations.fr.options.2"),
        ({"fr": {**FRENCH, "options": ["Un", "Deux", "un"]}}, "translations.fr.options.2"),
        ({"fr": {**FRENCH, "options": ["Un"]}}, "translations.fr.options"),
        ({"fr": {**FRENCH, "prompt": "x" * 301}}, "translations.fr.prompt"),
        ({"fr": {**FRENCH, "prompt": "?"}}, "translations.fr.prompt"),
        ({"fr": {**FRENCH, "title": "?"}}, "translations.fr.title"),
        ({"de": FRENCH}, "translations.de"),
        ({"en": FRENCH}, "translations.en"),
        ({"fr": "Qui ?"}, "translations.fr"),
    ],
)
async def test_bad_translations_get_an_error_frame_naming_the_field(
    brussels, roundtable, moderator, translations, field
):
    data = {"session": roundtable.pk, "kind": "single", "prompt": "Who should pay?"}
    data["options"], data["translations"] = ["Insurers", "Industry", "Europe"], translations
    reply = await moderator.send("poll.create", data)
    assert reply["error"]["code"] == "invalid" and field in reply["error"]["fields"], reply
    assert reply["error"]["message"]
    assert not await database_sync_to_async(Poll.objects.exists)()


async def test_translations_reach_the_audience_with_the_poll(brussels, roundtable, moderator, attendee_socket):
    data = {"session": roundtable.pk, "kind": "single", "prompt": "Who should pay?"}
    data["options"], data["translations"] = ["Insurers", "Industry", "Europe"], {"fr": FRENCH, "nl": DUTCH}
    poll = (await moderator.send("poll.create", data))["data"]["poll"]
    draft = await moderator.event("poll.updated")
    assert draft["data"]["translations"] == {"fr": FRENCH, "nl": DUTCH}
    await moderator.send("poll.open", {"poll": poll})
    opened = await attendee_socket.event("poll.updated")
    assert opened["data"]["translations"] == {"fr": FRENCH, "nl": DUTCH}
    assert [option["label"] for option in opened["data"]["options"]] == ["Insurers", "Industry", "Europe"]


async def test_verify_translations_of_a_draft_then_published(brussels, roundtable, moderator, moderator_key, join):
    participant = await database_sync_to_async(join)("Ana", "room")
    attendee = await Socket.open(token=participant.token)
    data = {"session": roundtable.pk, "kind": "single", "prompt": "Who should pay?"}
    data["options"], data["translations"] = ["Insurers", "Industry", "Europe"], {"fr": FRENCH}
    poll = (await verify_action(moderator, "poll.create", data, key=moderator_key))["data"]["poll"]
    for command, fields in [
        ("poll.update", {"poll": poll, "translations": {"fr": FRENCH, "nl": DUTCH}}),
        ("poll.update", {"poll": poll, "prompt": "Who should pay, then?"}),  # translations kept
        ("poll.update", {"poll": poll, "translations": {"nl": DUTCH}}),  # French gone
        ("poll.open", {"poll": poll}),
    ]:
        await verify_action(moderator, command, fields, key=moderator_key)
    held = moderator.snapshot["data"]["polls"][-1]
    assert held["prompt"] == "Who should pay, then?" and held["translations"] == {"nl": DUTCH}
    assert attendee.snapshot is not None
    await catch_up(attendee, token=participant.token)
    assert attendee.snapshot["data"]["polls"][-1]["translations"] == {"nl": DUTCH}
    await attendee.close()
