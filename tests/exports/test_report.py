"""The report's figures of the scripted day, exactly; an anonymised event; an empty one."""

import pytest

from exports.report import event_report
from exports.services import export_scope
from sessions.models import Session
from sessions.services import audience_purge

pytestmark = pytest.mark.django_db(transaction=True)
TITLE = "How can we make these new therapies more affordable?"


def report_of(event):
    return event_report(export_scope(event=event, session_id=None))


def zeros(minute: int, time: str) -> dict:
    return {
        "time": time,
        "minute": minute,
        "room": 0,
        "online": 0,
        "questions": 0,
        "votes": 0,
        "answers": 0,
        "connected_room": None,
        "connected_online": None,
    }


def test_participation_splits_the_joins_by_mode_per_5_minutes(day, event):
    assert report_of(event)["participation"] == [
        {**zeros(600, "10:00"), "room": 3, "online": 2, "connected_room": 4, "connected_online": 2},
        {**zeros(605, "10:05"), "questions": 4, "answers": 4},
        {**zeros(610, "10:10"), "votes": 4, "connected_room": 2, "connected_online": 2},
        zeros(615, "10:15"),
        zeros(620, "10:20"),
        zeros(625, "10:25"),
        {**zeros(630, "10:30"), "answers": 7},
    ]


def test_each_session_has_its_questions_votes_and_top_questions(day, event):
    sessions = report_of(event)["sessions"]
    titles = list(
        Session.objects.filter(event=event)
        .exclude(kind="break")
        .order_by("starts_at", "id")
        .values_list("title", flat=True)
    )
    assert [session["title"] for session in sessions] == titles
    roundtable = next(session for session in sessions if session["title"] == TITLE)
    assert (roundtable["room"], roundtable["questions"], roundtable["votes"]) == ("Room 1", 4, 4)
    # Only published questions, most voted first; the merged and the rejected ones are not there.
    assert roundtable["top"] == [
        {"text": "Who pays for one-shot gene therapies?", "votes": 3, "author": "Ana", "answered": False},
        {"text": "Are there enough trial sites in Wallonia?", "votes": 1, "author": "", "answered": True},
    ]
    assert all(session["questions"] == 0 and session["top"] == [] for session in sessions if session["title"] != TITLE)


def test_moderation_figures_count_published_rejected_and_the_median_wait(day, event):
    assert report_of(event)["moderation"] == {
        "published": 3,
        "rejected": 1,
        "approvals": 3,
        "rejections": 1,
        "median_wait_seconds": 120,  # asked at 10:06, approved at 10:08
        "moderated": 3,
        "actions": {"answer": 1, "answer_in_writing": 1, "approve": 3, "edit": 1, "merge": 1, "reject": 1},
    }


def test_every_poll_has_its_results_with_the_room_online_split(day, event):
    polls = {poll["kind"] + (poll["phase"] or ""): poll for poll in report_of(event)["polls"]}
    before = polls["stancebefore"]
    assert (before["answers"], before["answers_room"], before["answers_online"]) == (4, 2, 2)
    assert before["results"] == [
        {"option": "Agree", "count": 2, "room": 1, "online": 1, "percent": 50.0},
        {"option": "Undecided", "count": 1, "room": 0, "online": 1, "percent": 25.0},
        {"option": "Disagree", "count": 1, "room": 1, "online": 0, "percent": 25.0},
    ]
    assert polls["wordcloudnone"]["results"] == [
        {"option": "access", "count": 2, "room": 2, "online": 0, "percent": 66.7},
        {"option": "price", "count": 2, "room": 1, "online": 1, "percent": 66.7},
    ]


def test_the_swing_pairs_before_and_after(day, event):
    (swing,) = report_of(event)["swings"]
    assert swing["prompt"] == "Belgium can be the hub."
    assert swing["positions"] == [
        {"option": "Agree", "before": 2, "after": 2},
        {"option": "Undecided", "before": 1, "after": 0},
        {"option": "Disagree", "before": 1, "after": 2},
    ]
    moved = [(move["from"], move["to"], move["count"]) for move in swing["moves"] if move["count"]]
    assert moved == [
        ("Agree", "Agree", 1),
        ("Agree", "Disagree", 1),
        ("Disagree", "Disagree", 1),
        ("Undecided", "(no answer)", 1),
        ("(no answer)", "Agree", 1),
    ]
    assert (swing["answered_both"], swing["only_before"], swing["only_after"]) == (3, 1, 1)


def test_an_anonymised_event_keeps_its_totals_without_authors(day, event):
    audience_purge(event=event, anonymise=True)
    report = report_of(event)
    roundtable = next(session for session in report["sessions"] if session["title"] == TITLE)
    assert (roundtable["questions"], roundtable["votes"]) == (4, 4)
    assert [question["author"] for question in roundtable["top"]] == ["", ""]
    assert report["participation"][0]["room"] == 3
    assert report["swings"][0]["positions"][0] == {"option": "Agree", "before": 2, "after": 2}


def test_an_empty_event_has_no_figures(event):
    report = report_of(event)
    assert report["participation"] == [] and report["polls"] == [] and report["swings"] == []
    assert all(session["questions"] == 0 for session in report["sessions"])
    assert report["moderation"]["median_wait_seconds"] is None
