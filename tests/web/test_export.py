"""GET /e/{code}/export.xlsx|csv|json: the event's data for its moderators, nobody else."""

import io
import json
import zipfile

import pytest
from openpyxl import load_workbook

from audit.models import ModerationAction
from sessions.rolelinks import role_key_make

pytestmark = pytest.mark.django_db


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


def test_an_attendee_is_sent_to_sign_in(client, event):
    response = client.get("/e/SFH2022/export.xlsx")
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
