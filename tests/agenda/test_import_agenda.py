"""`manage.py import_agenda`: what an organiser types and reads, and files that are nearly right."""

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from sessions.models import Event
from tests.agenda.test_formats import EXAMPLES, example

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("import_agenda", *args, stdout=out)
    return out.getvalue()


def test_the_command_creates_the_event_and_lists_what_it_did():
    output = run("SFH2024", str(EXAMPLES / "schedule.json"))
    assert "into the new event SFH2024, “Science for Health 2024”, Europe/Brussels, 2024-11-14 to 2024-11-15." in output
    assert "Sessions created: 30" in output
    assert "  + 2024-11-14 09:00 Silver Hall: Welcome to Science for Health 2024" in output
    assert Event.objects.get(code="SFH2024").sessions.count() == 30
    assert "Nobody organises SFH2024 yet: grant it with `manage.py createorganiser ACCOUNT --event SFH2024`." in output
    assert not Event.objects.get(code="SFH2024").organisers.exists()


def test_a_dry_run_previews_and_changes_nothing():
    output = run("SFH2024", str(EXAMPLES / "schedule.json"), "--dry-run")
    assert output.startswith("Preview, nothing changed:") and "Sessions would be created: 30" in output
    assert not Event.objects.filter(code="SFH2024").exists()


def test_a_csv_with_name_and_time_zone(tmp_path):
    output = run(
        "BBD2025", str(EXAMPLES / "agenda.csv"), "--name", "Brussels Biotech Day", "--timezone", "Europe/Brussels"
    )
    assert "Sessions created: 6" in output and "Speakers added: Anna Peeters" in output


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match=r"Cannot read .*nowhere\.json"):
        run("SFH2024", str(tmp_path / "nowhere.json"))


def test_a_broken_file_exits_non_zero_naming_the_row_and_field_without_a_traceback(tmp_path):
    path = tmp_path / "agenda.csv"
    path.write_text("id,start,end,title\na,2025-03-20T09:00,2025-03-20T10:00,Ok\nb,tomorrow,2025-03-20T11:00,Bad\n")
    result = subprocess.run(
        [sys.executable, "manage.py", "import_agenda", "BBD2025", str(path), "--name", "x"],
        cwd=ROOT, capture_output=True, text=True, env=os.environ | {"DJANGO_SETTINGS_MODULE": "livehub.settings"},
        timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert "row 3 (session “Bad”): field 'start': 'tomorrow' is not a date and time" in result.stderr
    assert "Nothing was changed." in result.stderr
    assert "Traceback" not in result.stderr


def test_the_command_speaks_english_whatever_language_its_caller_has_active(tmp_path):
    path = tmp_path / "agenda.csv"
    path.write_text("id,start,end,title\na,2025-03-20T09:00,2025-03-20T10:00,Ok\nb,tomorrow,2025-03-20T11:00,Bad\n")
    with translation.override("fr"), pytest.raises(CommandError) as error:
        run("BBD2025", str(path), "--name", "x")
    assert "row 3 (session “Bad”): field 'start': 'tomorrow' is not a date and time" in str(error.value)


def test_a_nul_in_a_talk_s_guid_is_refused_naming_the_talk_and_nothing_is_imported(tmp_path):
    document = json.loads(example("schedule.json"))
    document["schedule"]["conference"]["days"][0]["rooms"]["Silver Hall"][1]["guid"] = "\x00"
    path = tmp_path / "schedule.json"
    path.write_text(json.dumps(document))
    with pytest.raises(CommandError) as error:
        run("SFH2024", str(path))
    assert "talk “Welcome to Science for Health 2024”" in str(error.value) and "'guid'" in str(error.value)
    assert not Event.objects.filter(code="SFH2024").exists()


# Near-valid files: the shipped examples with a field dropped or garbled, or cut short.
GARBAGE = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=30),
    st.sampled_from(["", "25:99", "2024-02-30T09:00", "9999-12-31T23:59:00+14:00", "0001-01-01", "-1:00",
                     "99999:00", "00:60", "Europe/Nowhere", "\x00", "T", "2024-11-14T09:00:00+01:00"]),
    st.lists(st.text(max_size=5), max_size=3), st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2),
)  # fmt: skip
SCHEDULE = json.loads(example("schedule.json"))


def _paths(node, path=()):
    """Every place in the document a value sits."""
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*path, index))


PLACES = [path for path in _paths(SCHEDULE) if path]


@st.composite
def near_valid_schedules(draw) -> bytes:
    document = json.loads(json.dumps(SCHEDULE))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(PLACES))
        parent = document
        try:
            for step in path[:-1]:
                parent = parent[step]
            if draw(st.booleans()) and isinstance(parent, dict):
                parent.pop(path[-1], None)
            else:
                parent[path[-1]] = draw(GARBAGE)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed the place
    return json.dumps(document).encode()


@st.composite
def near_valid_text_files(draw) -> bytes:
    lines = example(draw(st.sampled_from(["agenda.csv", "agenda.ics"]))).decode().splitlines(keepends=True)
    index = draw(st.integers(0, len(lines) - 1))
    action = draw(st.sampled_from(["drop", "garble", "cut"]))
    if action == "drop":
        del lines[index]
    elif action == "garble":
        line = lines[index]
        at = draw(st.integers(0, len(line)))
        lines[index] = line[:at] + draw(st.text(max_size=12)) + line[at + draw(st.integers(0, 12)) :]
    else:
        lines = [*lines[:index], lines[index][: draw(st.integers(0, len(lines[index])))]]
    return "".join(lines).encode()


def _import(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "agenda"
    path.write_bytes(content)
    try:
        run("FUZZ2024", str(path), "--name", "Fuzz congress", "--prune")
    except CommandError as error:
        assert str(error).strip()


@seed(15)
@settings(
    max_examples=80,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(content=near_valid_schedules())
def test_a_near_valid_schedule_json_is_imported_or_refused_never_a_crash(tmp_path, content):
    _import(tmp_path, content)


@seed(15)
@settings(
    max_examples=80,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(content=near_valid_text_files())
def test_a_near_valid_csv_or_icalendar_file_is_imported_or_refused_never_a_crash(tmp_path, content):
    _import(tmp_path, content)
