import pytest

from polls import services


@pytest.fixture
def make_poll(event, roundtable):
    def make(kind="single", *, open_=True, session=None, **fields):
        defaults = {"prompt": "Who should pay for one-shot gene therapies?"}
        if kind in ("single", "multiple") and "options" not in fields:
            defaults["options"] = ["Insurers", "Industry", "Europe"]
        if kind == "stance" and "phase" not in fields:
            defaults["phase"] = "before"
        poll = services.poll_create(
            event_id=event.pk, actor="Mo", kind=kind, session_id=(session or roundtable).pk, **{**defaults, **fields}
        )
        if open_:
            poll = services.poll_open(event_id=event.pk, poll_id=poll.pk, actor="Mo")
        return poll

    return make


@pytest.fixture
def brussels(event):
    """The demo congress in English first, then French and Dutch (before any socket connects)."""
    event.languages = ["en", "fr", "nl"]
    event.save(update_fields=["languages"])
    return event


@pytest.fixture(params=["postgresql", "portable"])
def answer(event, request, monkeypatch):
    """Both ways of answering: one statement on PostgreSQL, the ORM for the embedded SQLite."""
    if request.param == "portable":
        monkeypatch.setattr(services, "one_statement", lambda: False)

    def respond(participant, poll, **answer):
        return services.poll_respond(participant_id=participant.pk, event_id=event.pk, poll_id=poll.pk, **answer)

    return respond
