"""The purge asks every app that keeps audience data to do its part (sessions.contributors)."""

import pytest

from sessions import contributors
from sessions.contributors import AudienceData, audience_data_register
from sessions.models import Participant
from sessions.services import audience_purge

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def notes(monkeypatch, join):
    """An app that keeps notes by the audience, registered beside the questions and polls."""
    monkeypatch.setattr(contributors, "_audience_data", dict(contributors._audience_data))
    writer, reader = join("Ana"), join("Ben")
    calls = []

    def delete(*, event):
        calls.append(("delete", event.pk))
        return {"notes_deleted": 2}

    def anonymise(*, event):
        calls.append(("anonymise", event.pk))
        return {"notes_kept": 2}

    audience_data_register(
        "notes",
        AudienceData(
            counts=("notes_deleted", "notes_kept"),
            delete=delete,
            anonymise=anonymise,
            participants_kept=lambda *, event: Participant.objects.filter(pk=writer.pk).values("pk"),
        ),
    )
    return {"calls": calls, "writer": writer, "reader": reader}


def test_deleting_asks_every_registered_app_and_reports_its_counts(event, notes):
    report = audience_purge(event=event, anonymise=False)
    assert notes["calls"] == [("delete", event.pk)]
    assert report["notes_deleted"] == 2 and report["notes_kept"] == 0
    assert list(report)[-3:] == ["notes_deleted", "notes_kept", "receipts_deleted"]
    assert not Participant.objects.filter(event=event).exists()


def test_anonymising_keeps_the_participants_an_app_still_points_at_nameless(event, notes):
    report = audience_purge(event=event, anonymise=True)
    assert notes["calls"] == [("anonymise", event.pk)]
    assert report["notes_kept"] == 2 and report["notes_deleted"] == 0
    kept = Participant.objects.get(event=event)
    assert kept.pk == notes["writer"].pk and kept.name == ""
    assert report["participants_anonymised"] == 1 and report["participants_deleted"] == 1


def test_sessions_holding_audience_data_names_what_each_app_keeps_there(event, roundtable, monkeypatch, join, ask):
    monkeypatch.setattr(contributors, "_audience_data", dict(contributors._audience_data))
    welcome = event.sessions.get(title="Welcome")
    audience_data_register(
        "notes",
        AudienceData(
            counts=(),
            delete=lambda *, event: {},
            anonymise=lambda *, event: {},
            sessions_holding=lambda *, event: [welcome.pk, roundtable.pk],
        ),
    )
    ask(join("Ana"))  # a question in the roundtable
    holding = contributors.sessions_holding_audience_data(event=event)
    assert holding == {roundtable.pk: ["questions", "notes"], welcome.pk: ["notes"]}
