"""Importing a programme: the event created, re-imports updating by id, pruning, one transaction."""

import json
from datetime import UTC, date, datetime

import pytest

from agenda import services
from agenda.services import agenda_import, agenda_preview
from livehub.errors import Invalid
from polls import services as polls
from qa import services as qa
from sessions.models import Event, Session, Speaker
from sessions.services import participant_join, session_set_status
from tests.agenda.test_formats import example, first_talk, schedule_with

pytestmark = pytest.mark.django_db

CODE = "SFH2024"


@pytest.fixture
def congress(db) -> Event:
    agenda_import(code=CODE, content=example("schedule.json"))
    return Event.objects.get(code=CODE)


def session_titled(title: str) -> Session:
    return Session.objects.get(event__code=CODE, title=title)


def test_a_new_code_creates_the_event_from_the_file(congress):
    assert (congress.name, congress.timezone) == ("Science for Health 2024", "Europe/Brussels")
    assert (congress.starts_on, congress.ends_on) == (date(2024, 11, 14), date(2024, 11, 15))
    assert congress.sessions.count() == 30
    assert sorted(set(congress.sessions.values_list("room__name", flat=True))) == ["Copper", "Silver Hall", "Studio 3"]
    welcome = session_titled("Welcome to Science for Health 2024")
    assert welcome.starts_at == datetime(2024, 11, 14, 8, 0, tzinfo=UTC)  # 09:00 in Brussels in November
    assert [s.name for s in session_titled("Who pays for one-shot cures?").speakers.all()] == [
        "Bart Leroy", "Monica Bennett", "Ri Scarborough"
    ]  # fmt: skip
    assert congress.speakers.filter(name="Lieve Wierinck").get().sessions.count() == 3


def test_name_and_time_zone_of_a_new_event_come_from_the_options(db):
    agenda_import(code="BBD2025", content=example("agenda.csv"), name="Brussels Biotech Day", timezone="Europe/Lisbon")
    event = Event.objects.get(code="BBD2025")
    assert (event.name, event.timezone) == ("Brussels Biotech Day", "Europe/Lisbon")
    assert event.sessions.get(external_id="bb-open").starts_at == datetime(2025, 3, 20, 9, 0, tzinfo=UTC)


def test_a_csv_for_a_new_event_needs_its_name(db):
    with pytest.raises(Invalid, match="--name"):
        agenda_import(code="BBD2025", content=example("agenda.csv"))
    assert not Event.objects.filter(code="BBD2025").exists()


def test_an_icalendar_file_is_imported_with_its_rooms(db):
    agenda_import(code="RDD2025", content=example("agenda.ics"))
    event = Event.objects.get(code="RDD2025")
    assert event.name == "Rare Disease Day Brussels 2025"
    assert list(event.sessions.order_by("starts_at").values_list("room__name", "kind")) == [
        ("Auditorium", "talk"), ("Auditorium", "talk"), ("Foyer", "break"), ("Room 2", "roundtable")
    ]  # fmt: skip


def test_importing_the_same_file_again_changes_nothing_and_duplicates_nothing(congress):
    ids = set(congress.sessions.values_list("pk", flat=True))
    plan = agenda_import(code="sfh2024", content=example("schedule.json"))
    assert (len(plan.created), len(plan.changed), plan.unchanged, plan.new_speakers) == (0, 0, 30, [])
    assert set(congress.sessions.values_list("pk", flat=True)) == ids
    assert Speaker.objects.filter(event=congress).count() == 21


def _retitle_and_move(document):
    talk = first_talk(document)
    talk["title"] = "Welcome to SFH 2024"
    talk["date"] = "2024-11-14T09:05:00+01:00"
    talk["persons"].append({"public_name": "Bart Leroy"})


def test_a_re_import_updates_the_session_by_its_id_and_its_questions_and_polls_stay(congress, monkeypatch):
    welcome = session_titled("Welcome to Science for Health 2024")
    ana, _ = participant_join(event=congress, name="Ana", mode="room")
    question = qa.question_ask(
        participant_id=ana.pk, event_id=congress.pk, session_id=welcome.pk, text="Where is lunch?", anonymous=True
    )
    poll = polls.poll_create(event_id=congress.pk, actor="Mo", kind="single", prompt="Which track?",
                             session_id=welcome.pk, options=["Copper", "Studio 3"])  # fmt: skip
    published = []
    monkeypatch.setattr(services, "publish_on_commit", lambda **kw: published.append((kw["type"], kw["data"]["id"])))

    plan = agenda_import(code=CODE, content=schedule_with(_retitle_and_move))

    assert [(c.session_id, c.fields) for c in plan.changed] == [
        (welcome.pk, ("title", "starts_at", "ends_at", "speakers"))
    ]
    welcome.refresh_from_db()
    assert welcome.title == "Welcome to SFH 2024"
    assert welcome.starts_at == datetime(2024, 11, 14, 8, 5, tzinfo=UTC)
    assert list(welcome.questions.all()) == [question]
    assert list(welcome.polls.all()) == [poll]
    assert congress.sessions.count() == 30
    assert published == [("session.updated", welcome.pk)]  # connected clients see the new title


def _drop(*titles):
    def change(document):
        for day in document["schedule"]["conference"]["days"]:
            for room, talks in day["rooms"].items():
                day["rooms"][room] = [talk for talk in talks if talk["title"] not in titles]

    return change


def test_sessions_gone_from_the_file_are_listed_and_stay_without_prune(congress):
    plan = agenda_import(code=CODE, content=schedule_with(_drop("Open science in biotech")))
    assert [change.title for change in plan.removed] == ["Open science in biotech"]
    assert session_titled("Open science in biotech")


def test_prune_removes_sessions_gone_from_the_file(congress):
    plan = agenda_import(code=CODE, content=schedule_with(_drop("Open science in biotech")), prune=True)
    assert [change.title for change in plan.removed] == ["Open science in biotech"]
    assert not congress.sessions.filter(title="Open science in biotech").exists()
    assert congress.sessions.count() == 29


def test_prune_keeps_a_session_with_questions_or_poll_answers_and_says_why(congress):
    asked, answered = session_titled("Base editing in the clinic"), session_titled("Open science in biotech")
    ana, _ = participant_join(event=congress, name="Ana", mode="room")
    qa.question_ask(participant_id=ana.pk, event_id=congress.pk, session_id=asked.pk, text="Off-target edits?",
                    anonymous=True)  # fmt: skip
    poll = polls.poll_create(event_id=congress.pk, actor="Mo", kind="single", prompt="Preprints first?",
                             session_id=answered.pk, options=["Yes", "No"])  # fmt: skip
    polls.poll_open(event_id=congress.pk, poll_id=poll.pk, actor="Mo")
    polls.poll_respond(participant_id=ana.pk, event_id=congress.pk, poll_id=poll.pk, options=[poll.options.first().pk])
    dropped = _drop("Base editing in the clinic", "Open science in biotech", "Pitching to investors")

    plan = agenda_import(code=CODE, content=schedule_with(dropped), prune=True)

    assert [(c.title, c.reasons) for c in plan.kept] == [
        ("Base editing in the clinic", ("has questions",)),
        ("Open science in biotech", ("has poll answers",)),
    ]
    assert [c.title for c in plan.removed] == ["Pitching to investors"]
    assert congress.sessions.filter(pk__in=[asked.pk, answered.pk]).count() == 2
    assert not congress.sessions.filter(title="Pitching to investors").exists()


def test_prune_keeps_a_live_session(congress):
    live = session_titled("Open science in biotech")
    session_set_status(event_id=congress.pk, session_id=live.pk, status="live")
    plan = agenda_import(code=CODE, content=schedule_with(_drop("Open science in biotech")), prune=True)
    assert [(c.title, c.reasons) for c in plan.kept] == [
        ("Open science in biotech", ("is live", "is the event's current session"))
    ]
    assert congress.sessions.filter(pk=live.pk).exists()


def test_sessions_added_by_hand_are_left_alone(congress):
    by_hand = Session.objects.create(
        event=congress,
        title="Poster walk",
        starts_at=datetime(2024, 11, 14, 16, tzinfo=UTC),
        ends_at=datetime(2024, 11, 14, 17, tzinfo=UTC),
    )
    plan = agenda_import(code=CODE, content=example("schedule.json"), prune=True)
    assert (plan.by_hand, plan.removed) == (1, [])
    assert Session.objects.filter(pk=by_hand.pk).exists()


def _break_the_last_talk(document):
    _retitle_and_move(document)
    document["schedule"]["conference"]["days"][1]["rooms"]["Studio 3"][-1]["duration"] = "an hour"


def test_a_bad_file_changes_nothing(congress):
    before = list(congress.sessions.order_by("pk").values_list("title", "starts_at"))
    with pytest.raises(Invalid, match=r"talk “Open science in biotech”.*'duration'"):
        agenda_import(code=CODE, content=schedule_with(_break_the_last_talk), prune=True)
    assert list(congress.sessions.order_by("pk").values_list("title", "starts_at")) == before


def test_a_bad_file_creates_no_event(db):
    with pytest.raises(Invalid):
        agenda_import(code="NEW2024", content=schedule_with(_break_the_last_talk))
    assert not Event.objects.filter(code="NEW2024").exists()


def test_the_preview_says_what_would_change_and_writes_nothing(congress):
    plan = agenda_preview(code=CODE, content=schedule_with(_retitle_and_move))
    assert [c.title for c in plan.changed] == ["Welcome to SFH 2024"]
    assert session_titled("Welcome to Science for Health 2024")
    assert agenda_preview(code="NEW2024", content=example("schedule.json")).creates_event
    assert not Event.objects.filter(code="NEW2024").exists()


def test_an_existing_event_keeps_its_time_zone(congress):
    with pytest.raises(Invalid, match="keeps its time zone Europe/Brussels"):
        agenda_import(code=CODE, content=example("schedule.json"), timezone="Europe/London")


def test_an_unknown_time_zone_is_refused(db):
    with pytest.raises(Invalid, match="'Mars/Olympus' is not a time zone"):
        agenda_import(code="BBD2025", content=example("agenda.csv"), name="x", timezone="Mars/Olympus")


def test_moving_a_live_session_into_a_room_where_another_is_live_is_refused(congress):
    for title in ("Welcome to Science for Health 2024", "CAR-T beyond blood cancers"):
        session_set_status(event_id=congress.pk, session_id=session_titled(title).pk, status="live")

    def move(document):
        first_talk(document)["room"] = "Copper"

    with pytest.raises(Invalid, match="both running"):
        agenda_import(code=CODE, content=schedule_with(move))


def test_an_events_dates_grow_to_hold_its_sessions(congress):
    def add_a_third_day(document):
        days = document["schedule"]["conference"]["days"]
        day = json.loads(json.dumps(days[1]))
        talk = day["rooms"]["Copper"][0]
        talk.update(guid="late-one", date="2024-11-16T10:00:00+01:00")
        day["rooms"] = {"Copper": [talk]}
        days.append(day)

    agenda_import(code=CODE, content=schedule_with(add_a_third_day))
    congress.refresh_from_db()
    assert (congress.starts_on, congress.ends_on) == (date(2024, 11, 14), date(2024, 11, 16))
