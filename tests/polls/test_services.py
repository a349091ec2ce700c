"""Poll services: every kind, every refusal, exact arithmetic (split, change of answer, swing)."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from audit.models import ModerationAction
from livehub.errors import Conflict, Forbidden, Invalid
from polls import services
from polls.models import Poll, Response
from polls.selectors import poll_payload, poll_results
from sessions.services import session_set_status

pytestmark = pytest.mark.django_db(transaction=True)


def options_of(poll):
    return [option.pk for option in poll.options.all()]


def results(poll, moderators=True):
    poll.refresh_from_db()
    return poll_results(poll, for_moderators=moderators)


# --- building polls ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "fields"),
    [
        ("single", {}),
        ("multiple", {"max_choices": 2}),
        ("rating", {"scale": 10}),
        ("rating", {}),
        ("wordcloud", {}),
        ("text", {}),
        ("stance", {}),
        ("stance", {"options": ["a", "b", "c", "d", "e"]}),
    ],
)
def test_every_kind_can_be_drafted(make_poll, kind, fields):
    poll = make_poll(kind, open_=False, **fields)
    assert poll.state == "draft"
    if kind == "stance" and not fields:
        assert [o.label for o in poll.options.all()] == ["Agree", "Undecided", "Disagree"]
    if kind == "rating":
        assert poll.scale == fields.get("scale", 5)


@pytest.mark.parametrize(
    ("kind", "fields", "field"),
    [
        ("single", {"options": ["only one"]}, "options"),
        ("single", {"options": [str(i) for i in range(11)]}, "options"),
        ("single", {"options": ["same", "same"]}, "options"),
        ("single", {"options": ["ok", ""]}, "options"),
        ("multiple", {"max_choices": 4}, "max_choices"),
        ("rating", {"scale": 7}, "scale"),
        ("rating", {"options": ["x", "y"]}, "options"),
        ("stance", {"phase": None}, "phase"),
        ("stance", {"options": ["a", "b"]}, "options"),
        ("stance", {"options": ["Agree", "", "Disagree"]}, "options"),
        ("stance", {"options": ["Agree", "x" * 121, "Disagree"]}, "options"),
        ("single", {"options": ["Yes", "yes"]}, "options"),
        ("single", {"prompt": "?"}, "prompt"),
    ],
)
def test_impossible_polls_are_invalid(make_poll, kind, fields, field):
    with pytest.raises(Invalid) as error:
        make_poll(kind, open_=False, **fields)
    assert field in error.value.fields
    assert Poll.objects.count() == 0


def test_drafts_can_be_edited_and_opened_polls_cannot(event, make_poll):
    poll = make_poll("single", open_=False)
    services.poll_update(event_id=event.pk, poll_id=poll.pk, actor="Mo", prompt="Who pays?", options=["A", "B"])
    poll.refresh_from_db()
    assert poll.prompt == "Who pays?" and [o.label for o in poll.options.all()] == ["A", "B"]
    services.poll_open(event_id=event.pk, poll_id=poll.pk, actor="Mo")
    with pytest.raises(Conflict):
        services.poll_update(event_id=event.pk, poll_id=poll.pk, actor="Mo", prompt="Too late?")


def test_a_draft_is_deleted_and_leaves_its_pair_and_an_opened_poll_is_not(event, make_poll):
    before = make_poll("stance", open_=False, phase="before")
    after = make_poll("stance", open_=False, phase="after", stance_pair_id=before.pk)
    services.poll_delete(event_id=event.pk, poll_id=after.pk, actor="Olivia")
    before.refresh_from_db()
    assert not Poll.objects.filter(pk=after.pk).exists() and before.stance_pair_id is None
    logged = ModerationAction.objects.filter(action="poll_delete").get()
    assert (logged.actor, logged.detail) == ("Olivia", {"poll": after.pk})
    opened = make_poll("single")
    with pytest.raises(Conflict, match="Only drafts"):
        services.poll_delete(event_id=event.pk, poll_id=opened.pk, actor="Olivia")
    assert Poll.objects.filter(pk=opened.pk).exists()


def test_lifecycle_open_close_reopen_is_audited(event, make_poll):
    poll = make_poll("single", open_=False)
    with pytest.raises(Conflict):
        services.poll_close(event_id=event.pk, poll_id=poll.pk, actor="Mo")
    services.poll_open(event_id=event.pk, poll_id=poll.pk, actor="Mo")
    with pytest.raises(Conflict):
        services.poll_open(event_id=event.pk, poll_id=poll.pk, actor="Mo")
    services.poll_close(event_id=event.pk, poll_id=poll.pk, actor="Mo")
    services.poll_open(event_id=event.pk, poll_id=poll.pk, actor="Mo")
    actions = list(ModerationAction.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["poll_create", "poll_open", "poll_close", "poll_reopen"]


def test_a_poll_tied_to_a_session_opens_when_it_goes_live(event, make_poll, roundtable):
    poll = make_poll("single", open_=False, auto_open=True)
    other = make_poll("single", open_=False, prompt="Not automatic?")
    session_set_status(event_id=event.pk, session_id=roundtable.pk, status="live")
    poll.refresh_from_db()
    other.refresh_from_db()
    assert (poll.state, other.state) == ("open", "draft")


def test_one_poll_on_screen_per_session(event, make_poll):
    first, second = make_poll("single"), make_poll("rating")
    services.poll_set_on_screen(event_id=event.pk, poll_id=first.pk, on_screen=True, actor="Mo")
    services.poll_set_on_screen(event_id=event.pk, poll_id=second.pk, on_screen=True, actor="Mo")
    assert list(Poll.objects.filter(on_screen=True).values_list("pk", flat=True)) == [second.pk]
    draft = make_poll("single", open_=False)
    with pytest.raises(Conflict):
        services.poll_set_on_screen(event_id=event.pk, poll_id=draft.pk, on_screen=True, actor="Mo")


# --- translations --------------------------------------------------------------------------------


FRENCH = {"prompt": "Qui devrait payer ?", "options": ["Les assureurs", "L'industrie", "L'Europe"]}


def test_translations_are_stored_folded_and_in_the_payload(brussels, make_poll):
    poll = make_poll(
        "single",
        open_=False,
        translations={
            "fr": {"prompt": "  Qui   devrait payer ? ", "options": ["Les assureurs", "", "L'Europe"]},
            "nl": {"prompt": "", "options": ["", "", ""]},  # nothing translated: not stored
        },
    )
    poll.refresh_from_db()
    assert poll.translations == {"fr": {"prompt": "Qui devrait payer ?", "options": ["Les assureurs", "", "L'Europe"]}}
    payload = poll_payload(poll)
    assert payload["translations"] == poll.translations
    assert [o["label"] for o in payload["options"]] == ["Insurers", "Industry", "Europe"]  # the original stays


def test_a_poll_without_translations_has_an_empty_object(event, make_poll):
    assert poll_payload(make_poll("rating", open_=False))["translations"] == {}


@pytest.mark.parametrize(
    ("translations", "field"),
    [
        ({"en": FRENCH}, "translations.en"),  # the poll's own language
        ({"de": FRENCH}, "translations.de"),  # not the event's
        ({"fr": {**FRENCH, "prompt": "?"}}, "translations.fr.prompt"),
        ({"fr": {**FRENCH, "options": ["Un", "Deux"]}}, "translations.fr.options"),
        ({"fr": {**FRENCH, "options": ["Un", "Deux", "x" * 121]}}, "translations.fr.options.2"),
        ({"fr": {**FRENCH, "options": ["Un", "un", "Trois"]}}, "translations.fr.options.1"),
        ({"fr": {**FRENCH, "options": ["Industry", "", "Trois"]}}, "translations.fr.options.0"),  # as shown
    ],
)
def test_impossible_translations_are_invalid(brussels, make_poll, translations, field):
    with pytest.raises(Invalid) as error:
        make_poll("single", open_=False, translations=translations)
    assert list(error.value.fields) == [field]
    assert Poll.objects.count() == 0


def test_a_kind_without_options_takes_only_a_prompt(brussels, make_poll):
    with pytest.raises(Invalid) as error:
        make_poll("rating", open_=False, translations={"fr": {"prompt": "Notez-le", "options": ["Un", "Deux"]}})
    assert list(error.value.fields) == ["translations.fr.options"]
    poll = make_poll("rating", open_=False, translations={"fr": {"prompt": "Notez-le"}})
    assert poll.translations == {"fr": {"prompt": "Notez-le", "options": []}}


def test_an_event_in_one_language_takes_no_translations(event, make_poll):
    with pytest.raises(Invalid) as error:
        make_poll("single", open_=False, translations={"fr": FRENCH})
    assert list(error.value.fields) == ["translations.fr"]


def test_editing_a_draft_replaces_or_keeps_its_translations(brussels, make_poll):
    poll = make_poll("single", open_=False, translations={"fr": FRENCH})

    def update(**fields):
        services.poll_update(event_id=brussels.pk, poll_id=poll.pk, actor="Mo", **fields)
        poll.refresh_from_db()
        return poll.translations

    # Not sent: kept, with the prompt changed too (a typo fixed).
    assert update(prompt="Who should pay, then?") == {"fr": FRENCH}
    # New labels: the old ones' translations no longer fit; the prompt's does.
    assert update(options=["A", "B"]) == {"fr": {"prompt": FRENCH["prompt"], "options": []}}
    assert update(translations={"nl": {"prompt": "Wie betaalt?", "options": ["", "Bee"]}}) == {
        "nl": {"prompt": "Wie betaalt?", "options": ["", "Bee"]}
    }
    assert update(translations=None) == {}


def test_a_language_the_event_dropped_leaves_the_payload(brussels, make_poll):
    poll = make_poll("single", open_=False, translations={"fr": FRENCH, "nl": {"prompt": "Wie betaalt?"}})
    brussels.languages = ["en", "nl"]
    brussels.save(update_fields=["languages"])
    poll = Poll.objects.select_related("event").get(pk=poll.pk)
    assert list(poll_payload(poll)["translations"]) == ["nl"]


# --- answering -----------------------------------------------------------------------------------


def test_single_choice_counts_with_room_online_split(join, make_poll, answer):
    poll = make_poll("single")
    a, b, _c = options_of(poll)
    answer(join(mode="room"), poll, options=[a])
    answer(join(mode="online"), poll, options=[a])
    answer(join(mode="online"), poll, options=[b])
    result = results(poll)
    assert result["total"] == 3
    assert result["counts"][str(a)] == 2 and result["counts"][str(b)] == 1
    assert result["split"]["room"] == {"total": 1, "counts": {str(a): 1}}
    assert result["split"]["online"] == {"total": 2, "counts": {str(a): 1, str(b): 1}}


def test_changing_an_answer_moves_the_count(join, make_poll, answer):
    poll = make_poll("single")
    a, b, _c = options_of(poll)
    voter = join()
    answer(voter, poll, options=[a])
    answer(voter, poll, options=[b])
    result = results(poll)
    assert result["total"] == 1 and result["counts"][str(a)] == 0 and result["counts"][str(b)] == 1
    assert Response.objects.count() == 1


def test_a_changed_answer_keeps_its_first_time_and_takes_the_current_mode(join, make_poll, answer):
    poll = make_poll("single")
    a, b, _c = options_of(poll)
    voter = join(mode="online")
    answer(voter, poll, options=[a])
    first = Response.objects.get(poll=poll, participant=voter)
    voter.mode = "room"
    voter.save()
    answer(voter, poll, options=[b])
    changed = Response.objects.get(poll=poll, participant=voter)
    assert changed.pk == first.pk and changed.created_at == first.created_at
    assert changed.options == [b] and changed.mode == "room" and changed.updated_at > first.updated_at


def test_an_answer_from_a_participant_who_was_removed_is_refused(join, make_poll, answer):
    poll = make_poll("single")
    a, _b, _c = options_of(poll)
    gone = join()
    gone.delete()
    with pytest.raises(Forbidden):
        answer(gone, poll, options=[a])
    assert Response.objects.count() == 0


def test_options_edited_as_a_draft_are_the_ones_answered(event, join, make_poll, answer):
    poll = make_poll("single", open_=False)
    services.poll_update(event_id=event.pk, poll_id=poll.pk, actor="Mo", options=["A", "B"])
    services.poll_open(event_id=event.pk, poll_id=poll.pk, actor="Mo")
    new_a, _new_b = (option.pk for option in poll.options.all())
    answer(join(), poll, options=[new_a])
    with pytest.raises(Invalid):
        answer(join(), poll, options=[new_a - 1])  # an option of the draft before its edit


def test_multiple_choice_respects_the_maximum(join, make_poll, answer):
    poll = make_poll("multiple", max_choices=2)
    a, b, c = options_of(poll)
    answer(join(), poll, options=[a, b])
    with pytest.raises(Invalid):
        answer(join(), poll, options=[a, b, c])
    assert results(poll)["counts"] == {str(a): 1, str(b): 1, str(c): 0}


@pytest.mark.parametrize(
    ("kind", "fields", "given"),
    [
        ("single", {}, {"options": [999999]}),
        ("single", {}, "two"),
        ("single", {}, {"value": 3}),
        ("rating", {}, {"value": 0}),
        ("rating", {}, {"value": 6}),
        ("rating", {"scale": 10}, {"value": 11}),
        ("wordcloud", {}, {"text": "one two three four"}),
        ("wordcloud", {}, {"text": "  ...  "}),
        ("text", {}, {"text": "   "}),
        ("text", {}, {"text": "x" * 501}),
        ("stance", {}, "two"),
    ],
)
def test_bad_answers_are_invalid_and_store_nothing(join, make_poll, answer, kind, fields, given):
    poll = make_poll(kind, **fields)
    if given == "two":
        given = {"options": options_of(poll)[:2]}
    with pytest.raises(Invalid):
        answer(join(), poll, **given)
    assert Response.objects.count() == 0


def test_answering_a_draft_or_closed_poll_is_a_conflict(event, join, make_poll, answer):
    poll = make_poll("rating", open_=False)
    with pytest.raises(Conflict):
        answer(join(), poll, value=3)
    services.poll_open(event_id=event.pk, poll_id=poll.pk, actor="Mo")
    services.poll_close(event_id=event.pk, poll_id=poll.pk, actor="Mo")
    with pytest.raises(Conflict):
        answer(join(mode="room"), poll, value=3)


def test_a_poll_closed_between_the_checks_and_the_write_takes_no_answer(event, join, make_poll, monkeypatch):
    poll = make_poll("rating")
    voter = join(mode="room")
    checked = services._checked_response

    def checked_then_closed(**kwargs):
        result = checked(**kwargs)
        monkeypatch.setattr(services, "_checked_response", checked)  # once
        services.poll_close(event_id=event.pk, poll_id=poll.pk, actor="Mo")
        return result

    monkeypatch.setattr(services, "_checked_response", checked_then_closed)
    with pytest.raises(Conflict, match="closed"):
        services.poll_respond(participant_id=voter.pk, event_id=event.pk, poll_id=poll.pk, value=4)
    assert not Response.objects.filter(poll=poll).exists()


def test_online_viewers_may_answer_during_the_stream_delay_and_the_room_may_not(event, join, make_poll, answer):
    event.stream_delay = 20
    event.save()
    poll = make_poll("rating")
    services.poll_close(event_id=event.pk, poll_id=poll.pk, actor="Mo")
    assert answer(join(mode="online"), poll, value=4).value == 4
    with pytest.raises(Conflict):
        answer(join(mode="room"), poll, value=4)
    Poll.objects.filter(pk=poll.pk).update(closed_at=timezone.now() - timedelta(seconds=21))
    with pytest.raises(Conflict):
        answer(join(mode="online"), poll, value=4)
    assert results(poll)["total"] == 1


def test_rating_mean_and_distribution(join, make_poll, answer):
    poll = make_poll("rating")
    for value, mode in ((5, "room"), (4, "online"), (4, "online"), (1, "room")):
        answer(join(mode=mode), poll, value=value)
    result = results(poll)
    assert result["mean"] == 3.5
    assert result["distribution"] == {"1": 1, "2": 0, "3": 0, "4": 2, "5": 1}
    assert result["split"]["room"]["counts"] == {"5": 1, "1": 1}


def test_word_cloud_normalises_case_and_punctuation_but_keeps_accents(join, make_poll, answer):
    poll = make_poll("wordcloud")
    answer(join(), poll, text="Hope! ÉTAT")
    answer(join(), poll, text="hope, état... «Hope»")
    result = results(poll)
    assert result["words"] == [["hope", 2], ["état", 2]]


def test_open_text_is_seen_by_the_audience_only_once_approved(event, join, make_poll, answer):
    poll = make_poll("text")
    kept = answer(join(), poll, text="Invest in manufacturing.")
    answer(join(), poll, text="Something rude.")
    services.poll_moderate_answer(event_id=event.pk, response_id=kept.pk, approve=True, actor="Mo")
    assert [a["text"] for a in results(poll, moderators=False)["answers"]] == ["Invest in manufacturing."]
    assert len(results(poll)["answers"]) == 2


def test_hiding_an_answer_twice_logs_it_once(event, join, make_poll, answer):

    poll = make_poll("text")
    rude = answer(join(), poll, text="Something rude.")
    for _ in range(2):
        services.poll_moderate_answer(event_id=event.pk, response_id=rude.pk, approve=False, actor="Mo")
    logged = ModerationAction.objects.filter(action__in=["answer_approve", "answer_reject"])
    assert list(logged.values_list("action", flat=True)) == ["answer_reject"]


def test_two_hundred_answers_at_once_are_counted_exactly(event, join, make_poll):
    poll = make_poll("single")
    a, b, _c = options_of(poll)
    voters = [join(mode="room" if i % 2 else "online") for i in range(200)]
    barrier = threading.Barrier(20)
    errors = []

    def work(chunk):
        try:
            barrier.wait()
            for index, voter in chunk:
                services.poll_respond(
                    participant_id=voter.pk, event_id=event.pk, poll_id=poll.pk, options=[a if index % 4 else b]
                )
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    indexed = list(enumerate(voters))
    threads = [threading.Thread(target=work, args=(indexed[i::20],)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    result = results(poll)
    assert result["total"] == 200
    assert result["counts"][str(a)] == 150 and result["counts"][str(b)] == 50
    assert result["split"]["room"]["total"] == result["split"]["online"]["total"] == 100


def test_the_swing_of_a_debate(event, join, make_poll, answer):
    before = make_poll("stance", phase="before")
    after = make_poll("stance", phase="after", stance_pair_id=before.pk, open_=False)
    services.poll_open(event_id=event.pk, poll_id=after.pk, actor="Mo")
    agree_b, undecided_b, disagree_b = options_of(before)
    agree_a, _undecided_a, disagree_a = options_of(after)
    people = [join() for _ in range(5)]
    # before: A, U, U, D, U(left before the end)   after: A, A, D, D, -   plus a late-comer: A
    for person, option in zip(people, (agree_b, undecided_b, undecided_b, disagree_b, undecided_b), strict=True):
        answer(person, before, options=[option])
    for person, option in zip(people[:4], (agree_a, agree_a, disagree_a, disagree_a), strict=True):
        answer(person, after, options=[option])
    answer(join(), after, options=[agree_a])
    assert "swing" not in results(after)  # only once the after poll closes
    services.poll_close(event_id=event.pk, poll_id=after.pk, actor="Mo")
    swing = results(after)["swing"]
    assert swing["participants"] == 4 and swing["moved"] == 2
    assert swing["matrix"][str(undecided_b)] == {str(agree_a): 1, str(disagree_a): 1}
    assert swing["matrix"][str(agree_b)] == {str(agree_a): 1}
    assert swing["before_counts"] == {str(agree_b): 1, str(undecided_b): 3, str(disagree_b): 1}
    assert swing["after_counts"] == {str(agree_a): 3, str(disagree_a): 2}


def test_pairing_needs_a_stance_poll_of_the_other_phase(make_poll):
    before = make_poll("stance", phase="before")
    with pytest.raises(Invalid):
        make_poll("stance", phase="before", stance_pair_id=before.pk)
    single = make_poll("single")
    with pytest.raises(Invalid):
        make_poll("stance", phase="after", stance_pair_id=single.pk)
