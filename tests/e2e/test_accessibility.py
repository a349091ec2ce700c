"""Every page, in each state a person meets it, has no WCAG 2.2 AA violation that axe-core finds.

axe-core (the npm package pinned in frontend/package-lock.json) is evaluated into each page
through Playwright's `page.evaluate`, which runs over the DevTools protocol: the page's
Content-Security-Policy (`script-src 'self'`, livehub/middleware.py) does not apply to it, so
the pages are checked under the very policy their users get. `add_script_tag` would be refused
by that policy, and `bypass_csp=True` would switch the policy off for the app's own scripts too,
hiding a CSP regression (an inline script, say) from this test; neither is used.

Each (page, state) is one entry of STATES, reached in order by one browser against one server;
the language is a parameter (a browser whose Accept-Language asks for it).
"""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Page, expect

from organiser.services import organiser_create
from polls import services as poll_services
from polls.demo import seed_demo_polls
from qa import services as qa_services
from sessions.rolelinks import role_key_make
from sessions.services import session_set_status
from tests.e2e.conftest import store_password
from tests.integration.conftest import ROOT

pytestmark = pytest.mark.e2e

LANGUAGES = ["en", "fr", "nl"]
ORGANISER_PASSWORD = "a long organiser passphrase"
AXE = ROOT / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1440, "height": 900}}
PROJECTOR = {"viewport": {"width": 1920, "height": 1080}}

# Only what a failure message needs: the rule, its impact, and where.
RUN_AXE = """async (tags) => {
  const result = await axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] });
  return result.violations.map((violation) => ({
    rule: violation.id, impact: violation.impact, help: violation.help,
    nodes: violation.nodes.map((node) => node.target.join(" ") + " — " + node.failureSummary.replace(/\\s+/g, " ")),
  }));
}"""


def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` in frontend/ (axe-core is a dev dependency).")
    return AXE.read_text()


def connected(page: Page) -> None:
    """Live, in any language: the badge's class, not its words."""
    expect(page.locator('[data-testid="connection"].connected')).to_be_visible()


@dataclass
class Tour:
    """One browser context per page of the story, opened on first use and kept for its next states."""

    browser: object
    base: str
    language: str
    watch: Callable
    keys: dict[str, str]
    pages: dict[str, Page] = field(default_factory=dict)

    def open(self, name: str, path: str, live: bool = True, **context) -> Page:
        if name not in self.pages:
            new = self.browser.new_context(locale=self.language, **context).new_page()
            self.pages[name] = self.watch(new, name)
            new.goto(f"{self.base}{path.format(**self.keys)}")
            if live:
                connected(new)
        return self.pages[name]


@dataclass
class Story:
    """The event's data the states show, made through the services (the server publishes them)."""

    event: object
    session: object
    open_poll: object = None
    on_screen: object = None
    questions: dict[str, object] = field(default_factory=dict)


STATES: dict[tuple[str, str], Callable[[Tour, Story], Page]] = {}


def state(page: str, name: str):
    def register(reach: Callable[[Tour, Story], Page]):
        STATES[(page, name)] = reach
        return reach

    return register


@state("landing", "code form")
def _landing(tour, story):
    return tour.open("landing", "/", live=False, **PHONE)


@state("landing", "unknown code")
def _landing_error(tour, story):
    page = tour.pages["landing"]
    page.locator("#code").fill("NOPE00")
    page.locator("#code").press("Enter")
    expect(page.locator("#code-error")).to_contain_text("NOPE00")
    return page


@state("statement", "text")
def _statement(tour, story):
    return tour.open("statement", "/accessibility/", live=False, **DESKTOP)


@state("login", "form")
def _login(tour, story):
    return tour.open("login", "/accounts/login/?next=/e/SFH2022/moderate/", live=False, **DESKTOP)


@state("login", "wrong password")
def _login_error(tour, story):
    page = tour.pages["login"]
    page.locator("#id_username").fill("moderator")
    page.locator("#id_password").fill("not-the-password")
    page.locator("#id_password").press("Enter")
    expect(page.get_by_test_id("signin-error")).to_be_visible()
    return page


@state("attend", "question list and an open poll")
def _attend(tour, story):
    page = tour.open("attend", "/e/SFH2022/?mode=online", **PHONE)
    expect(page.get_by_test_id("question")).to_have_count(3)
    card = page.locator(f'[data-testid="poll"][data-poll="{story.open_poll.pk}"]')
    expect(card.get_by_test_id("poll-option")).to_have_count(3)
    return page


@state("attend", "poll answered, results shown")
def _attend_results(tour, story):
    page = tour.pages["attend"]
    card = page.locator(f'[data-testid="poll"][data-poll="{story.open_poll.pk}"]')
    card.get_by_test_id("poll-option").first.click()
    poll_services.poll_set_results_visible(
        event_id=story.event.pk, poll_id=story.open_poll.pk, visible=True, actor="moderator"
    )
    expect(card.get_by_test_id("poll-results")).to_be_visible()
    return page


@state("attend", "offline")
def _attend_offline(tour, story):
    page = tour.pages["attend"]
    page.context.set_offline(True)
    expect(page.locator('[data-testid="connection"].offline')).to_be_visible()
    return page


def console_tab(tab: str):
    def reach(tour, story):
        page = tour.open("console", "/e/SFH2022/moderate/?key={moderator}", **DESKTOP)
        page.get_by_test_id(f"qa-tab-{tab}").click()
        expect(page.get_by_test_id(f"qa-tab-{tab}")).to_have_attribute("aria-selected", "true")
        return page

    return reach


for _tab in ("queue", "approved", "answered", "archived"):
    state("console", f"{_tab} tab")(console_tab(_tab))


@state("console", "poll builder")
def _console_builder(tour, story):
    page = tour.pages["console"]
    page.get_by_test_id("poll-new").click()
    expect(page.get_by_test_id("poll-builder")).to_be_visible()
    return page


@state("stage", "highlighted question")
def _stage(tour, story):
    page = tour.open("stage", "/e/SFH2022/stage/?key={speaker}", **PROJECTOR)
    expect(page.get_by_test_id("highlighted-question")).to_be_visible()
    return page


@state("screen", "highlighted question")
def _screen(tour, story):
    page = tour.open("screen", "/e/SFH2022/screen/?key={screen}", **PROJECTOR)
    expect(page.get_by_test_id("highlighted-question")).to_be_visible()
    return page


@state("screen", "poll results")
def _screen_results(tour, story):
    page = tour.pages["screen"]
    poll_services.poll_set_on_screen(
        event_id=story.event.pk, poll_id=story.open_poll.pk, on_screen=True, actor="moderator"
    )
    expect(page.get_by_test_id("screen-poll").get_by_test_id("poll-results")).to_be_visible()
    return page


@state("stage", "poll results")
def _stage_results(tour, story):
    page = tour.pages["stage"]
    expect(page.get_by_test_id("screen-poll").get_by_test_id("poll-results")).to_be_visible()
    return page


@state("report", "charts and tables")
def _report(tour, story):
    page = tour.open("report", "/e/SFH2022/report/?key={moderator}", live=False, **DESKTOP)
    expect(page.locator('[data-chart="joined"] svg[viewBox]')).to_be_visible()
    return page


def organiser_page(path: str, heading: str):
    def reach(tour, story):
        if "organiser" not in tour.pages:
            organiser_create(username="olivia", password=ORGANISER_PASSWORD, event_codes=["SFH2022"])
            store_password("olivia", ORGANISER_PASSWORD)
            page = tour.open("organiser", "/accounts/login/?next=/organise/", live=False, **DESKTOP)
            page.locator("#id_username").fill("olivia")
            page.locator("#id_password").fill(ORGANISER_PASSWORD)
            page.locator("#id_password").press("Enter")
            page.wait_for_url(f"{tour.base}/organise/")
        page = tour.pages["organiser"]
        page.goto(f"{tour.base}{path}")
        expect(page.locator(f'nav a[href="{path}"]')).to_have_attribute("aria-current", "page")
        return page

    return reach


for _path, _name in (("/organise/SFH2022/", "settings"), ("/organise/SFH2022/sessions/", "sessions")):
    state("organiser", _name)(organiser_page(_path, _name))


def tell_story(event, session, join, ask) -> Story:
    """Questions in every moderation state, one highlighted, and an open three-option poll."""
    story = Story(event=event, session=session)
    session_set_status(event_id=event.pk, session_id=session.pk, status="live")
    moves = {
        "queued": [],
        "published": ["approve"],
        "highlighted": ["approve", "highlight"],
        "answered": ["approve", "answer"],
        "archived": ["archive"],
    }
    for name, actions in moves.items():
        question = ask(join(name="Ana Peeters" if name == "highlighted" else None), text=f"A {name} question?")
        for action in actions:
            question = qa_services.question_moderate(
                event_id=event.pk, question_id=question.pk, action=action, actor="moderator", role="moderator"
            )
        story.questions[name] = question
    qa_services.question_moderate(
        event_id=event.pk,
        question_id=ask(join(), text="Buy my book!").pk,
        action="reject",
        actor="moderator",
        role="moderator",
        reason="off_topic",
    )
    for number in range(8):  # the queue scrolls
        ask(join(), text=f"Queued question number {number}: will the price of gene therapy come down? " * 3)
    seed_demo_polls(event)
    story.open_poll = poll_services.poll_create(
        event_id=event.pk,
        actor="moderator",
        session_id=session.pk,
        kind="single",
        prompt="Who should pay for one-shot gene therapies?",
        options=["National payers", "A European fund", "The manufacturers"],
    )
    poll_services.poll_open(event_id=event.pk, poll_id=story.open_poll.pk, actor="moderator")
    return story


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_in_every_state_has_no_wcag_violation(
    server, browser, console, screenshot, event, roundtable, join, ask, language
):
    source = axe_source()
    story = tell_story(event, roundtable, join, ask)
    keys = {role: role_key_make(event=event, role=role, hours=1) for role in ("moderator", "speaker", "screen")}
    tour = Tour(browser=browser, base=server.http, language=language, watch=console.watch, keys=keys)
    found = {}
    for (name, state_name), reach in STATES.items():
        page = reach(tour, story)
        if not page.evaluate("typeof axe !== 'undefined'"):
            page.evaluate(source)
        violations = page.evaluate(RUN_AXE, WCAG_22_AA)
        screenshot(page, f"a11y-{name}-{state_name.replace(' ', '-').replace(',', '')}-{language}")
        if violations:
            found[f"{name} · {state_name} · {language}"] = violations
    for page in tour.pages.values():
        page.context.close()
    assert found == {}, json.dumps(found, indent=2, ensure_ascii=False)


# Every change of each live region's text, as the accessibility tree gets it.
RECORD_LIVE_REGIONS = """(regions) => {
  window.said = {};
  for (const [name, selector] of Object.entries(regions)) {
    const region = document.querySelector(selector);
    window.said[name] = [];
    new MutationObserver(() => window.said[name].push(region.textContent.trim()))
      .observe(region, { childList: true, subtree: true, characterData: true });
  }
}"""
LIVE_REGIONS = {
    "poll": '[data-testid="poll-announcement"]',
    "question": '[data-testid="ask-feedback"]',
    "connection": '[data-testid="connection-announcement"]',
    "badge": '[data-testid="connection"]',
}


def test_a_screen_reader_hears_a_new_poll_its_question_published_and_the_connection_once(
    server, browser, console, event, roundtable, join
):
    session_set_status(event_id=event.pk, session_id=roundtable.pk, status="live")
    context = browser.new_context(**PHONE)
    page = console.watch(context.new_page(), "attend")
    page.goto(f"{server.http}/e/SFH2022/?mode=online")
    connected(page)
    page.evaluate(RECORD_LIVE_REGIONS, LIVE_REGIONS)
    said = lambda: page.evaluate("window.said")  # noqa: E731

    # My question: sent, then published; votes on it re-render the page but say nothing.
    page.get_by_test_id("ask-text").fill("Will the fund cover rare diseases too?")
    page.get_by_test_id("ask-submit").click()
    expect(page.get_by_test_id("ask-confirmation")).to_have_text("Sent — awaiting moderation.")
    question = roundtable.questions.get()
    qa_services.question_moderate(
        event_id=event.pk, question_id=question.pk, action="approve", actor="moderator", role="moderator"
    )
    expect(page.get_by_test_id("ask-confirmation")).to_have_text("Sent — your question is published.")
    for _ in range(3):
        qa_services.question_vote(participant_id=join().pk, event_id=event.pk, question_id=question.pk, up=True)
    expect(page.get_by_test_id("votes")).to_have_text("3")

    # A poll opens, and answers come in: the poll is said once.
    poll = poll_services.poll_create(
        event_id=event.pk,
        actor="moderator",
        session_id=roundtable.pk,
        kind="single",
        prompt="Should the fund be European?",
        options=["Yes", "No"],
    )
    poll_services.poll_open(event_id=event.pk, poll_id=poll.pk, actor="moderator")
    poll_services.poll_set_results_visible(event_id=event.pk, poll_id=poll.pk, visible=True, actor="moderator")
    first = poll.options.order_by("order").first()
    for _ in range(3):
        poll_services.poll_respond(participant_id=join().pk, event_id=event.pk, poll_id=poll.pk, options=[first.pk])
    expect(page.get_by_test_id("poll").get_by_test_id("poll-count").first).to_have_text("3")

    # The network goes, the socket is refused a while (the badge counts down), then it comes back.
    refused = [True]
    page.route_web_socket(re.compile(r"/ws/"), lambda ws: ws.close(code=1011) if refused[0] else ws.connect_to_server())
    context.set_offline(True)
    expect(page.locator('[data-testid="connection"].offline')).to_be_visible()
    context.set_offline(False)
    expect(page.locator('[data-testid="connection"].reconnecting')).to_be_visible()
    page.wait_for_function("() => window.said.badge.length >= 4")  # offline, connecting, reconnecting, a tick
    refused[0] = False
    connected(page)

    heard = said()
    assert heard["poll"] == ["New poll: Should the fund be European?"]
    assert heard["question"] == ["Sent — awaiting moderation.", "Sent — your question is published."]
    assert heard["connection"] == ["Connection lost. Your page updates again once it is back.", "Connected again."]
    assert len(heard["badge"]) >= 5, "the badge did not change while disconnected"
    context.close()


# Computed transitions and animations of the poll's bars and of the word cloud's words.
MOTION = """() => [...document.querySelectorAll('[data-testid="poll-bar"] .part, .cloud li')].map((element) => {
  const style = getComputedStyle(element);
  return [style.transitionProperty, style.transitionDuration, style.animationName];
})"""


@pytest.mark.parametrize("motion", ["no-preference", "reduce"])
def test_reduced_motion_stops_the_bars_and_the_word_cloud(server, browser, console, event, roundtable, join, motion):
    session_set_status(event_id=event.pk, session_id=roundtable.pk, status="live")
    polls = {}
    for kind, options in (("single", ["Yes", "No"]), ("wordcloud", None)):
        poll = poll_services.poll_create(
            event_id=event.pk, actor="moderator", session_id=roundtable.pk, kind=kind, prompt=kind, options=options
        )
        poll_services.poll_open(event_id=event.pk, poll_id=poll.pk, actor="moderator")
        answer = {"text": "annuities outcome"} if kind == "wordcloud" else {"options": [poll.options.first().pk]}
        poll_services.poll_respond(participant_id=join().pk, event_id=event.pk, poll_id=poll.pk, **answer)
        poll_services.poll_set_results_visible(event_id=event.pk, poll_id=poll.pk, visible=True, actor="moderator")
        poll_services.poll_close(event_id=event.pk, poll_id=poll.pk, actor="moderator")
        polls[kind] = poll
    context = browser.new_context(reduced_motion=motion, **PHONE)
    page = console.watch(context.new_page(), "attend")
    page.goto(f"{server.http}/e/SFH2022/?mode=room")
    connected(page)
    expect(page.locator('[data-testid="poll-bar"] .part').first).to_be_attached()
    expect(page.locator(".cloud li").first).to_be_attached()
    moving = [style for style in page.evaluate(MOTION) if style[0] != "none" and style[1] != "0s"]
    animated = [style for style in page.evaluate(MOTION) if style[2] != "none"]
    if motion == "reduce":
        assert moving == [] and animated == []
    else:
        assert moving, "the bars no longer grow: the reduced case proves nothing"
    context.close()


# Wider than the viewport: the page scrolls sideways. Both the document and the body are asked.
SIDEWAYS = """() => [document.documentElement, document.body]
  .filter((element) => element.scrollWidth > element.clientWidth)
  .map((element) => `${element.tagName} ${element.scrollWidth} > ${element.clientWidth}`)"""


def test_pages_reflow_at_320_px_and_at_200_percent_zoom(
    server, browser, console, screenshot, event, roundtable, join, ask
):
    """WCAG 1.4.10: 1280 px at 400 % is 320 CSS px wide; at 200 % it is 640."""
    story = tell_story(event, roundtable, join, ask)
    key = role_key_make(event=event, role="moderator", hours=1)
    pages = {
        "landing": "/",
        "login": "/accounts/login/",
        "statement": "/accessibility/",
        "attend": "/e/SFH2022/?mode=online",
        "console": f"/e/SFH2022/moderate/?key={key}",
    }
    wide = {}
    for width in (320, 640):
        context = browser.new_context(viewport={"width": width, "height": 800})
        for name, path in pages.items():
            page = console.watch(context.new_page(), name)
            page.goto(f"{server.http}{path}")
            if name in ("attend", "console"):
                connected(page)
                expect(page.get_by_test_id("question").first).to_be_visible()
            if name == "console":
                page.get_by_test_id("poll-new").click()
                expect(page.get_by_test_id("poll-builder")).to_be_visible()
            screenshot(page, f"a11y-reflow-{name}-{width}")
            if found := page.evaluate(SIDEWAYS):
                wide[f"{name} at {width}"] = found
        context.close()
    assert story.open_poll and wide == {}


# The focused element: whether it is the one sought, whether its focus shows (an outline of 2 px
# or more, as base.css draws it), and whether anything (a sticky header) covers it.
FOCUSED = """(selector) => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  const shown = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
  const box = element.getBoundingClientRect();
  const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
  const covered = box.width > 0 && (!hit || !(element === hit || element.contains(hit) || hit.contains(element)));
  const text = element.textContent.trim().slice(0, 30);
  const name = `${element.tagName.toLowerCase()}[${element.dataset.testid ?? ""}] ${text}`;
  return { found: element.matches(selector), shown, covered, name };
}"""


class Keyboard:
    """Moves focus with Tab alone and remembers every stop whose focus did not show or was covered."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.unseen: list[str] = []

    def tab_to(self, selector: str, limit: int = 120, back: bool = False) -> None:
        for _ in range(limit):
            self.page.keyboard.press("Shift+Tab" if back else "Tab")
            stop = self.page.evaluate(FOCUSED, selector)
            if not stop["shown"] or stop["covered"]:
                self.unseen.append(f"{stop['name']}: {'covered' if stop['covered'] else 'no visible focus'}")
            if stop["found"]:
                return
        pytest.fail(f"{selector} was not reached in {limit} presses of Tab")


def test_the_attend_page_and_the_console_work_with_the_keyboard_alone(
    server, browser, console, event, roundtable, join, ask
):
    story = tell_story(event, roundtable, join, ask)
    page = console.watch(browser.new_context(**DESKTOP).new_page(), "attend")
    page.goto(f"{server.http}/e/SFH2022/?mode=online")
    connected(page)
    keys = Keyboard(page)

    # Answer the poll, ask a question, vote for another: in the page's order, by Tab and Enter.
    keys.tab_to(f'[data-poll="{story.open_poll.pk}"] [data-testid="poll-option"]')
    page.keyboard.press("Enter")
    card = page.locator(f'[data-testid="poll"][data-poll="{story.open_poll.pk}"]')
    expect(card.get_by_test_id("poll-option").first).to_have_attribute("aria-pressed", "true")
    keys.tab_to('[data-testid="ask-text"]')
    page.keyboard.type("Asked without a mouse: who pays?")
    keys.tab_to('[data-testid="ask-submit"]')
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("ask-confirmation")).to_have_text("Sent — awaiting moderation.")
    keys.tab_to('[data-testid="vote"]')
    page.keyboard.press("Space")
    expect(page.get_by_test_id("vote").first).to_have_attribute("aria-pressed", "true")

    # The console: publish the asked question, highlight it, open a poll.
    key = role_key_make(event=event, role="moderator", hours=1)
    moderator = console.watch(browser.new_context(**DESKTOP).new_page(), "console")
    moderator.goto(f"{server.http}/e/SFH2022/moderate/?key={key}")
    connected(moderator)
    mine = roundtable.questions.get(text="Asked without a mouse: who pays?")
    desk = Keyboard(moderator)
    desk.tab_to(f'[data-cell="{mine.pk}"] [data-action="approve"]')
    moderator.keyboard.press("Enter")
    expect(moderator.get_by_test_id("qa-message")).to_contain_text("Published")
    desk.tab_to('[data-testid="qa-tab-queue"]', back=True)
    moderator.keyboard.press("ArrowRight")
    expect(moderator.get_by_test_id("qa-tab-approved")).to_have_attribute("aria-selected", "true")
    desk.tab_to(f'[data-cell="{mine.pk}"] [data-action="highlight"]')
    moderator.keyboard.press("Enter")
    expect(moderator.get_by_test_id("qa-message")).to_contain_text("Highlighted")
    draft = roundtable.polls.filter(state="draft").order_by("pk").first()
    desk.tab_to(f'[data-testid="poll-admin"][data-poll="{draft.pk}"] [data-action="open"]', limit=200)
    moderator.keyboard.press("Enter")
    expect(moderator.locator(f'[data-testid="poll-admin"][data-poll="{draft.pk}"]')).to_have_attribute(
        "data-state", "open"
    )
    expect(page.get_by_test_id("ask-confirmation")).to_have_text("Sent — your question is published.")
    assert keys.unseen == [] and desk.unseen == []


# Every visible text node's computed font size, smallest first.
SMALL_TEXT = """(floor) => {
  const small = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.data.trim()) continue;
    const element = node.parentElement;
    if (element.closest("script, style, template, noscript, .visually-hidden")) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const box = range.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || getComputedStyle(element).visibility === "hidden") continue;
    const size = parseFloat(getComputedStyle(element).fontSize);
    const where = `${element.tagName}.${element.className}`;
    if (size < floor) small.push(`${Math.round(size * 10) / 10}px ${where} “${node.data.trim().slice(0, 40)}”`);
  }
  return small;
}"""


def test_no_text_on_the_projector_is_under_28_px_at_1080p(
    server, browser, console, screenshot, event, roundtable, join, ask
):
    """Read from 10 m: at 1920 by 1080 every visible text of the screen page is 28 px or more, with a
    highlighted question and with a poll of ten options of 120 characters."""
    from tests.e2e.test_fit import answered_poll

    story = tell_story(event, roundtable, join, ask)
    key = role_key_make(event=event, role="screen", hours=1)
    page = console.watch(browser.new_context(**PROJECTOR).new_page(), "screen")
    page.goto(f"{server.http}/e/SFH2022/screen/?key={key}")
    connected(page)
    expect(page.get_by_test_id("highlighted-question")).to_contain_text(story.questions["highlighted"].text)
    small = {"highlighted question": page.evaluate(SMALL_TEXT, 28)}
    screenshot(page, "a11y-screen-highlighted-1920")
    poll_services.poll_close(event_id=event.pk, poll_id=story.open_poll.pk, actor="moderator")
    poll = answered_poll(event, roundtable, join, "single")
    expect(
        page.locator(f'[data-testid="screen-poll"][data-poll="{poll.pk}"] [data-testid="poll-results"]')
    ).to_be_visible()
    page.wait_for_function("() => document.documentElement.scrollHeight <= innerHeight")
    small["ten long options"] = page.evaluate(SMALL_TEXT, 28)
    screenshot(page, "a11y-screen-ten-options-1920")
    assert small == {"highlighted question": [], "ten long options": []}, json.dumps(small, indent=1)
