"""The exports of a scripted day, checked cell by cell in all three formats."""

import csv
import io
import json
import zipfile
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from audit.models import ModerationAction
from exports.selectors import SHEETS
from exports.services import event_export, export_scope
from livehub.errors import Invalid, NotFound
from sessions.services import audience_purge
from tests.exports.conftest import FRENCH_STANCE

pytestmark = pytest.mark.django_db(transaction=True)
BRUSSELS = ZoneInfo("Europe/Brussels")
TITLE = "How can we make these new therapies more affordable?"


def at(hour: int, minute: int) -> datetime:
    """A time of the day as a spreadsheet holds it: in Brussels, without a zone."""
    return datetime(2022, 5, 5, hour, minute)


HUB, WORD = "Belgium can be the hub.", "One word for the price?"
# The polls sheet keeps the original prompt and adds the translations as JSON.
FR = json.dumps({"fr": FRENCH_STANCE}, ensure_ascii=False)


def expected(day) -> dict[str, list[tuple]]:
    q, p = {name: question.pk for name, question in day["questions"].items()}, day["polls"]
    before, after, cloud = p["before"].pk, p["after"].pk, p["cloud"].pk
    room = "Room 1"
    return {
        "questions": [
            (
                q["pays"],
                TITLE,
                room,
                "Who pays for one-shot gene therapies?",
                "",
                "Ana",
                "room",
                "approved",
                3,
                False,
                at(10, 6),
                at(10, 8),
                None,
                None,
                "",
                "",
                "The payers, over five years.",
            ),
            (
                q["trials"],
                TITLE,
                room,
                "Are there enough trial sites in Wallonia?",
                "Are there enough clinical trial sites in Wallonia?",
                "",
                "room",
                "answered",
                1,
                False,
                at(10, 6),
                at(10, 8),
                at(10, 25),
                None,
                "",
                "",
                None,
            ),
            (
                q["payers"],
                TITLE,
                room,
                "Who will pay for gene therapies?",
                "",
                "Ben",
                "online",
                "archived",
                0,
                False,
                at(10, 6),
                at(10, 8),
                None,
                q["pays"],
                "",
                "",
                None,
            ),
            (
                q["football"],
                TITLE,
                room,
                "Who won the football yesterday?",
                "",
                "",
                "online",
                "rejected",
                0,
                False,
                at(10, 6),
                None,
                None,
                None,
                "",
                "off_topic",
                None,
            ),
        ],
        "polls": [
            (before, TITLE, "stance", "before", HUB, "closed", at(10, 5), at(10, 15), 4, 2, 2, FR),
            (after, TITLE, "stance", "after", HUB, "closed", at(10, 30), at(10, 34), 4, 3, 1, None),
            (cloud, TITLE, "wordcloud", "none", WORD, "closed", at(10, 30), at(10, 34), 3, 2, 1, None),
        ],
        "poll_results": [
            (before, "Agree", 2, 1, 1, 50.0),
            (before, "Undecided", 1, 0, 1, 25.0),
            (before, "Disagree", 1, 1, 0, 25.0),
            (after, "Agree", 2, 1, 1, 50.0),
            (after, "Undecided", 0, 0, 0, 0.0),
            (after, "Disagree", 2, 2, 0, 50.0),
            (cloud, "access", 2, 2, 0, 66.7),
            (cloud, "price", 2, 1, 1, 66.7),
        ],
        "swing": [
            (before, after, "Agree", "Agree", 1),
            (before, after, "Agree", "Undecided", 0),
            (before, after, "Agree", "Disagree", 1),
            (before, after, "Undecided", "Agree", 0),
            (before, after, "Undecided", "Undecided", 0),
            (before, after, "Undecided", "Disagree", 0),
            (before, after, "Disagree", "Agree", 0),
            (before, after, "Disagree", "Undecided", 0),
            (before, after, "Disagree", "Disagree", 1),
            (before, after, "Agree", "(no answer)", 0),
            (before, after, "Undecided", "(no answer)", 1),
            (before, after, "Disagree", "(no answer)", 0),
            (before, after, "(no answer)", "Agree", 1),
            (before, after, "(no answer)", "Undecided", 0),
            (before, after, "(no answer)", "Disagree", 0),
        ],
        "participation": [
            (at(10, 0), 5, 4, 2, 0, 0, 0),
            (at(10, 5), 0, None, None, 4, 0, 4),
            (at(10, 10), 0, 2, 2, 0, 4, 0),
            (at(10, 15), 0, None, None, 0, 0, 0),
            (at(10, 20), 0, None, None, 0, 0, 0),
            (at(10, 25), 0, None, None, 0, 0, 0),
            (at(10, 30), 0, None, None, 0, 0, 7),
        ],
        "moderation_log": [
            (at(10, 5), "moderator", "poll_create", f"poll {before}"),
            (at(10, 5), "moderator", "poll_create", f"poll {after}"),
            (at(10, 5), "moderator", "poll_create", f"poll {cloud}"),
            (at(10, 5), "moderator", "poll_open", f"poll {before}"),
            (at(10, 8), "moderator", "approve", f"question {q['pays']}"),
            (at(10, 8), "moderator", "approve", f"question {q['trials']}"),
            (at(10, 8), "moderator", "approve", f"question {q['payers']}"),
            (at(10, 12), "moderator", "merge", f"question {q['payers']}"),
            (at(10, 12), "moderator", "reject", f"question {q['football']}"),
            (at(10, 12), "moderator", "edit", f"question {q['trials']}"),
            (at(10, 15), "moderator", "poll_close", f"poll {before}"),
            (at(10, 25), "moderator", "answer", f"question {q['trials']}"),
            (at(10, 25), "speaker link", "answer_in_writing", f"question {q['pays']}"),
            (at(10, 30), "moderator", "poll_open", f"poll {after}"),
            (at(10, 30), "moderator", "poll_open", f"poll {cloud}"),
            (at(10, 34), "moderator", "poll_close", f"poll {after}"),
            (at(10, 34), "moderator", "poll_close", f"poll {cloud}"),
        ],
    }


def as_text(value) -> str:
    """What a csv cell holds for an expected value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.replace(tzinfo=BRUSSELS).isoformat()
    return str(value)


def as_json(value):
    return value.replace(tzinfo=BRUSSELS).isoformat() if isinstance(value, datetime) else value


def export(event, format: str, out, session_id=None):
    event_export(scope=export_scope(event=event, session_id=session_id), format=format, out=out, actor="moderator")


def read_xlsx(event, session_id=None) -> tuple[dict[str, list[tuple]], object]:
    out = io.BytesIO()
    export(event, "xlsx", out, session_id)
    workbook = load_workbook(io.BytesIO(out.getvalue()))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in workbook.worksheets}, workbook


def without_export_entries(rows):
    """The log's rows but those of the exports themselves (each export adds one)."""
    return [row for row in rows if row[2] != "exported"]


def test_the_workbook_holds_the_day_in_typed_cells(day, event):
    sheets, workbook = read_xlsx(event)
    assert list(sheets) == [sheet.name for sheet in SHEETS]
    wanted = expected(day)
    for sheet in SHEETS:
        header, *rows = sheets[sheet.name]
        assert header == sheet.columns, sheet.name
        want = [tuple(None if value == "" else value for value in row) for row in wanted[sheet.name]]
        assert (without_export_entries(rows) if sheet.name == "moderation_log" else rows) == want, sheet.name
        assert workbook[sheet.name].freeze_panes == "A2"
    questions = workbook["questions"]
    assert questions["I2"].data_type == "n" and questions["K2"].is_date  # votes a number, asked_at a time
    assert questions.column_dimensions["D"].width == 60  # the text has room


def test_the_csv_files_hold_the_same_day(day, event, tmp_path):
    export(event, "csv", tmp_path / "day")
    wanted = expected(day)
    assert sorted(path.name for path in (tmp_path / "day").iterdir()) == sorted(f"{s.name}.csv" for s in SHEETS)
    for sheet in SHEETS:
        with (tmp_path / "day" / f"{sheet.name}.csv").open(newline="", encoding="utf-8") as stream:
            header, *rows = list(csv.reader(stream))
        assert tuple(header) == sheet.columns
        rows = [tuple(row) for row in rows]
        if sheet.name == "moderation_log":
            rows = without_export_entries(rows)
        assert rows == [tuple(as_text(value) for value in row) for row in wanted[sheet.name]], sheet.name


def test_the_csv_download_is_a_zip_of_the_same_files(day, event):
    out = io.BytesIO()
    export(event, "csv", out)
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as archive:
        assert sorted(archive.namelist()) == sorted(f"{sheet.name}.csv" for sheet in SHEETS)
        swing = list(csv.reader(io.StringIO(archive.read("swing.csv").decode())))
    assert swing[0] == ["before_poll", "after_poll", "from_option", "to_option", "count"]
    assert [row[2:] for row in swing[1:] if row[4] != "0"] == [
        ["Agree", "Agree", "1"],
        ["Agree", "Disagree", "1"],
        ["Disagree", "Disagree", "1"],
        ["Undecided", "(no answer)", "1"],
        ["(no answer)", "Agree", "1"],
    ]


def test_the_json_document_holds_the_same_day(day, event, tmp_path):
    export(event, "json", tmp_path / "day.json")
    document = json.loads((tmp_path / "day.json").read_text())
    assert (document["event"], document["session"], document["timezone"]) == ("SFH2022", None, "Europe/Brussels")
    wanted = expected(day)
    assert list(document["sheets"]) == [sheet.name for sheet in SHEETS]
    for sheet in SHEETS:
        rows = [tuple(row[column] for column in sheet.columns) for row in document["sheets"][sheet.name]]
        if sheet.name == "moderation_log":
            rows = without_export_entries(rows)
        assert rows == [tuple(as_json(value) for value in row) for row in wanted[sheet.name]], sheet.name


def test_no_export_names_a_participant(day, event, tmp_path):
    export(event, "json", tmp_path / "day.json")
    text = (tmp_path / "day.json").read_text()
    for person in day["people"]:
        assert str(person.pk) not in text and str(person.pk)[:8] not in text
    anonymous = [row for row in json.loads(text)["sheets"]["questions"] if row["text"].startswith("Are there")]
    assert anonymous[0]["author"] == ""  # Cleo asked without her name


def test_a_session_export_holds_that_session_only(day, event, roundtable):
    other = event.sessions.exclude(pk=roundtable.pk).exclude(kind="break").first()
    sheets, _ = read_xlsx(event, session_id=other.pk)
    assert {name: len(rows) - 1 for name, rows in sheets.items()} == {
        "questions": 0,
        "polls": 0,
        "poll_results": 0,
        "swing": 0,
        "participation": 0,
        "moderation_log": 0,
    }
    sheets, _ = read_xlsx(event, session_id=roundtable.pk)
    wanted = expected(day)
    assert sheets["questions"][1:] == [tuple(None if v == "" else v for v in row) for row in wanted["questions"]]
    assert sheets["swing"][1:] == wanted["swing"]
    assert without_export_entries(sheets["moderation_log"][1:]) == wanted["moderation_log"]


def test_an_anonymised_event_keeps_its_totals_without_authors(day, event):
    audience_purge(event=event, anonymise=True)
    sheets, _ = read_xlsx(event)
    questions = sheets["questions"][1:]
    assert [(row[5], row[6], row[8]) for row in questions] == [
        (None, None, 3),
        (None, None, 1),
        (None, None, 0),
        (None, None, 0),
    ]
    wanted = expected(day)
    assert sheets["poll_results"][1:] == wanted["poll_results"]
    assert sheets["swing"][1:] == wanted["swing"]
    # Everyone answered a poll, so all stay (nameless); the individual votes went, their totals stay.
    assert sheets["participation"][1:] == [(*row[:5], 0, *row[6:]) for row in wanted["participation"]]


def test_each_export_is_in_the_moderation_log(day, event, roundtable, tmp_path):
    export(event, "json", tmp_path / "day.json", session_id=roundtable.pk)
    entry = ModerationAction.objects.filter(event=event, action="exported").get()
    assert (entry.actor, entry.detail) == ("moderator", {"format": "json", "session": roundtable.pk})


def test_an_unknown_format_is_refused(event):
    with pytest.raises(Invalid):
        export(event, "pdf", io.BytesIO())
    assert not ModerationAction.objects.filter(action="exported").exists()


def test_an_unknown_session_is_refused(event):
    with pytest.raises(NotFound):
        export_scope(event=event, session_id=999_999)


def test_the_exports_stream_questions(day, event, monkeypatch):
    """Questions are read in chunks (`.iterator()`), never as one list."""
    from django.db.models.query import QuerySet

    chunked = []
    real = QuerySet.iterator
    monkeypatch.setattr(
        QuerySet,
        "iterator",
        lambda self, chunk_size=None: chunked.append(self.model) or real(self, chunk_size=chunk_size),
    )
    read_xlsx(event)
    assert {model.__name__ for model in chunked} >= {"Question", "Poll", "Participant", "Vote", "Response"}
