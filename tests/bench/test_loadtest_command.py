"""`manage.py loadtest` as an organiser runs it: the floor first, then the deployment, one table."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from sessions.models import Participant

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]


def test_loadtest_prints_the_floor_and_the_server_with_ratios_and_nothing_lost(server_process, event, tmp_path):
    server = server_process("uvicorn-sansio")
    out, results, tokens = StringIO(), tmp_path / "results.json", tmp_path / "tokens.txt"
    options = ["--url", server.url, "--clients", "30", "--messages", "3", "--interval", "0.05"]
    call_command("loadtest", *options, "--json", str(results), "--tokens", str(tokens), stdout=out, stderr=StringIO())

    table = out.getvalue()
    assert "| floor (bare websockets) | 30/30 |" in table
    assert f"| LiveHub {server.url} | 30/30 |" in table
    assert "x)" in table  # the server's p99 and CPU as multiples of the floor's
    floor, livehub = json.loads(results.read_text())
    for result in (floor, livehub):
        assert result["lost"] == 0 and result["disorder"] == 0
        # Every public event reached every attendee; going live also announces the current session.
        assert result["received"] == result["expected"] >= 30 * 3
    assert len(tokens.read_text().split()) == 30  # kept for the next run

    # A second run reuses those participants instead of joining new ones.
    joined = Participant.objects.filter(event=event).count()
    call_command("loadtest", *options, "--floor", "none", "--tokens", str(tokens), stdout=StringIO(), stderr=StringIO())
    assert len(tokens.read_text().split()) == 30
    assert Participant.objects.filter(event=event).count() == joined


def test_the_joins_scenario_runs_the_trivial_django_view_first_and_joins_every_phone(
    server_process, event, tmp_path, settings
):
    server = server_process("uvicorn-sansio")
    out, results = StringIO(), tmp_path / "results.json"
    call_command(
        "loadtest", "--scenario", "joins", "--url", server.url, "--clients", "40", "--concurrency", "8",
        "--json", str(results), stdout=out, stderr=StringIO(),
    )  # fmt: skip

    table = out.getvalue()
    assert "first try → token" in table
    assert "| floor (a trivial Django view) | 40/40 |" in table
    assert f"| LiveHub {server.url} | 40/40 |" in table
    floor, livehub = json.loads(results.read_text())
    assert floor["lost"] == livehub["lost"] == 0
    assert livehub["notes"]["answers"] == {"201": 40}
    assert Participant.objects.filter(event=event).count() == 40
