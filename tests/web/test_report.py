"""GET /e/{code}/report/: the post-event report for the event's staff, nobody else."""

import json
import re
from urllib.parse import urlencode

import pytest

from audit.models import ModerationAction
from livehub.realtime.models import PresenceSample
from organiser.services import organiser_create
from sessions.rolelinks import role_key_make
from sessions.services import audience_purge
from tests.exports.conftest import clock, day  # noqa: F401 - the scripted day's fixtures

pytestmark = pytest.mark.django_db


def page(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_a_moderator_reads_the_days_figures_beside_each_chart(client, day, event, moderator_user):  # noqa: F811
    client.force_login(moderator_user)
    html = page(client.get("/e/SFH2022/report/"))
    for chart in ("joined", "activity", "sessions", "swing-0", "moderation", f"poll-{day['polls']['before'].pk}"):
        assert f'data-chart="{chart}"' in html
    # The numbers are printed by the server, beside the charts the script draws.
    assert '<th scope="row">10:00</th><td>3</td><td>2</td>' in html
    assert 'Who pays for one-shot gene therapies?</span> <span class="muted">— Ana</span>' in html
    assert '<dd data-figure="median-wait">2 min 0 s</dd>' in html
    assert '<dd data-figure="published">3</dd>' in html and '<dd data-figure="rejected">1</dd>' in html
    data = re.search(r'<script id="report-data" type="application/json">(.*?)</script>', html, re.S)
    assert json.loads(data.group(1))["swings"][0]["answered_both"] == 3


def test_the_page_runs_no_inline_script_under_a_strict_policy(client, day, event, moderator_user):  # noqa: F811
    client.force_login(moderator_user)
    response = client.get("/e/SFH2022/report/")
    assert "script-src 'self';" in response["Content-Security-Policy"]
    for tag in re.findall(r"<script[^>]*>", page(response)):
        assert 'type="application/json"' in tag or " src=" in tag, tag


def test_an_anonymised_event_gives_totals_and_no_authors(client, day, event, moderator_user):  # noqa: F811
    audience_purge(event=event, anonymise=True)
    client.force_login(moderator_user)
    html = page(client.get("/e/SFH2022/report/"))
    assert "Who pays for one-shot gene therapies?" in html
    assert "— Ana" not in html and '"author": "Ana"' not in html
    assert '<dd data-figure="published">3</dd>' in html


def test_reading_it_is_written_to_the_audit_log(client, event, moderator_user):
    client.force_login(moderator_user)
    client.get("/e/SFH2022/report/")
    entry = ModerationAction.objects.get(event=event, action="report_read")
    assert entry.actor == moderator_user.get_username()


def test_attendance_is_drawn_when_it_was_sampled_and_said_missing_when_not(client, day, event, moderator_user):  # noqa: F811
    client.force_login(moderator_user)
    html = page(client.get("/e/SFH2022/report/"))
    assert 'data-testid="chart-connected"' in html and "Connected in the room (most)" in html
    PresenceSample.objects.filter(event=event).delete()
    html = page(client.get("/e/SFH2022/report/"))
    assert 'data-testid="chart-connected"' not in html and "No attendance was recorded" in html


def test_an_empty_event_says_so(client, event, moderator_user):
    client.force_login(moderator_user)
    html = page(client.get("/e/SFH2022/report/"))
    assert 'data-testid="report-empty"' in html and "Nothing to report yet" in html
    assert "data-chart=" not in html


def test_a_superuser_reads_it(client, event, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", password="x"))
    assert client.get("/e/SFH2022/report/").status_code == 200


def test_an_organiser_reads_it_from_the_organiser_pages(client, event):
    client.force_login(
        organiser_create(username="olivia", password="a long organiser passphrase", event_codes=["SFH2022"])
    )
    settings_page = client.get("/organise/SFH2022/").content.decode()
    assert 'href="/e/SFH2022/report/"' in settings_page
    assert client.get("/e/SFH2022/report/").status_code == 200


def test_an_organiser_finds_the_downloads_and_the_way_back_to_the_organiser_pages(client, event):
    client.force_login(
        organiser_create(username="olivia", password="a long organiser passphrase", event_codes=["SFH2022"])
    )
    html = page(client.get("/e/SFH2022/report/"))
    assert 'data-testid="report-exports"' in html
    for format, label in (("xlsx", "Excel workbook (.xlsx)"), ("csv", "CSV files (.zip)"), ("json", "JSON")):
        assert f'<a href="/e/SFH2022/export.{format}" download data-format="{format}">{label}</a>' in html
        assert client.get(f"/e/SFH2022/export.{format}").status_code == 200
    # The console is for moderators: an organiser goes back to the event's organiser pages.
    assert 'href="/organise/SFH2022/"' in html and 'href="/e/SFH2022/moderate/' not in html


def test_the_downloads_keep_a_moderator_links_key(client, event):
    key = role_key_make(event=event, role="moderator", hours=1)
    html = page(client.get(f"/e/SFH2022/report/?key={key}"))
    href = re.search(r'href="(/e/SFH2022/export\.xlsx[^"]*)"', html).group(1)
    assert href == f"/e/SFH2022/export.xlsx?{urlencode({'key': key})}"
    assert client.get(href).status_code == 200


def test_the_downloads_are_named_in_the_readers_language(client, event, moderator_user):
    client.force_login(moderator_user)
    html = page(client.get("/e/SFH2022/report/", HTTP_ACCEPT_LANGUAGE="fr"))
    assert "Exporter les données" in html and "Classeur Excel (.xlsx)" in html


def test_an_organiser_of_another_event_gets_404(client, event, another_event):
    client.force_login(
        organiser_create(username="olivia", password="a long organiser passphrase", event_codes=["OTHER1"])
    )
    assert client.get("/e/SFH2022/report/").status_code == 404


def test_a_moderator_link_reads_it(client, event):
    key = role_key_make(event=event, role="moderator", hours=1)
    assert client.get(f"/e/SFH2022/report/?key={key}").status_code == 200


def test_a_visitor_is_sent_to_sign_in(client, event):
    response = client.get("/e/SFH2022/report/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_speaker_is_refused(client, event, speaker_user):
    client.force_login(speaker_user)
    assert client.get("/e/SFH2022/report/").status_code == 403


def test_an_account_without_a_role_is_refused(client, event, outsider_user):
    client.force_login(outsider_user)
    assert client.get("/e/SFH2022/report/").status_code == 403


def test_a_screen_link_is_refused(client, event):
    key = role_key_make(event=event, role="screen", hours=1)
    assert client.get(f"/e/SFH2022/report/?key={key}").status_code == 403


def test_an_unknown_event_is_a_404(client, moderator_user):
    client.force_login(moderator_user)
    assert client.get("/e/NOPE2022/report/").status_code == 404


def test_it_speaks_the_browsers_language_and_offers_the_switch(client, event, moderator_user):
    client.force_login(moderator_user)
    html = page(client.get("/e/SFH2022/report/", HTTP_ACCEPT_LANGUAGE="fr"))
    assert '<html lang="fr">' in html and "Rapport" in html
    assert 'class="language-switch"' in html and 'href="/accessibility/"' in html


def test_poll_kinds_and_phases_are_named_in_the_readers_language(client, day, event, moderator_user):  # noqa: F811
    client.force_login(moderator_user)
    html = page(client.get("/e/SFH2022/report/", HTTP_ACCEPT_LANGUAGE="fr"))
    assert "Nuage de mots" in html and "stance (before)" not in html
