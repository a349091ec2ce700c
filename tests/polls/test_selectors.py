"""Snapshots reuse computed results only while the data they were computed from is unchanged."""

from polls import services
from polls.selectors import fresh_results, poll_results, snapshot_results


def options_of(poll):
    return list(poll.options.order_by("order").values_list("pk", flat=True))


def same_as_fresh(poll):
    for moderators in (True, False):
        assert snapshot_results(poll, for_moderators=moderators) == poll_results(poll, for_moderators=moderators)


def test_snapshot_results_follow_every_answer_and_change(event, join, make_poll, answer):
    poll = make_poll("single")
    first, second = options_of(poll)[:2]
    people = [join(mode="room"), join(mode="online")]
    same_as_fresh(poll)
    answer(people[0], poll, options=[first])
    same_as_fresh(poll)
    answer(people[1], poll, options=[first])
    answer(people[0], poll, options=[second])  # a change: the count stays, the content does not
    same_as_fresh(poll)
    assert snapshot_results(poll, for_moderators=False)["counts"][str(second)] == 1


def test_snapshot_results_follow_answer_moderation(event, join, make_poll, answer):
    poll = make_poll("text")
    response = answer(join(), poll, text="Pay per outcome")
    assert snapshot_results(poll, for_moderators=False)["answers"] == []
    services.poll_moderate_answer(event_id=event.pk, response_id=response.pk, approve=True, actor="Mo")
    assert [a["text"] for a in snapshot_results(poll, for_moderators=False)["answers"]] == ["Pay per outcome"]
    services.poll_moderate_answer(event_id=event.pk, response_id=response.pk, approve=False, actor="Mo")
    assert snapshot_results(poll, for_moderators=False)["answers"] == []


def test_snapshot_results_get_the_swing_once_the_after_poll_closes(event, join, make_poll, answer):
    before = make_poll("stance", phase="before")
    after = make_poll("stance", phase="after", stance_pair_id=before.pk)
    person = join()
    answer(person, before, options=[options_of(before)[2]])
    answer(person, after, options=[options_of(after)[0]])
    assert "swing" not in snapshot_results(after, for_moderators=False)
    after = services.poll_close(event_id=event.pk, poll_id=after.pk, actor="Mo")
    assert snapshot_results(after, for_moderators=False)["swing"]["moved"] == 1
    same_as_fresh(after)


def test_a_flush_replaces_what_snapshots_reuse(event, join, make_poll, answer):
    """Answers committed out of order leave the version as it was: the flush's fresh results win."""
    poll = make_poll("single")
    stale = snapshot_results(poll, for_moderators=False)
    answer(join(), poll, options=[options_of(poll)[0]])
    fresh = fresh_results(poll, for_moderators=False)
    assert fresh["total"] == 1 and stale["total"] == 0
    assert snapshot_results(poll, for_moderators=True) == fresh
