"""The moderators' line to the stage: a note the speaker marks seen, and the chair's countdown."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from sessions import services
from sessions.rolelinks import role_key_make

pytestmark = pytest.mark.e2e

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


def test_a_preset_note_reaches_the_stage_is_seen_there_and_the_timer_follows(
    server, open_page, screenshot, event, roundtable
):
    services.session_set_status(event_id=event.pk, session_id=roundtable.pk, status="live")
    moderator_key = role_key_make(event=event, role="moderator", hours=1)
    speaker_key = role_key_make(event=event, role="speaker", hours=1)
    console = open_page(
        "moderate", f"/e/SFH2022/moderate/?key={moderator_key}", viewport={"width": 1440, "height": 900}
    )
    stage = open_page("stage", f"/e/SFH2022/stage/?key={speaker_key}", viewport={"width": 1920, "height": 1080})
    backstage = console.get_by_test_id("backstage")

    backstage.get_by_role("button", name="Time to wrap up").click()
    expect(stage.get_by_test_id("stage-note")).to_contain_text("Time to wrap up")
    expect(backstage.locator("li[data-seen='no']")).to_contain_text("Not seen yet")
    screenshot(stage, "backstage-stage-note-1920")
    stage.get_by_test_id("stage-note").get_by_role("button", name="Seen").click()
    expect(stage.get_by_test_id("stage-note")).to_have_count(0)
    expect(backstage.locator("li[data-seen='yes']")).to_contain_text("Seen")

    # Free text, seen with the keyboard.
    backstage.get_by_label("Note to the speakers").fill("Slide 12 is missing on the stream")
    backstage.get_by_role("button", name="Send", exact=True).click()
    expect(stage.get_by_test_id("stage-note")).to_contain_text("Slide 12 is missing on the stream")
    expect(backstage.get_by_label("Note to the speakers")).to_have_value("")
    stage.keyboard.press("s")
    expect(stage.get_by_test_id("stage-note")).to_have_count(0)
    expect(backstage.locator("li[data-seen='yes']")).to_have_count(2)

    backstage.get_by_role("button", name="Start timer").click()
    timer = stage.get_by_test_id("timer")
    expect(timer).to_have_attribute("data-state", "running")
    expect(timer).to_have_attribute("data-tone", "green")
    expect(timer).to_contain_text(re.compile(r"\d+:\d\d"))
    expect(backstage.get_by_test_id("timer")).to_have_attribute("data-state", "running")
    backstage.get_by_role("button", name="Pause timer").click()
    expect(timer).to_have_attribute("data-state", "paused")
    expect(timer).to_contain_text("Timer paused")

    # Two minutes left: amber on the stage (the pause keeps it from moving on).
    planned = int((roundtable.ends_at - roundtable.starts_at) / timedelta(seconds=1))
    roundtable.refresh_from_db()
    left = roundtable.timer_seconds - (roundtable.timer_paused_at - roundtable.timer_started_at).total_seconds()
    services.session_timer(event_id=event.pk, session_id=roundtable.pk, action="add", seconds=120 - int(left))
    expect(timer).to_have_attribute("data-tone", "amber")
    expect(timer).to_contain_text(re.compile(r"^Timer paused\s*2:0\d$"))
    expect(backstage.get_by_test_id("timer").locator(".value")).to_have_text(timer.locator(".value").text_content())
    assert planned > 300  # the roundtable starts green
    services.note_send(
        event_id=event.pk, session_id=roundtable.pk, text="Please repeat the question for the livestream"
    )
    expect(stage.get_by_test_id("stage-note")).to_be_visible()
    screenshot(stage, "backstage-stage-1920")
    stage.set_viewport_size({"width": 1280, "height": 720})
    screenshot(stage, "backstage-stage-1280")
    screenshot(console, "backstage-moderate-1440")
    phone = open_page("moderate-phone", f"/e/SFH2022/moderate/?key={moderator_key}", **PHONE)
    expect(phone.get_by_test_id("backstage").locator("li[data-seen='no']")).to_have_count(1)
    screenshot(phone, "backstage-moderate-390")


def test_the_countdown_steps_back_beside_an_open_poll(server, open_page, screenshot, event, roundtable):
    from polls import services as polls_services

    services.session_set_status(event_id=event.pk, session_id=roundtable.pk, status="live")
    services.session_timer(event_id=event.pk, session_id=roundtable.pk, action="start")
    poll = polls_services.poll_create(
        event_id=event.pk,
        actor="Mo",
        kind="single",
        prompt="Who should pay for one-shot gene therapies?",
        session_id=roundtable.pk,
        options=["Insurers", "Industry", "Europe", "Governments"],
    )
    polls_services.poll_open(event_id=event.pk, poll_id=poll.pk, actor="Mo")
    speaker_key = role_key_make(event=event, role="speaker", hours=1)
    stage = open_page("stage", f"/e/SFH2022/stage/?key={speaker_key}", viewport={"width": 1280, "height": 720})
    expect(stage.get_by_test_id("current-session")).to_contain_text("Who should pay")
    timer = stage.get_by_test_id("timer")
    expect(timer).to_have_class(re.compile(r"\bcompact\b"))
    expect(stage.get_by_text("Governments")).to_be_in_viewport()
    screenshot(stage, "backstage-stage-poll-1280")
