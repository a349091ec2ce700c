"""A poll in the event's languages, in Chromium: the moderator writes it in English with French and
Dutch translations in the console's builder; a French phone and a Dutch phone each read it in
their language (results too); the bilingual projector shows English and French side by side."""

import json

import pytest
from playwright.sync_api import expect

from polls.models import Poll
from sessions.models import Event
from sessions.rolelinks import role_key_make
from sessions.services import session_set_status
from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.test_accessibility import RUN_AXE, SMALL_TEXT, WCAG_22_AA, axe_source, connected

pytestmark = pytest.mark.e2e

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
PROMPT = {
    "en": "Who should pay for one-shot gene therapies?",
    "fr": "Qui devrait payer les thérapies géniques administrées en une seule fois ?",
    "nl": "Wie moet eenmalige gentherapieën betalen?",
}
# Dutch compounds are long words: they must wrap, never push a phone sideways.
OPTIONS = {
    "en": ["Public health insurance", "Pharmaceutical companies, through lower prices", "A European fund"],
    "fr": [
        "L'assurance maladie-invalidité",
        "Les entreprises pharmaceutiques, par des prix plus bas",
        "Un fonds européen",
    ],
    "nl": [
        "Ziekteverzekeringsinstellingen",
        "Farmaceutische bedrijven, via lagere geneesmiddelenprijzen",
        "Een Europees gentherapiesolidariteitsfonds",
    ],
}


@pytest.fixture
def open_live(server, browser, console):
    """A page in a new browser context, once it is live (in whatever language it speaks)."""

    def open_(name, path, **context):
        page = console.watch(browser.new_context(**context).new_page(), name)
        page.goto(f"{server.http}{path}")
        connected(page)
        return page

    return open_


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_a_poll_in_french_and_dutch_phones_and_a_bilingual_projector(open_live, screenshot, event, roundtable):
    Event.objects.filter(pk=event.pk).update(languages=["en", "fr", "nl"], projector="side_by_side")
    session_set_status(event_id=event.pk, session_id=roundtable.pk, status="live")
    keys = {role: role_key_make(event=event, role=role, hours=1) for role in ("moderator", "screen")}
    moderator = open_live(
        "moderate", f"/e/SFH2022/moderate/?key={keys['moderator']}", locale="en-GB",
        viewport={"width": 1440, "height": 900},
    )  # fmt: skip

    # The builder: the poll in English, then the translations (a disclosure, each field named by
    # its language).
    moderator.get_by_test_id("poll-new").click()
    builder = moderator.get_by_test_id("poll-builder")
    builder.get_by_test_id("poll-prompt").fill(PROMPT["en"])
    builder.get_by_test_id("poll-add-option").click()
    for field, label in zip(builder.get_by_test_id("poll-option-input").all(), OPTIONS["en"], strict=True):
        field.fill(label)
    translations = builder.get_by_test_id("poll-translations")
    translations.locator("summary").focus()
    moderator.keyboard.press("Enter")  # opened from the keyboard
    for lang, name in (("fr", "Français"), ("nl", "Nederlands")):
        builder.get_by_role("textbox", name=f"{name}, Question").fill(PROMPT[lang])
        for index, label in enumerate(OPTIONS[lang]):
            builder.get_by_role("textbox", name=f"{name}, option {index + 1}").fill(label)
    # The original shows through where a translation is left empty.
    expect(builder.get_by_role("textbox", name="Nederlands, option 1")).to_have_attribute(
        "placeholder", OPTIONS["en"][0]
    )
    expect(builder.get_by_test_id("poll-missing")).to_have_count(0)
    assert fits(moderator)
    screenshot(moderator, "poll-translations-builder-1440x900")
    builder.screenshot(path=str(SCREENSHOTS / "poll-translations-builder-form.png"))
    moderator.evaluate(axe_source())
    assert moderator.evaluate(RUN_AXE, WCAG_22_AA) == []
    builder.get_by_test_id("poll-save").click()
    expect(moderator.get_by_test_id("poll-builder")).to_have_count(0)
    poll = Poll.objects.get(prompt=PROMPT["en"])
    assert poll.translations == {lang: {"prompt": PROMPT[lang], "options": OPTIONS[lang]} for lang in ("fr", "nl")}
    ids = list(poll.options.values_list("pk", flat=True))

    french = open_live("attend-fr", "/e/SFH2022/?mode=room", locale="fr-BE", **PHONE)
    dutch = open_live("attend-nl", "/e/SFH2022/?mode=online", locale="nl-BE", **PHONE)
    screen = open_live(
        "screen", f"/e/SFH2022/screen/?key={keys['screen']}", locale="en-GB", viewport={"width": 1920, "height": 1080}
    )
    admin = moderator.locator(f'[data-testid="poll-admin"][data-poll="{poll.pk}"]')
    admin.locator('[data-action="open"]').click()

    # Each phone: the prompt and options in its language, the same option ids.
    for page, lang, choice in ((french, "fr", 0), (dutch, "nl", 2)):
        card = page.locator(f'[data-testid="poll"][data-poll="{poll.pk}"]')
        expect(card.get_by_role("heading")).to_have_text(PROMPT[lang])
        expect(card.get_by_test_id("poll-option")).to_have_text(OPTIONS[lang])
        card.locator(f'[data-option="{ids[choice]}"]').click()
        expect(card.locator(f'[data-option="{ids[choice]}"]')).to_have_attribute("aria-pressed", "true")

    admin.locator('[data-action="show"]').click()
    admin.locator('[data-action="screen"]').click()
    for page, lang, name in ((french, "fr", "fr-phone"), (dutch, "nl", "nl-phone")):
        bars = page.locator(f'[data-testid="poll"][data-poll="{poll.pk}"] [data-testid="poll-bar"]')
        expect(bars.locator(".label")).to_have_text(OPTIONS[lang])
        expect(bars.nth(0).get_by_test_id("poll-count")).to_have_text("1")
        expect(bars.nth(2).get_by_test_id("poll-count")).to_have_text("1")
        assert fits(page), f"the {lang} phone scrolls sideways"
        screenshot(page, f"poll-translations-{name}-390x844")
        page.locator(f'[data-testid="poll"][data-poll="{poll.pk}"]').screenshot(
            path=str(SCREENSHOTS / f"poll-translations-{name}-card.png")
        )

    # The projector: English (the event's first language) and French, the event's first two.
    display = screen.locator(f'[data-testid="screen-poll"][data-poll="{poll.pk}"]')
    expect(display.locator(".prompt-text")).to_have_text([PROMPT["en"], PROMPT["fr"]])
    expect(display.locator(".prompt-text").nth(1)).to_have_attribute("lang", "fr")
    labels = [f"{en} / {fr}" for en, fr in zip(OPTIONS["en"], OPTIONS["fr"], strict=True)]
    expect(display.locator('[data-testid="poll-bar"] .label')).to_have_text(labels)
    screen.wait_for_function("() => document.documentElement.scrollHeight <= innerHeight")
    small = screen.evaluate(SMALL_TEXT, 28)
    screenshot(screen, "poll-translations-projector-1920x1080")
    assert small == [], json.dumps(small, indent=1)
