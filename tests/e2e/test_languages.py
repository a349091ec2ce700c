"""EN · FR · NL in the browser: a French phone gets attend in French, switches to Dutch without
losing what it typed, and keeps Dutch after a reload; the screen of a bilingual event shows
French and Dutch side by side, whatever the projector's browser speaks."""

import pytest
from playwright.sync_api import expect

from sessions.models import Event
from sessions.rolelinks import role_key_make
from sessions.services import session_set_status

pytestmark = pytest.mark.e2e

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
TEXT = "Quel est le coût réel d'une thérapie génique unique pour l'assurance maladie-invalidité ?"


def opened(browser, console, server, name, path, **context):
    page = console.watch(browser.new_context(**context).new_page(), name)
    page.goto(f"{server.http}{path}")
    return page


def test_a_french_phone_reads_attend_in_french_switches_to_dutch_and_keeps_it(
    browser, console, server, screenshot, event, roundtable
):
    session_set_status(event_id=event.pk, session_id=roundtable.pk, status="live")
    page = opened(browser, console, server, "attend-fr", "/e/SFH2022/?mode=room", locale="fr-BE", **PHONE)
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_test_id("connection")).to_have_text("Connecté")
    expect(page.get_by_test_id("ask-submit")).to_have_text("Envoyer la question")
    switch = page.get_by_role("navigation", name="Langue")
    expect(switch.get_by_role("button", name="Français")).to_have_attribute("aria-current", "true")
    page.get_by_test_id("ask-text").fill(TEXT)
    screenshot(page, "languages-attend-fr-phone")

    switch.get_by_role("button", name="Nederlands").click()
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_test_id("ask-submit")).to_have_text("Vraag verzenden")
    expect(page.get_by_role("navigation", name="Taal").get_by_role("button", name="Nederlands")).to_have_attribute(
        "aria-current", "true"
    )
    expect(page.get_by_test_id("ask-text")).to_have_value(TEXT)  # the page kept its state
    screenshot(page, "languages-attend-nl-phone")

    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_test_id("connection")).to_have_text("Verbonden")
    expect(page.get_by_test_id("ask-submit")).to_have_text("Vraag verzenden")
    # What the page says about what was typed is in Dutch too.
    page.get_by_test_id("ask-text").fill("Hm")
    page.get_by_test_id("ask-submit").click()
    expect(page.get_by_test_id("ask-error")).to_contain_text("Schrijf minstens")


@pytest.mark.parametrize("size", [(1920, 1080), (1280, 720)], ids=["1080p", "720p"])
def test_the_screen_of_a_bilingual_event_shows_french_and_dutch_side_by_side(
    browser, console, server, screenshot, event, roundtable, size
):
    Event.objects.filter(pk=event.pk).update(languages=["fr", "nl"], projector="side_by_side")
    session_set_status(event_id=event.pk, session_id=roundtable.pk, status="live")
    key = role_key_make(event=event, role="screen", hours=1)
    width, height = size
    page = opened(
        browser,
        console,
        server,
        "screen-bilingual",
        f"/e/SFH2022/screen/?key={key}",
        locale="en-GB",
        viewport={"width": width, "height": height},
    )
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_test_id("connection")).to_have_text("Connecté / Verbonden")
    expect(page.locator(".join-text")).to_have_text("Posez vos questions et votez / Stel uw vragen en stem")
    expect(page.get_by_test_id("current-session")).to_contain_text("En direct / Live")
    # Nothing runs off the projector's edge.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, f"languages-screen-bilingual-{width}x{height}")
