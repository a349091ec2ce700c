"""A three-room congress on the day: each room's screen shows its own session, two rooms are live
at once, the console follows one room, and an attendee sees now and next in every room and
follows one (the room's QR code picks it; the phone remembers it)."""

from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from sessions.models import Event, Session
from sessions.rolelinks import role_key_make
from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.test_accessibility import WCAG_22_AA, axe_source
from tests.integration.conftest import ROOT

pytestmark = pytest.mark.e2e

SCHEDULE = ROOT / "docs" / "examples" / "schedule.json"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
DESKTOP = {"viewport": {"width": 1440, "height": 900}}
ROOMS = {"silver-hall": "Silver Hall", "copper": "Copper", "studio-3": "Studio 3"}


def first_talk(event: Event, slug: str, nth: int = 0) -> Session:
    return event.sessions.filter(room__slug=slug).exclude(kind="break").order_by("starts_at")[nth]


@pytest.fixture
def congress(server) -> Event:
    call_command("import_agenda", "SFH2024", str(SCHEDULE), stdout=StringIO())
    return Event.objects.get(code="SFH2024")


def shot(page, name: str) -> None:
    """What the viewport shows (the attend page's whole programme would be metres long)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


# The rooms' parts of each page (test_accessibility.py audits the pages as a whole).
RUN_AXE_ON = """async ([selectors, tags]) => {
  const context = { include: selectors.map((selector) => [selector]) };
  const result = await axe.run(context, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] });
  return result.violations.map(({ id, nodes }) => ({ rule: id, nodes: nodes.map((node) => node.target.join(" ")) }));
}"""


def wcag_violations(page, *selectors: str) -> list:
    """axe-core's WCAG 2.2 AA findings in those parts of the page, as it is now."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(axe_source())
    return page.evaluate(RUN_AXE_ON, [list(selectors), WCAG_22_AA])


def live_page(browser, console, server, name, path, **context):
    page = console.watch(browser.new_context(**context).new_page(), name)
    page.goto(f"{server.http}{path}")
    expect(page.get_by_test_id("connection")).to_have_text("Connected")
    return page


# Five browsers on two busy cores: longer than the suite's default limit.
@pytest.mark.timeout(240)
def test_three_rooms_run_in_parallel_and_an_attendee_follows_one(server, browser, console, congress):
    screen_key = role_key_make(event=congress, role="screen", hours=1)
    moderator_key = role_key_make(event=congress, role="moderator", hours=1)
    # Silver Hall's first talk is the welcome; its keynote follows.
    silver, copper, studio = (
        first_talk(congress, "silver-hall", 1),
        first_talk(congress, "copper"),
        first_talk(congress, "studio-3"),
    )
    copper_next, studio_next = first_talk(congress, "copper", 1), first_talk(congress, "studio-3", 1)

    screens = {
        slug: live_page(
            browser,
            console,
            server,
            f"screen-{slug}",
            f"/e/SFH2024/rooms/{slug}/screen/?key={screen_key}",
            viewport={"width": 1920, "height": 1080},
        )
        for slug in ROOMS
    }
    for slug, name in ROOMS.items():
        expect(screens[slug].get_by_test_id("join-room")).to_have_text(name)
        qr = screens[slug].locator("[data-join-url]")
        expect(qr).to_have_attribute("data-join-url", f"{server.http}/e/SFH2024/?mode=room&room={slug}")

    # The console follows Copper: only Copper's sessions, and going live there ends nothing elsewhere.
    moderator = live_page(browser, console, server, "moderate", f"/e/SFH2024/moderate/?key={moderator_key}", **DESKTOP)
    moderator.get_by_test_id("room-filter").select_option(label="Copper")
    sessions = moderator.locator("ol.sessions > li")
    expect(sessions).to_have_count(congress.sessions.filter(room__slug="copper").count())
    sessions.filter(has_text=copper.title).get_by_role("button", name="Go live").click()
    expect(screens["copper"].get_by_test_id("current-session")).to_contain_text(copper.title)

    # Silver Hall goes live too: Copper stays live (another room), each screen shows its own room.
    moderator.get_by_test_id("room-filter").select_option(label="Silver Hall")
    moderator.locator(f'li[data-session="{silver.pk}"]').get_by_role("button", name="Go live").click()
    expect(screens["silver-hall"].get_by_test_id("current-session")).to_contain_text(silver.title)
    expect(screens["copper"].get_by_test_id("current-session")).to_contain_text(copper.title)
    expect(screens["copper"].locator(".badge")).to_have_text("Live")

    # Copper's stage follows Copper, whatever the event's current session is now.
    stage = live_page(
        browser, console, server, "stage", f"/e/SFH2024/rooms/copper/stage/?key={moderator_key}", **DESKTOP
    )
    expect(stage.get_by_test_id("current-session")).to_contain_text(copper.title)
    expect(stage.get_by_test_id("current-session")).to_contain_text(copper_next.title)
    stage.context.close()

    # Studio 3 is between talks: its first one is made current there, not live.
    moderator.get_by_test_id("room-filter").select_option(label="Studio 3")
    moderator.locator(f'li[data-session="{studio.pk}"]').get_by_role("button", name="Set current").click()
    expect(screens["studio-3"].get_by_test_id("current-session")).to_contain_text(studio.title)
    expect(moderator.get_by_test_id("current-session")).to_contain_text(studio.title)

    # The phone scanned Copper's code: it follows Copper and sees now and next in all three rooms.
    phone = live_page(browser, console, server, "attend", "/e/SFH2024/?mode=room&room=copper", **PHONE)
    rooms = phone.get_by_test_id("rooms-now")
    expected = (("silver-hall", silver, None), ("copper", copper, copper_next), ("studio-3", studio, studio_next))
    for slug, now, after in expected:
        row = rooms.locator(f'li[data-room="{slug}"]')
        expect(row.get_by_test_id("room-now")).to_contain_text(now.title)
        if after is not None:
            expect(row.get_by_test_id("room-next")).to_contain_text(after.title)
    expect(rooms.locator('li[data-room="copper"] [data-testid="room-next"]')).to_contain_text("10:00")  # Brussels time
    expect(phone.get_by_role("button", name="Follow Copper")).to_have_attribute("aria-pressed", "true")
    expect(phone.get_by_test_id("current-session")).to_contain_text(copper.title)
    expect(screens["copper"].get_by_test_id("room-presence")).to_have_text("1 person following this room")
    shot(phone, "rooms-attend-phone")
    assert wcag_violations(phone, '[data-testid="rooms-now"]', '[data-testid="current-session"]') == []

    # Following Studio 3 instead: its session is the phone's, its screen counts the phone.
    phone.get_by_role("button", name="Follow Studio 3").click()
    expect(phone.get_by_test_id("current-session")).to_contain_text(studio.title)
    expect(screens["studio-3"].get_by_test_id("room-presence")).to_have_text("1 person following this room")
    expect(screens["copper"].get_by_test_id("room-presence")).to_have_text("0 people following this room")
    expect(moderator.locator('[data-testid="presence-rooms"] dd[data-room="studio-3"]')).to_have_text("1")
    # Any session can still be opened: Copper's, from the room list.
    rooms.locator('li[data-room="copper"]').get_by_role("button", name=f"Open “{copper.title}”").click()
    expect(phone.get_by_test_id("questions")).to_have_attribute("data-session", str(copper.pk))

    # The phone remembers the room it follows.
    phone.reload()
    expect(phone.get_by_test_id("connection")).to_have_text("Connected")
    expect(phone.get_by_role("button", name="Follow Studio 3")).to_have_attribute("aria-pressed", "true")
    expect(phone.get_by_test_id("current-session")).to_contain_text(studio.title)

    shot(screens["copper"], "rooms-screen-1920")
    shot(moderator, "rooms-moderate-desktop")
    assert wcag_violations(screens["copper"], ".screen > .main", ".screen > .join") == []
    assert wcag_violations(moderator, ".room-bar", '[data-testid="presence-rooms"]') == []
    wide = live_page(browser, console, server, "attend-wide", "/e/SFH2024/?mode=online&room=silver-hall", **DESKTOP)
    expect(wide.get_by_test_id("rooms-now")).to_be_visible()
    shot(wide, "rooms-attend-desktop")
    small = live_page(
        browser,
        console,
        server,
        "screen-small",
        f"/e/SFH2024/rooms/silver-hall/screen/?key={screen_key}",
        viewport={"width": 1280, "height": 720},
    )
    expect(small.get_by_test_id("current-session")).to_contain_text(silver.title)
    shot(small, "rooms-screen-1280")


def test_an_online_attendee_is_sent_to_the_followed_rooms_or_the_events_livestream_and_next_says_its_day(
    server, browser, console, congress
):
    # The congress moved to the day after tomorrow (in Brussels): every room's next session is on another day.
    brussels = ZoneInfo("Europe/Brussels")
    days = (datetime.now(brussels).date() - date(2024, 11, 14)).days + 2
    for session in congress.sessions.all():
        session.starts_at += timedelta(days=days)
        session.ends_at += timedelta(days=days)
        session.save(update_fields=["starts_at", "ends_at"])
    congress.stream_url = "https://stream.example/sfh2024"
    congress.save(update_fields=["stream_url"])
    congress.rooms.filter(slug="copper").update(stream_url="https://stream.example/copper")
    opening = congress.sessions.filter(room__slug="silver-hall").order_by("starts_at")[0].starts_at.astimezone(brussels)

    phone = live_page(browser, console, server, "attend-online", "/e/SFH2024/?mode=online", **PHONE)
    watch = phone.get_by_test_id("watch-livestream")
    expect(watch).to_have_attribute("href", "https://stream.example/sfh2024")
    expect(watch).to_have_text("Watch the livestream")
    # "Next" says the day in the page's language, and the time in Brussels.
    silver_next = phone.locator('li[data-room="silver-hall"] [data-testid="room-next"] .when')
    expect(silver_next).to_contain_text(f"{opening:%a}, {opening:%b} {opening.day} at {opening:%H:%M}")
    shot(phone, "rooms-attend-livestream-phone")

    # Copper has its own livestream: following Copper sends the phone there.
    phone.get_by_role("button", name="Follow Copper").click()
    expect(watch).to_have_attribute("href", "https://stream.example/copper")
    phone.get_by_role("button", name="Follow Studio 3").click()
    expect(watch).to_have_attribute("href", "https://stream.example/sfh2024")

    # In French, the day too.
    phone.context.add_cookies([{"name": "django_language", "value": "fr", "url": server.http}])
    phone.reload()
    expect(phone.get_by_test_id("connection")).to_have_text("Connecté")
    expect(watch).to_have_text("Regarder la diffusion en direct")
    expect(silver_next).to_contain_text(f" à {opening:%H:%M}")
    assert wcag_violations(phone, '[data-testid="current-session"]', '[data-testid="rooms-now"]') == []

    wide = live_page(browser, console, server, "attend-online-wide", "/e/SFH2024/?mode=online", **DESKTOP)
    expect(wide.get_by_test_id("watch-livestream")).to_be_visible()
    shot(wide, "rooms-attend-livestream-desktop")

    # In the room, the page does not send anyone to the stream.
    hall = live_page(browser, console, server, "attend-room", "/e/SFH2024/?mode=room", **PHONE)
    expect(hall.get_by_test_id("rooms-now")).to_be_visible()
    expect(hall.get_by_test_id("watch-livestream")).to_have_count(0)
