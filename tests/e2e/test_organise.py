"""An organiser sets up a congress without the admin: signs in, creates the event, imports its
pretalx schedule with a preview, gives it a colour and a logo, and the attend page shows them."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from organiser.services import organiser_create
from sessions.models import Event
from tests.e2e.conftest import SCREENSHOTS, store_password
from tests.integration.conftest import ROOT

pytestmark = pytest.mark.e2e

PASSWORD = "a long organiser passphrase"
SCHEDULE = ROOT / "docs" / "examples" / "schedule.json"
LOGO = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 40"><rect width="120" height="40" rx="6" '
    b'fill="#0f766e"/><text x="60" y="27" font-family="sans-serif" font-size="20" fill="#fff" '
    b'text-anchor="middle">SFH</text></svg>'
)
PAGES = {
    "settings": "",
    "rooms": "rooms/",
    "sessions": "sessions/",
    "session-new": "sessions/new/",
    "speakers": "speakers/",
    "people": "people/",
    "agenda": "agenda/",
    "polls": "polls/",
    "blocklist": "blocklist/",
    "look": "look/",
    "webhooks": "webhooks/",
    "clone": "clone/",
}
SIZES = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}


def fits(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{page.url} runs off the screen"


def signed_in_organiser(server, browser, console, path: str):
    """A desktop page of an organiser account (organising the events there are so far), opened at
    `path` through the sign-in form."""
    organiser_create(
        username="olivia", password=PASSWORD, event_codes=list(Event.objects.values_list("code", flat=True))
    )
    store_password("olivia", PASSWORD)
    page = console.watch(browser.new_context(viewport=SIZES["desktop"]).new_page(), "organiser")
    page.goto(f"{server.http}{path}")
    page.get_by_label("Username").fill("olivia")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    return page


# The whole story in one browser, with a screenshot of each organiser page at two sizes: longer
# than the suite's default limit on two busy cores.
@pytest.mark.timeout(300)
def test_an_organiser_sets_up_a_congress_from_its_pretalx_schedule(server, browser, console, screenshot, tmp_path):
    page = signed_in_organiser(server, browser, console, "/organise/")
    expect(page.get_by_role("heading", name="Events")).to_be_visible()

    # A mistyped time zone is named, and nothing typed is lost.
    page.get_by_label("Code").fill("SFH2024")
    page.get_by_label("Name").fill("Science for Health 2024")
    page.get_by_label("Time zone").fill("Europe/Brusels")
    page.get_by_label("First day").fill("2024-11-14")
    page.get_by_label("Last day").fill("2024-11-15")
    page.get_by_label("Venue").fill("Square Brussels")
    page.get_by_role("button", name="Create the event").click()
    expect(page.locator('[data-field="timezone"] .error')).to_contain_text("Not a time zone")
    expect(page.get_by_label("Name")).to_have_value("Science for Health 2024")
    page.get_by_label("Time zone").fill("Europe/Brussels")
    page.get_by_role("button", name="Create the event").click()
    expect(page.get_by_role("status")).to_contain_text("Science for Health 2024 is created")

    page.get_by_role("link", name="Agenda import").click()
    page.get_by_label("Programme file").set_input_files(str(SCHEDULE))
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_test_id("plan-summary")).to_contain_text("30 to create")
    expect(page.get_by_text("New rooms: Silver Hall, Copper, Studio 3")).to_be_visible()
    screenshot(page, "organise-agenda-preview-desktop")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("status")).to_contain_text("Created: 30, changed: 0, removed: 0")
    expect(page.get_by_role("heading", name="Thursday 14 November 2024")).to_be_visible()
    expect(page.get_by_role("heading", name="Friday 15 November 2024")).to_be_visible()
    expect(page.get_by_role("link", name="Welcome to Science for Health 2024")).to_be_visible()
    # 08:30 in Brussels, as the schedule says (07:30 UTC).
    registration = page.locator("tr", has_text="Registration and coffee").locator("td.time")
    expect(registration).to_have_text("08:30\u201309:00")

    page.get_by_role("link", name="Look").click()
    page.get_by_label("Primary colour").fill("#ffcc00")
    page.get_by_role("button", name="Save the look").click()
    expect(page.locator('[data-field="colour"] .error')).to_contain_text("nearest colour that passes")
    page.get_by_label("Primary colour").fill("#0f766e")
    logo = tmp_path / "logo.svg"
    logo.write_bytes(LOGO)
    page.get_by_label("Logo", exact=True).set_input_files(str(logo))
    page.get_by_role("button", name="Save the look").click()
    expect(page.get_by_role("status")).to_contain_text("The look is saved")
    expect(page.get_by_test_id("look-preview").get_by_role("img")).to_be_visible()

    # Every organiser page, wide and on a phone: nothing runs off the screen.
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        for name, path in PAGES.items():
            page.goto(f"{server.http}/organise/SFH2024/{path}")
            expect(page.locator("h1")).to_be_visible()
            fits(page, viewport["width"])
            page.screenshot(path=str(SCREENSHOTS / f"organise-{name}-{size}.png"))
    page.goto(f"{server.http}/organise/")
    screenshot(page, "organise-events-phone")

    # The projector and the stage, opened with links made on the People page, show the logo.
    page.set_viewport_size(SIZES["desktop"])
    for role, path, size in [("screen", "screen", (1920, 1080)), ("speaker", "stage", (1280, 720))]:
        page.goto(f"{server.http}/organise/SFH2024/people/")
        links = page.locator("form", has=page.get_by_role("button", name="Make a link"))
        links.get_by_label("Opens the page of a").select_option(role)
        links.get_by_role("button", name="Make a link").click()
        url = page.get_by_test_id("new-link").input_value()
        assert f"/e/SFH2024/{path}/?key=" in url
        shown = console.watch(browser.new_context(viewport={"width": size[0], "height": size[1]}).new_page(), path)
        link = urlsplit(url)
        shown.goto(f"{server.http}{link.path}?{link.query}")
        expect(shown.get_by_test_id("event-logo")).to_be_visible()
        for width, height in [(1920, 1080), (1280, 720)]:
            shown.set_viewport_size({"width": width, "height": height})
            shown.screenshot(path=str(SCREENSHOTS / f"organise-look-{path}-{width}x{height}.png"))
        shown.context.close()

    attendee = console.watch(browser.new_context(viewport=SIZES["phone"]).new_page(), "attendee")
    attendee.goto(f"{server.http}/e/SFH2024/?mode=room")
    expect(attendee.get_by_test_id("connection")).to_have_text("Connected")
    expect(attendee.get_by_test_id("event-logo")).to_be_visible()
    expect(attendee.get_by_test_id("event-logo")).to_have_attribute("alt", "Logo of Science for Health 2024")
    brand = attendee.evaluate("getComputedStyle(document.body).getPropertyValue('--brand').trim()")
    assert brand == "#0f766e"
    attendee.screenshot(path=str(SCREENSHOTS / "organise-attend-with-look-phone.png"))
    attendee.context.close()
    page.context.close()
    # A form sent back with its errors answers 400 on purpose (the two refused forms above);
    # Chromium logs each such answer as a console error.
    refused = [error for error in console.errors if error.startswith("organiser:") and "status of 400" in error]
    assert len(refused) == 2
    console.errors = [error for error in console.errors if error not in refused]


def test_a_french_organiser_reads_what_is_wrong_with_a_programme_in_french(server, browser, console, tmp_path):
    page = signed_in_organiser(server, browser, console, "/organise/SFH2022/agenda/")
    page.context.add_cookies([{"name": "django_language", "value": "fr", "url": server.http}])
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    broken = tmp_path / "programme.csv"
    broken.write_text("id,start,end,title\nA,2022-11-17T09:00,2022-11-17T10:00,Ouverture\nB,demain,,Clôture\n")
    page.get_by_label("Fichier du programme").set_input_files(str(broken))
    page.get_by_role("button", name="Aperçu").click()
    error = page.locator('[data-field="file"] .error')
    expect(error).to_contain_text("ligne 3 (session « Clôture ») : champ 'start' : 'demain' n'est pas une date")
    for width, height in [(390, 844), (1440, 900), (1920, 1080), (1280, 720)]:
        page.set_viewport_size({"width": width, "height": height})
        fits(page, width)
        page.screenshot(path=str(SCREENSHOTS / f"organise-agenda-error-fr-{width}x{height}.png"), full_page=True)
    page.context.close()
    # The refused upload answered 400 on purpose; Chromium logs that answer as a console error.
    refused = [error for error in console.errors if "status of 400" in error]
    assert len(refused) == 1
    console.errors = [error for error in console.errors if error not in refused]
