from datetime import UTC, date, datetime, timedelta

import pytest

from livehub.errors import Conflict, Invalid
from organiser.models import EventLook
from organiser.services import (
    blocklist_set,
    event_clone,
    event_create,
    look_set,
    organiser_create,
    session_save,
)
from polls.models import Poll
from polls.services import poll_create
from sessions.models import Event, Session
from sessions.services import session_delete

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10" fill="#0f766e"/></svg>'


def test_event_create_refuses_a_code_taken_in_another_case(event, organiser_user):
    with pytest.raises(Invalid) as refused:
        event_create(by=organiser_user, code="sfh2022", name="Again", timezone="Europe/Brussels",
                     starts_on=date(2025, 1, 1), ends_on=date(2025, 1, 1))  # fmt: skip
    assert refused.value.fields == {"code": "already taken"}


def test_session_save_refuses_an_end_before_the_start(event):
    start = datetime(2022, 11, 17, 9, tzinfo=UTC)
    with pytest.raises(Invalid) as refused:
        session_save(event=event, session=None, speakers=[], title="T", description="", kind="talk", room=None,
                     starts_at=start, ends_at=start - timedelta(hours=1), stream_url="")  # fmt: skip
    assert "ends_at" in refused.value.fields
    assert not event.sessions.filter(title="T").exists()


def test_a_session_with_questions_is_not_deleted(event, roundtable, attendee, ask):
    ask(attendee)
    with pytest.raises(Conflict, match="questions"):
        session_delete(event=event, session_id=roundtable.pk)
    assert Session.objects.filter(pk=roundtable.pk).exists()


def test_a_session_nobody_wrote_in_is_deleted(event):
    quiet = event.sessions.exclude(pk=event.current_session_id).filter(questions__isnull=True).first()
    session_delete(event=event, session_id=quiet.pk)
    assert not Session.objects.filter(pk=quiet.pk).exists()


def test_the_block_list_is_replaced_and_refuses_phrases(event):
    assert blocklist_set(event=event, text="Spam\neggs, spam") == ["eggs", "spam"]
    assert sorted(event.blocked_words.values_list("word", flat=True)) == ["eggs", "spam"]
    with pytest.raises(Invalid) as refused:
        blocklist_set(event=event, text="two-words")
    assert "words" in refused.value.fields
    assert sorted(event.blocked_words.values_list("word", flat=True)) == ["eggs", "spam"]


def test_a_colour_below_the_contrast_is_refused_with_a_suggestion(event):
    with pytest.raises(Invalid) as refused:
        look_set(event=event, colour="#ffcc00")
    assert "try #" in refused.value.fields["colour"]
    assert not EventLook.objects.filter(event=event).exists()


def test_a_readable_colour_and_a_logo_are_kept(event):
    look = look_set(event=event, colour="#0F766E", logo=PNG)
    assert (look.colour, look.logo_type, bytes(look.logo)) == ("#0f766e", "image/png", PNG)
    assert look_set(event=event, logo=SVG).logo_type == "image/svg+xml"
    assert look_set(event=event, remove_logo=True).logo is None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"GIF89a....", "PNG, JPEG, WebP or SVG"),
        (b"<html><body>hi</body></html>", "PNG, JPEG, WebP or SVG"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "no scripts"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "no scripts"),
        (b'<!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>', "PNG, JPEG"),
        (PNG + b"\x00" * 600_000, "at most 512 KB"),
    ],
)
def test_a_logo_that_is_no_safe_image_is_refused(event, content, message):
    with pytest.raises(Invalid) as refused:
        look_set(event=event, logo=content)
    assert message in refused.value.fields["logo"]


def test_clone_copies_the_programme_shifted_without_the_audience(event, roundtable, attendee, ask, organiser_user):
    ask(attendee)
    look_set(event=event, colour="#0f766e", logo=PNG)
    event.languages = ["en", "fr"]
    event.stream_url = "https://stream.example/sfh"
    event.save(update_fields=["languages", "stream_url"])
    before = poll_create(event_id=event.pk, actor="t", kind="stance", prompt="Before?", session_id=roundtable.pk,
                         phase="before", translations={"fr": {"prompt": "Avant ?"}})  # fmt: skip
    poll_create(event_id=event.pk, actor="t", kind="stance", prompt="After?", session_id=roundtable.pk,
                phase="after", stance_pair_id=before.pk)  # fmt: skip
    Poll.objects.filter(pk=before.pk).update(state="closed")

    cloned = event_clone(source=event, by=organiser_user, code="SFH2023", name="Science for Health 2023", days=364)

    copy = Event.objects.get(code="SFH2023")
    assert cloned.sessions == event.sessions.count() == copy.sessions.count()
    assert copy.starts_on == event.starts_on + timedelta(days=364)
    assert copy.stream_url == "https://stream.example/sfh"
    old = event.sessions.get(pk=roundtable.pk)
    new = copy.sessions.get(title=old.title)
    assert new.starts_at == old.starts_at + timedelta(days=364)
    assert new.status == "scheduled"
    assert new.room.event == copy and new.room.name == old.room.name
    assert sorted(new.speakers.values_list("name", flat=True)) == sorted(old.speakers.values_list("name", flat=True))
    assert set(copy.polls.values_list("state", flat=True)) == {"draft"}
    after = copy.polls.get(prompt="After?")
    assert after.session == new and after.stance_pair.prompt == "Before?"
    assert after.stance_pair.translations == {"fr": {"prompt": "Avant ?", "options": []}}
    assert copy.participants.count() == 0 and copy.questions.count() == 0
    assert copy.roles.count() == 0 and copy.current_session is None
    assert copy.look.colour == "#0f766e" and bytes(copy.look.logo) == PNG
    assert copy.link_secret != event.link_secret
    assert sorted(copy.blocked_words.values_list("word", flat=True)) == sorted(
        event.blocked_words.values_list("word", flat=True)
    )


def test_the_account_that_creates_an_event_organises_it_and_only_it(event, organiser_user):
    created = event_create(by=organiser_user, code="BBD2025", name="Brussels Biotech Day", timezone="Europe/Brussels",
                           starts_on=date(2025, 3, 20), ends_on=date(2025, 3, 20))  # fmt: skip
    assert list(created.organisers.all()) == [organiser_user]
    assert set(organiser_user.organised_events.values_list("code", flat=True)) == {"SFH2022", "BBD2025"}


def test_the_account_that_clones_organises_the_copy_and_not_the_sources_other_organisers(event, organiser_user):
    colleague = organiser_create(username="colin", password="another long passphrase", event_codes=["SFH2022"])
    event_clone(source=event, by=colleague, code="SFH2023", name="Science for Health 2023", days=364)
    copy = Event.objects.get(code="SFH2023")
    assert list(copy.organisers.all()) == [colleague]
    assert set(event.organisers.all()) == {organiser_user, colleague}


def test_clone_refuses_a_code_in_use(event, organiser_user):
    with pytest.raises(Invalid) as refused:
        event_clone(source=event, by=organiser_user, code="SFH2022", name="Again", days=1)
    assert refused.value.fields == {"code": "already taken"}


def test_moving_a_live_session_into_a_room_where_another_is_live_is_refused(event):
    from sessions.models import Room
    from sessions.services import session_set_status

    hall, studio = (Room.objects.create(event=event, name=name, slug=name.lower()) for name in ("Hall", "Studio"))
    first, second = event.sessions.order_by("starts_at")[:2]
    Session.objects.filter(pk=first.pk).update(room=hall)
    Session.objects.filter(pk=second.pk).update(room=studio)
    session_set_status(event_id=event.pk, session_id=first.pk, status="live")
    session_set_status(event_id=event.pk, session_id=second.pk, status="live")
    second.refresh_from_db()
    with pytest.raises(Conflict) as refused:
        session_save(event=event, session=second, speakers=[], title=second.title, description="", kind=second.kind,
                     room=hall, starts_at=second.starts_at, ends_at=second.ends_at, stream_url="")  # fmt: skip
    assert refused.value.fields == {"room": "already running"}
    assert Session.objects.get(pk=second.pk).room == studio
