"""GET /e/{code}/export.xlsx|csv|json: the event's data for its moderators and organisers, nobody else."""

import csv
import io
import json
import zipfile

import pytest
from openpyxl import load_workbook

from audit.models import ModerationAction
from organiser.services import organiser_create
from sessions.rolelinks import role_key_make

pytestmark = pytest.mark.django_db

QUESTION = "Who pays for one-shot gene therapies?"


def organiser_of(*codes: str):
    return organiser_create(username="olivia", password="a long organiser passphrase", event_codes=list(codes))


def questions_in(format: str, content: bytes) -> list[str]:
    """The texts of the questions sheet of a download."""
    if format == "xlsx":
        rows = list(load_workbook(io.BytesIO(content))["questions"].iter_rows(values_only=True))
        return [dict(zip(rows[0], row, strict=True))["text"] for row in rows[1:]]
    if format == "csv":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            sheet = archive.read("questions.csv").decode("utf-8")
        return [row["text"] for row in csv.DictReader(io.StringIO(sheet))]
    return [row["text"] for row in json.loads(content)["sheets"]["questions"]]


@pytest.mark.parametrize(
    ("format", "content_type", "filename"),
    [
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "SFH2022.xlsx"),
        ("csv", "application/zip", "SFH2022.zip"),
        ("json", "application/json", "SFH2022.json"),
    ],
)
def test_an_organiser_of_the_event_downloads_it(client, event, attendee, ask, format, content_type, filename):
    ask(attendee, text=QUESTION)
    client.force_login(organiser_of("SFH2022"))
    response = client.get(f"/e/SFH2022/export.{format}")
    assert response.status_code == 200 and response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert questions_in(format, b"".join(response.streaming_content)) == [QUESTION]
    entry = ModerationAction.objects.get(event=event, action="exported")
    assert (entry.actor, entry.detail) == ("olivia", {"format": format, "session": None})


def test_an_organiser_downloads_one_session(client, event, roundtable, attendee, ask):
    ask(attendee, text=QUESTION)
    client.force_login(organiser_of("SFH2022"))
    response = client.get(f"/e/SFH2022/export.json?session={roundtable.pk}")
    assert response.status_code == 200 and json.loads(b"".join(response.streaming_content))["session"] == roundtable.pk


def test_an_organiser_of_another_event_gets_404(client, event, another_event):
    client.force_login(organiser_of("OTHER1"))
    response = client.get("/e/SFH2022/export.xlsx")
    # As on the report: an event someone else organises looks like none at all.
    assert response.status_code == 404 and "SFH2022" in response.content.decode()
    assert not ModerationAction.objects.filter(action="exported").exists()


def test_a_superuser_downloads_it(client, event, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", password="x"))
    assert client.get("/e/SFH2022/export.json").status_code == 200


def test_a_moderator_downloads_the_workbook(client, event, moderator_user):
    client.force_login(moderator_user)
    response = client.get("/e/SFH2022/export.xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="SFH2022.xlsx"'
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames == ["questions", "polls", "poll_results", "swing", "participation", "moderation_log"]
    entry = ModerationAction.objects.get(event=event, action="exported")
    assert (entry.actor, entry.detail) == ("moderator", {"format": "xlsx", "session": None})


def test_a_moderator_link_downloads_a_session_as_json(client, event, roundtable, attendee, ask):
    ask(attendee, text="Who pays for one-shot gene therapies?")
    ask(attendee, text="Is the debate recorded?", session=event.sessions.get(kind="debate"))
    key = role_key_make(event=event, role="moderator", hours=1)
    response = client.get(f"/e/SFH2022/export.json?session={roundtable.pk}&key={key}")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="SFH2022-session-{roundtable.pk}.json"'
    document = json.loads(b"".join(response.streaming_content))
    assert document["session"] == roundtable.pk
    assert [row["text"] for row in document["sheets"]["questions"]] == ["Who pays for one-shot gene therapies?"]
    assert ModerationAction.objects.get(action="exported").actor == "moderator link"


def test_the_csv_download_is_a_zip(client, event, moderator_user):
    client.force_login(moderator_user)
    response = client.get("/e/SFH2022/export.csv")
    assert response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        assert "questions.csv" in archive.namelist()


@pytest.mark.parametrize("format", ["xlsx", "csv", "json"])
def test_an_anonymous_visitor_is_sent_to_sign_in(client, event, format):
    response = client.get(f"/e/SFH2022/export.{format}")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not ModerationAction.objects.filter(action="exported").exists()


def test_a_speaker_is_refused(client, event, speaker_user):
    client.force_login(speaker_user)
    assert client.get("/e/SFH2022/export.xlsx").status_code == 403


def test_an_account_without_a_role_is_refused(client, event, outsider_user):
    client.force_login(outsider_user)
    assert client.get("/e/SFH2022/export.json").status_code == 403


def test_a_screen_link_is_refused(client, event):
    key = role_key_make(event=event, role="screen", hours=1)
    assert client.get(f"/e/SFH2022/export.xlsx?key={key}").status_code == 403


def test_an_unknown_session_is_a_404_naming_it(client, event, moderator_user):
    client.force_login(moderator_user)
    response = client.get("/e/SFH2022/export.xlsx?session=999999")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_session_that_is_not_a_number_is_a_400(client, event, moderator_user):
    client.force_login(moderator_user)
    response = client.get("/e/SFH2022/export.xlsx?session=roundtable")
    assert response.status_code == 400
    assert response.json()["fields"] == {"session": "roundtable"}


def test_an_unknown_format_is_not_a_page(client, event, moderator_user):
    client.force_login(moderator_user)
    assert client.get("/e/SFH2022/export.pdf").status_code == 404
