"""A moderator runs the programme; attendees on phones follow it live, through a network cut."""

import re

import pytest
from playwright.sync_api import expect

from sessions.rolelinks import role_key_make
from tests.e2e.conftest import store_password
from web.views import join_qr_svg

pytestmark = pytest.mark.e2e

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


def sign_in(page, server, username, password, next_path):
    store_password(username, password)
    page.goto(f"{server.http}/accounts/login/?next={next_path}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").press("Enter")
    page.wait_for_url(f"**{next_path}")


def test_go_live_and_pause_reach_a_phone_even_across_a_network_cut(server, browser, console, screenshot, roundtable):
    moderator_context = browser.new_context(viewport={"width": 1280, "height": 900})
    moderator = console.watch(moderator_context.new_page(), "moderate")
    sign_in(moderator, server, "moderator", "sfh2022-moderator", "/e/SFH2022/moderate/")
    expect(moderator.get_by_test_id("connection")).to_have_text("Connected")

    phone_context = browser.new_context(**PHONE)
    phone = console.watch(phone_context.new_page(), "attend")
    phone.goto(f"{server.http}/e/SFH2022/?mode=online")
    expect(phone.get_by_test_id("connection")).to_have_text("Connected")
    phone.evaluate("window.__notReloaded = true")
    row = phone.locator(f'li[data-session="{roundtable.pk}"]')
    expect(row.locator(".badge")).to_have_text("Scheduled")

    # Keyboard alone: focus the roundtable's "Go live" button and press Enter.
    controls = moderator.locator(f'li[data-session="{roundtable.pk}"]')
    controls.get_by_role("button", name="Go live").focus()
    moderator.keyboard.press("Enter")
    expect(row.locator(".badge")).to_have_text("Live", timeout=2000)
    expect(phone.get_by_test_id("current-session")).to_contain_text(roundtable.title, timeout=2000)
    expect(moderator.get_by_test_id("current-session")).to_contain_text(roundtable.title)
    screenshot(phone, "attend-phone-live")
    screenshot(moderator, "moderate")

    phone_context.set_offline(True)
    expect(phone.get_by_test_id("connection")).to_contain_text("Offline")
    controls.get_by_role("button", name="Pause").click()
    expect(controls.locator(".badge")).to_have_text("Paused")
    expect(row.locator(".badge")).to_have_text("Live")  # the phone cannot know yet
    phone_context.set_offline(False)
    expect(row.locator(".badge")).to_have_text("Paused", timeout=10_000)
    expect(phone.get_by_test_id("connection")).to_have_text("Connected")
    assert phone.evaluate("window.__notReloaded") is True
    screenshot(phone, "attend-phone-paused")

    moderator_context.close()
    phone_context.close()


def test_the_screen_shows_a_qr_code_that_opens_the_attend_page_in_room_mode(
    server, browser, console, screenshot, event, roundtable
):
    key = role_key_make(event=event, role="screen", hours=1)
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    screen = console.watch(context.new_page(), "screen")
    screen.goto(f"{server.http}/e/SFH2022/screen/?key={key}")
    expect(screen.get_by_test_id("connection")).to_have_text("Connected")
    qr = screen.get_by_test_id("join-qr").locator("figure")
    join_url = qr.get_attribute("data-join-url")
    assert join_url == f"{server.http}/e/SFH2022/?mode=room"
    # The drawn code is exactly segno's encoding of that URL.
    expected = join_qr_svg(join_url, title="")
    drawn = [path.get_attribute("d") for path in qr.locator("svg path").all()]
    assert drawn and drawn == re.findall(r' d="([^"]+)"', expected)
    expect(qr.locator("svg")).to_be_visible()
    box = qr.locator("svg").bounding_box()
    assert box["width"] >= 400 and abs(box["width"] - box["height"]) < 2  # big and square, for the back row
    screenshot(screen, "screen")

    phone_context = browser.new_context(**PHONE)
    phone = console.watch(phone_context.new_page(), "attend-from-qr")
    phone.goto(join_url)
    expect(phone.get_by_test_id("connection")).to_have_text("Connected")
    expect(phone.get_by_text("In the room")).to_be_visible()
    context.close()
    phone_context.close()


def test_stage_shows_the_current_session_with_its_clock(server, browser, console, screenshot, event, roundtable):
    from sessions.services import session_set_status

    session_set_status(event_id=event.pk, session_id=roundtable.pk, status="live")
    key = role_key_make(event=event, role="speaker", hours=1)
    context = browser.new_context(viewport={"width": 1600, "height": 900})
    stage = console.watch(context.new_page(), "stage")
    stage.goto(f"{server.http}/e/SFH2022/stage/?key={key}")
    expect(stage.get_by_test_id("connection")).to_have_text("Connected")
    expect(stage.get_by_test_id("current-session")).to_contain_text(roundtable.title)
    expect(stage.get_by_test_id("session-clock")).to_contain_text("Elapsed")
    expect(stage.get_by_test_id("session-clock")).to_contain_text("Remaining")
    screenshot(stage, "stage")
    context.close()


def test_landing_page_finds_an_event_by_code_and_says_when_it_does_not(server, browser, console, screenshot):
    context = browser.new_context(**PHONE)
    page = console.watch(context.new_page(), "landing")
    page.goto(f"{server.http}/")
    page.get_by_label("Event code").fill("nope")
    page.get_by_role("button", name="Join").click()
    expect(page.get_by_role("alert")).to_contain_text("There is no event with the code")
    screenshot(page, "landing-unknown")
    page.get_by_label("Event code").fill("sfh2022")
    page.get_by_role("button", name="Join").click()
    page.wait_for_url("**/e/SFH2022/")
    # A typed code says nothing about where the person is: the page asks once.
    page.get_by_test_id("choose-online").click()
    expect(page.get_by_test_id("connection")).to_have_text("Connected")
    screenshot(page, "attend-phone")
    context.close()


def test_online_attendees_see_the_livestream_and_the_room_does_not(server, browser, console, event, roundtable):
    from sessions.models import Session
    from sessions.services import session_set_status

    # Livestreams are https embeds (the page's CSP frames nothing else); this one is served by
    # the browser itself, the network being closed here.
    stream = "https://stream.example/embed/roundtable"
    Session.objects.filter(pk=roundtable.pk).update(stream_url=stream)
    session_set_status(event_id=event.pk, session_id=roundtable.pk, status="live")
    online_context, room_context = browser.new_context(**PHONE), browser.new_context(**PHONE)
    for context in (online_context, room_context):
        context.route(stream, lambda route: route.fulfill(content_type="text/html", body="<p>the livestream</p>"))
    online = console.watch(online_context.new_page(), "attend-online")
    room = console.watch(room_context.new_page(), "attend-room")
    online.goto(f"{server.http}/e/SFH2022/?mode=online")
    room.goto(f"{server.http}/e/SFH2022/?mode=room")
    for page in (online, room):
        expect(page.get_by_test_id("connection")).to_have_text("Connected")
    expect(online.locator("iframe")).to_have_attribute("src", stream)
    expect(online.frame_locator("iframe").get_by_text("the livestream")).to_be_visible()
    expect(room.get_by_text("In the room")).to_be_visible()
    expect(room.locator("iframe")).to_have_count(0)
    # Switching to online mode brings the stream.
    room.get_by_role("button", name="Change").click()
    room.get_by_label("Online").check()
    room.get_by_role("button", name="Save").click()
    expect(room.locator("iframe")).to_have_count(1)
    expect(room.get_by_text("Following online")).to_be_visible()
    online_context.close()
    room_context.close()
