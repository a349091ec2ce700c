"""Reading programme files: the pretalx/frab schedule JSON, CSV and iCalendar, told apart by content."""

import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from agenda.formats import agenda_read, kind_of
from livehub.errors import Invalid

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
BRUSSELS = ZoneInfo("Europe/Brussels")


def example(name: str) -> bytes:
    return (EXAMPLES / name).read_bytes()


def schedule_with(change) -> bytes:
    """The shipped schedule.json with `change(document)` applied."""
    document = json.loads(example("schedule.json"))
    change(document)
    return json.dumps(document).encode()


def first_talk(document) -> dict:
    return document["schedule"]["conference"]["days"][0]["rooms"]["Silver Hall"][1]


def test_the_pretalx_schedule_of_a_two_day_three_room_congress_is_read():
    agenda = agenda_read(example("schedule.json"))
    assert (agenda.format, agenda.name, agenda.timezone) == ("pretalx", "Science for Health 2024", "Europe/Brussels")
    assert agenda.rooms == ("Silver Hall", "Copper", "Studio 3")
    assert len(agenda.items) == 30
    assert {item.starts_at.date().isoformat() for item in agenda.items} == {"2024-11-14", "2024-11-15"}
    panel = next(item for item in agenda.items if item.title == "Who pays for one-shot cures?")
    assert panel.kind == "roundtable"
    assert panel.speakers == ("Monica Bennett", "Bart Leroy", "Ri Scarborough")
    assert panel.room == "Silver Hall"
    assert panel.ends_at - panel.starts_at == datetime(2024, 1, 1, 1) - datetime(2024, 1, 1)
    assert len({item.external_id for item in agenda.items}) == 30


def test_nine_in_the_morning_in_brussels_in_november_is_eight_utc():
    agenda = agenda_read(example("schedule.json"))
    welcome = next(item for item in agenda.items if item.title == "Welcome to Science for Health 2024")
    assert welcome.starts_at.astimezone(UTC) == datetime(2024, 11, 14, 8, 0, tzinfo=UTC)
    csv = b"id,start,end,title\nw,2024-11-14T09:00,2024-11-14T09:15,Welcome\n"
    (item,) = agenda_read(csv).localised("Europe/Brussels")
    assert item.starts_at.astimezone(UTC) == datetime(2024, 11, 14, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("label", "kind"),
    [
        ("Talk", "talk"), ("Keynote", "talk"), ("Workshop", "talk"), ("Panel", "roundtable"),
        ("Round table", "roundtable"), ("Debate", "debate"), ("Coffee break", "break"), ("Lunch", "break"),
        ("", "talk"), (None, "talk"), ("Something new", "talk"), ("debate", "debate"),
    ],
)  # fmt: skip
def test_submission_types_map_to_the_session_kinds_and_anything_else_is_a_talk(label, kind):
    assert kind_of(label) == kind


def test_the_csv_example_is_read_in_the_events_time_zone():
    agenda = agenda_read(example("agenda.csv"))
    assert agenda.format == "csv"
    items = agenda.localised("Europe/Brussels")
    assert [item.kind for item in items] == ["talk", "talk", "roundtable", "break", "debate", "talk"]
    assert items[2].speakers == ("Monica Bennett", "Bart Leroy")
    assert items[0].starts_at == datetime(2025, 3, 20, 9, 0, tzinfo=BRUSSELS)
    assert items[3].room == "Foyer" and items[3].speakers == ()


def test_a_csv_saved_with_semicolons_by_a_spreadsheet_is_read():
    text = 'id;start;end;title;speakers\nk;2025-03-20 09:15;2025-03-20 10:00;Keynote;"Ann; Bo"\n'
    (item,) = agenda_read(("\ufeff" + text).encode()).items
    assert (item.external_id, item.title, item.speakers) == ("k", "Keynote", ("Ann", "Bo"))


def test_the_icalendar_example_takes_its_rooms_from_location():
    agenda = agenda_read(example("agenda.ics"))
    assert (agenda.format, agenda.name, agenda.timezone) == (
        "ical",
        "Rare Disease Day Brussels 2025",
        "Europe/Brussels",
    )
    assert [(item.room, item.kind) for item in agenda.items] == [
        ("Auditorium", "talk"), ("Auditorium", "talk"), ("Foyer", "break"), ("Room 2", "roundtable")
    ]  # fmt: skip
    assert agenda.items[0].external_id == "rdd-open@example.org"
    assert agenda.items[0].starts_at.astimezone(UTC) == datetime(2025, 2, 28, 8, 0, tzinfo=UTC)


def _drop_guid(document):
    first_talk(document).pop("guid")
    first_talk(document).pop("id")


def _bad_duration(document):
    first_talk(document)["duration"] = "15 minutes"


def _bad_date(document):
    first_talk(document)["date"] = "14/11/2024 09:00"


def _no_title(document):
    first_talk(document)["title"] = ""


def _persons_not_a_list(document):
    first_talk(document)["persons"] = "Lieve Wierinck"


def _same_guid_twice(document):
    rooms = document["schedule"]["conference"]["days"][0]["rooms"]
    rooms["Copper"][0]["guid"] = rooms["Silver Hall"][1]["guid"]


def _bad_time_zone(document):
    document["schedule"]["conference"]["time_zone_name"] = "Europe/Brusels"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (_drop_guid, ["talk “Welcome to Science for Health 2024”", "'guid'"]),
        (_bad_duration, ["talk “Welcome to Science for Health 2024”", "'duration'", "15 minutes"]),
        (_bad_date, ["talk “Welcome to Science for Health 2024”", "'date'"]),
        (_no_title, ["talk 2 of 2024-11-14, room Silver Hall", "'title'"]),
        (_persons_not_a_list, ["talk “Welcome to Science for Health 2024”", "'persons'"]),
        (_same_guid_twice, ["talk “CAR-T beyond blood cancers”", "same id", "talk “Welcome"]),
        (_bad_time_zone, ["'time_zone_name'", "Europe/Brusels"]),
    ],
)
def test_a_broken_schedule_json_names_the_talk_and_the_field(change, expected):
    with pytest.raises(Invalid) as error:
        agenda_read(schedule_with(change))
    for fragment in expected:
        assert fragment in error.value.message


HEADER = "id,start,end,room,title,kind,speakers,description\n"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (HEADER + "a,2025-03-20T09:00,2025-03-20T08:00,Hall,Welcome,talk,,\n", ["row 2", "'end'", "before it starts"]),
        (HEADER + "a,2025-03-20T09:00,2025-03-20T10:00,Hall,Ok,talk,,\nb,20/03/2025,2025-03-20T10:00,Hall,Bad,,,\n",
         ["row 3", "“Bad”", "'start'", "20/03/2025"]),
        (HEADER + ",2025-03-20T09:00,2025-03-20T10:00,Hall,No id,talk,,\n", ["row 2", "'id'"]),
        (HEADER + "a,2025-03-20T09:00,2025-03-20T10:00,Hall,,talk,,\n", ["row 2", "'title'"]),
        (HEADER + "a,2025-03-20T09:00,2025-03-20T10:00,Hall,Ok\n", ["row 2", "5 cells", "8"]),
        ("id,start,end,title,track\n", ["'track'", "id, start, end, title"]),
        ("id,start,title\n", ["no column 'end'"]),
        (HEADER + "a,9025-03-20T09:00,9025-03-20T10:00,Hall,Far,talk,,\n", ["row 2", "'start'", "9025"]),
        (HEADER + "a,2025-03-20T09:00+01:00,2025-03-20T10:00,Hall,Mixed,talk,,\n", ["row 2", "'end'", "zone"]),
    ],
)  # fmt: skip
def test_a_broken_csv_names_the_row_and_the_field(content, expected):
    with pytest.raises(Invalid) as error:
        agenda_read(content.encode())
    for fragment in expected:
        assert fragment in error.value.message


def test_a_vevent_without_a_time_names_the_event_and_the_field():
    text = (
        example("agenda.ics")
        .decode()
        .replace("DTSTART;TZID=Europe/Brussels:20250228T120000", "DTSTART;VALUE=DATE:20250228")
    )
    with pytest.raises(Invalid) as error:
        agenda_read(text.encode())
    assert "VEVENT 3 (session “Lunch”" in error.value.message and "DTSTART" in error.value.message


# PostgreSQL text cannot hold a NUL: every field refuses one, naming the talk or row and the field.


def _nul_in_title(document):
    first_talk(document)["title"] = "Wel\x00come"


def _nul_in_guid(document):
    first_talk(document)["guid"] = "abc\x00"


def _nul_in_a_speaker(document):
    first_talk(document)["persons"] = [{"public_name": "Lieve\x00Wierinck"}]


def _nul_in_a_room(document):
    rooms = document["schedule"]["conference"]["days"][0]["rooms"]
    rooms["Silver\x00Hall"] = rooms.pop("Silver Hall")


def _nul_in_the_abstract(document):
    first_talk(document)["abstract"] = "\x00"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (_nul_in_title, ["talk 2 of 2024-11-14, room Silver Hall", "'title'"]),
        (_nul_in_guid, ["talk “Welcome to Science for Health 2024”", "'guid'"]),
        (_nul_in_a_speaker, ["talk “Welcome to Science for Health 2024”", "'persons'"]),
        (_nul_in_a_room, ["day 2024-11-14", "'rooms'"]),
        (_nul_in_the_abstract, ["talk “Welcome to Science for Health 2024”", "'abstract'"]),
    ],
)
def test_a_nul_in_a_schedule_json_field_names_the_talk_and_the_field(change, expected):
    with pytest.raises(Invalid) as error:
        agenda_read(schedule_with(change))
    assert "contains a NUL character" in error.value.message
    for fragment in expected:
        assert fragment in error.value.message


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("a,2025-03-20T09:00,2025-03-20T10:00,Hall,Wel\x00come,talk,,", ["row 2", "'title'"]),
        ("a\x00,2025-03-20T09:00,2025-03-20T10:00,Hall,Welcome,talk,,", ["row 2 (session “Welcome”)", "'id'"]),
        ("a,2025-03-20T09:00,2025-03-20T10:00,Ha\x00ll,Welcome,talk,,", ["row 2 (session “Welcome”)", "'room'"]),
        ("a,2025-03-20T09:00,2025-03-20T10:00,Hall,Welcome,talk,Ann\x00;Bob,", ["row 2", "'speakers'"]),
        ("a,2025-03-20T09:00,2025-03-20T10:00,Hall,Welcome,talk,,Why\x00", ["row 2", "'description'"]),
    ],
)
def test_a_nul_in_a_csv_cell_names_the_row_and_the_column(row, expected):
    with pytest.raises(Invalid) as error:
        agenda_read((HEADER + row + "\n").encode())
    assert "contains a NUL character" in error.value.message
    for fragment in expected:
        assert fragment in error.value.message


def test_a_nul_where_no_field_is_stored_still_refuses_the_file():
    with pytest.raises(Invalid) as error:
        agenda_read((HEADER + "a,2025-03-20T09:00,2025-03-20T10:00,Hall,Welcome,ta\x00lk,,\n").encode())
    assert "NUL character" in error.value.message


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("SUMMARY:Lunch", "SUMMARY:Lu\x00nch", ["VEVENT 3", "SUMMARY"]),
        ("UID:rdd-lunch@", "UID:rdd-\x00lunch@", ["VEVENT 3", "UID"]),
        ("LOCATION:Foyer", "LOCATION:Fo\x00yer", ["VEVENT 3 (session “Lunch”", "LOCATION"]),
        ("DESCRIPTION:Sandwiches", "DESCRIPTION:Sand\x00wiches", ["VEVENT 3 (session “Lunch”", "DESCRIPTION"]),
    ],
)
def test_a_nul_in_an_icalendar_property_names_the_event_and_the_property(old, new, expected):
    text = example("agenda.ics").decode()
    assert old in text
    with pytest.raises(Invalid) as error:
        agenda_read(text.replace(old, new, 1).encode())
    assert "contains a NUL character" in error.value.message
    for fragment in expected:
        assert fragment in error.value.message


def test_a_nul_is_refused_in_the_active_language():
    with translation.override("fr"), pytest.raises(Invalid) as error:
        agenda_read(schedule_with(_nul_in_guid))
    assert "'guid'" in error.value.message and "NUL" in error.value.message
    assert "contains" not in error.value.message


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "empty"),
        (b"\xff\xfe\x00i\x00d", "UTF-8"),
        (b'{"schedule": {"conference": {"title": "x", "days": [', "line 1"),
        (b'{"talks": []}', "no 'schedule'"),
        (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n", "iCalendar"),
    ],
)
def test_a_file_of_no_known_format_says_what_is_wrong(content, expected):
    with pytest.raises(Invalid) as error:
        agenda_read(content)
    assert expected in error.value.message


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", "VEVENT 3 (session « Lunch », UID"),
        ("nl", "VEVENT 3 (sessie “Lunch”, UID"),
    ],
)
def test_the_errors_speak_the_active_language_naming_the_file_s_own_fields(language, expected):
    text = (
        example("agenda.ics")
        .decode()
        .replace("DTSTART;TZID=Europe/Brussels:20250228T120000", "DTSTART;VALUE=DATE:20250228")
    )
    with translation.override(language), pytest.raises(Invalid) as error:
        agenda_read(text.encode())
    assert expected in error.value.message and "DTSTART" in error.value.message
    assert "field" not in error.value.message and "session needs" not in error.value.message
