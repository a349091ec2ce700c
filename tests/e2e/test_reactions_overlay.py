"""Reactions and the livestream overlay in Chromium: two attendees (in the room and online) react,
the projector lets a burst rise and the stage's totals become exact; the overlay shows the
highlighted question, then the on-screen poll's results, on a transparent page."""

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from polls import services as poll_services
from qa import services as qa_services
from sessions.rolelinks import role_key_make
from sessions.services import participant_join, session_set_status
from tests.e2e.conftest import SCREENSHOTS

pytestmark = pytest.mark.e2e

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
FULL_HD = {"viewport": {"width": 1920, "height": 1080}}
QUESTION = "How will smaller hospitals afford the first outcome-based contracts without a regional fund?"
TRANSPARENT = "rgba(0, 0, 0, 0)"
# For the screenshot only: the overlay over a checkered picture, as OBS would show it over video.
CHECKERED = (
    "html { background: repeating-conic-gradient(#3b4252 0% 25%, #9aa3b5 0% 50%) 50% / 120px 120px !important; }"
)


def rising(page) -> None:
    """Waits for an emoji of the burst to be well in view (they fade in, rise and fade out)."""
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="reaction-burst"] .float')]
                  .some((one) => Number(getComputedStyle(one).opacity) > 0.6)"""
    )


def totals(page) -> dict[str, str]:
    tally = page.get_by_test_id("reaction-totals")
    return {kind: tally.locator(f'[data-kind="{kind}"]') for kind in ("applause", "like", "love", "laugh", "think")}


def backgrounds(page) -> list[str]:
    return page.evaluate(
        "() => [document.documentElement, document.body].map((node) => getComputedStyle(node).backgroundColor)"
    )


def highlighted(event, session):
    """Ana's question, approved and highlighted by a moderator."""
    ana, _token = participant_join(event=event, name="Ana Peeters", mode="room")
    question = qa_services.question_ask(
        participant_id=ana.pk, event_id=event.pk, session_id=session.pk, text=QUESTION, anonymous=False
    )
    for action in ("approve", "highlight"):
        qa_services.question_moderate(
            event_id=event.pk, question_id=question.pk, action=action, actor="moderator", role="moderator"
        )
    return question


def over_checkers(page, name: str) -> None:
    """A screenshot of the overlay over a checkered picture; the page is transparent again after."""
    style = page.add_style_tag(content=CHECKERED)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
    style.evaluate("(node) => node.remove()")


def test_reactions_burst_on_the_screen_and_add_up_on_the_stage(open_page, screenshot, event, roundtable):
    session_set_status(event_id=event.pk, session_id=roundtable.pk, status="live")
    keys = {role: role_key_make(event=event, role=role, hours=1) for role in ("screen", "speaker")}
    screen = open_page("screen", f"/e/SFH2022/screen/?key={keys['screen']}", **FULL_HD)
    still = open_page("screen-still", f"/e/SFH2022/screen/?key={keys['screen']}", reduced_motion="reduce", **FULL_HD)
    stage = open_page("stage", f"/e/SFH2022/stage/?key={keys['speaker']}", **FULL_HD)
    room = open_page("attend-room", "/e/SFH2022/?mode=room", **PHONE)
    online = open_page("attend-online", "/e/SFH2022/?mode=online", **PHONE)

    # Nobody reacted yet: the stage's totals are all 0 and nothing rises.
    for cell in totals(stage).values():
        expect(cell).to_have_attribute("aria-label", re.compile(r": 0$"))
    expect(screen.get_by_test_id("reaction-burst")).to_have_attribute("data-floating", "0")

    # Five buttons with names; each tap is sent at once (two each: the allowance of a second).
    bar = room.get_by_role("group", name="React")
    expect(bar.get_by_role("button")).to_have_count(5)
    room.get_by_role("button", name="Applause").click()
    room.get_by_role("button", name="Love").click()
    online.get_by_role("button", name="Applause").click()
    online.get_by_role("button", name="Laugh").click()

    # The projector lets a burst rise; the stage's totals become exact.
    rising(screen)
    cells = totals(stage)
    expect(cells["applause"]).to_have_attribute("aria-label", "Applause: 2")
    expect(cells["love"]).to_have_attribute("aria-label", "Love: 1")
    expect(cells["laugh"]).to_have_attribute("aria-label", "Laugh: 1")
    expect(cells["like"]).to_have_attribute("aria-label", "Like: 0")
    expect(cells["think"]).to_have_attribute("aria-label", "Thought-provoking: 0")
    screenshot(screen, "reactions-screen-1920")
    # Asked for less motion, the projector floats nothing and shows the totals instead.
    expect(totals(still)["applause"]).to_have_attribute("aria-label", "Applause: 2")
    expect(still.get_by_test_id("reaction-burst")).to_have_attribute("data-floating", "0")
    screenshot(still, "reactions-screen-still-1920")
    room.screenshot(path=str(SCREENSHOTS / "reactions-attend-390.png"))
    # Targets a thumb can hit on a 390 px phone.
    for button in bar.get_by_role("button").all():
        box = button.bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44

    # A third attendee, on a smaller projector: the burst again, and the totals follow.
    screen.set_viewport_size({"width": 1280, "height": 720})
    third = open_page("attend-third", "/e/SFH2022/?mode=room", **PHONE)
    third.get_by_role("button", name="Like").click()
    third.get_by_role("button", name="Thought-provoking").click()
    rising(screen)
    expect(cells["like"]).to_have_attribute("aria-label", "Like: 1")
    expect(cells["think"]).to_have_attribute("aria-label", "Thought-provoking: 1")
    screenshot(screen, "reactions-screen-1280")
    screenshot(stage, "reactions-stage-1920")
    stage.set_viewport_size({"width": 1280, "height": 720})
    screenshot(stage, "reactions-stage-1280")

    # Tapping faster than two a second gets a polite word, nothing worse (the socket stays open).
    third.evaluate(
        "() => { const like = document.querySelector('[data-kind=like]'); for (let i = 0; i < 8; i++) like.click(); }"
    )
    expect(third.get_by_test_id("reaction-message")).to_have_text(
        "A little slower, please: your next reaction in a moment."
    )
    expect(third.get_by_test_id("connection")).to_have_text("Connected")

    # Offline, the bar waits: reactions are of the moment, never kept for later.
    third.context.set_offline(True)
    expect(third.get_by_role("button", name="Like")).to_be_disabled()
    expect(third.get_by_test_id("reaction-message")).to_contain_text("Reactions are live only")
    third.context.set_offline(False)
    expect(third.get_by_role("button", name="Like")).to_be_enabled()


def test_the_overlay_shows_the_highlighted_question_then_the_polls_results(open_page, screenshot, event, roundtable):
    session_set_status(event_id=event.pk, session_id=roundtable.pk, status="live")
    key = role_key_make(event=event, role="screen", hours=1)
    overlay = open_page("overlay", f"/e/SFH2022/overlay/?key={key}", **FULL_HD)

    # Nothing to show: an empty, fully transparent page.
    expect(overlay.get_by_test_id("overlay")).to_have_attribute("data-showing", "none")
    assert backgrounds(overlay) == [TRANSPARENT, TRANSPARENT]

    # A moderator highlights a named attendee's question: the lower third shows it with the name.
    question = highlighted(event, roundtable)
    shown = overlay.get_by_test_id("overlay-question")
    expect(shown).to_contain_text(QUESTION)
    expect(shown.get_by_test_id("overlay-author")).to_have_text("Ana Peeters")
    assert backgrounds(overlay) == [TRANSPARENT, TRANSPARENT]
    over_checkers(overlay, "overlay-question-1920")

    # A poll on screen, its results not shown yet: the question stays.
    poll = poll_services.poll_create(
        event_id=event.pk,
        actor="moderator",
        kind="single",
        prompt="Who should pay for outcome-based contracts?",
        session_id=roundtable.pk,
        options=["The payers", "The hospitals", "Both, shared"],
    )
    poll_services.poll_open(event_id=event.pk, poll_id=poll.pk, actor="moderator")
    poll_services.poll_set_on_screen(event_id=event.pk, poll_id=poll.pk, on_screen=True, actor="moderator")
    options = list(poll.options.order_by("order").values_list("pk", flat=True))
    for choice, mode in ((0, "room"), (2, "room"), (2, "online"), (2, "online")):
        voter, _token = participant_join(event=event, name=None, mode=mode)
        poll_services.poll_respond(
            participant_id=voter.pk, event_id=event.pk, poll_id=poll.pk, options=[options[choice]]
        )
    expect(overlay.get_by_test_id("overlay")).to_have_attribute("data-showing", "question")

    # Results shown: the overlay turns to them, as bars with their shares.
    poll_services.poll_set_results_visible(event_id=event.pk, poll_id=poll.pk, visible=True, actor="moderator")
    results = overlay.get_by_test_id("overlay-poll")
    expect(results.get_by_test_id("overlay-total")).to_have_text("4 answers")
    expect(results.locator(f'[data-option="{options[0]}"]')).to_contain_text("25%")
    expect(results.locator(f'[data-option="{options[1]}"]')).to_contain_text("0%")
    expect(results.locator(f'[data-option="{options[2]}"]')).to_contain_text("75%")
    expect(overlay.get_by_test_id("overlay-question")).to_have_count(0)
    assert backgrounds(overlay) == [TRANSPARENT, TRANSPARENT]
    over_checkers(overlay, "overlay-poll-1920")

    # Off screen again: the lower third goes back to the question, then to nothing.
    poll_services.poll_set_on_screen(event_id=event.pk, poll_id=poll.pk, on_screen=False, actor="moderator")
    expect(overlay.get_by_test_id("overlay-question")).to_contain_text(QUESTION)
    qa_services.question_moderate(
        event_id=event.pk, question_id=question.pk, action="unhighlight", actor="moderator", role="moderator"
    )
    expect(overlay.get_by_test_id("overlay")).to_have_attribute("data-showing", "none")


# The stream producer's own page, with the overlay in a frame over its video. It is served from
# `localhost`, another site than the server's 127.0.0.1 (both loopback: Chromium lets a public page
# frame nothing on loopback, whatever the framed page allows).
PRODUCER_PAGE = """<!doctype html><html lang="en"><head><title>Stream mix</title>
<style>body {{ margin: 0; background: #223; }}
iframe {{ display: block; border: 0; width: 100vw; height: 100vh; }}</style></head>
<body><iframe title="LiveHub overlay" src="{src}"></iframe></body></html>"""


@pytest.fixture
def producer(browser, console):
    """Opens the producer's page framing `src` (a real HTTP server of its own, on localhost)."""
    pages: dict[str, bytes] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pages["mix"]
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    site = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=site.serve_forever, daemon=True).start()

    def open_(src: str, viewport: dict):
        pages["mix"] = PRODUCER_PAGE.format(src=src).encode()
        page = console.watch(browser.new_context(**viewport).new_page(), "producer")
        page.goto(f"http://localhost:{site.server_address[1]}/mix")
        return page

    yield open_
    site.shutdown()
    site.server_close()


@pytest.mark.parametrize("viewport", [FULL_HD, {"viewport": {"width": 1280, "height": 720}}], ids=["1920", "1280"])
def test_a_page_of_another_origin_frames_the_overlay(server, producer, screenshot, event, roundtable, viewport):
    session_set_status(event_id=event.pk, session_id=roundtable.pk, status="live")
    highlighted(event, roundtable)
    key = role_key_make(event=event, role="screen", hours=1)
    page = producer(f"{server.http}/e/SFH2022/overlay/?key={key}", viewport)
    overlay = page.frame_locator("iframe")
    expect(overlay.get_by_test_id("overlay-question")).to_contain_text(QUESTION)
    expect(overlay.get_by_test_id("overlay-author")).to_have_text("Ana Peeters")
    screenshot(page, f"overlay-framed-{viewport['viewport']['width']}")


def test_a_producers_frame_shows_why_a_bad_link_opens_nothing(server, producer, console, event):
    page = producer(f"{server.http}/e/SFH2022/overlay/?key=forged", FULL_HD)
    # The refusal is a page of words inside the frame, not a browser's blocked-frame error.
    expect(page.frame_locator("iframe").get_by_text("This role link is not valid")).to_be_visible()
    # Its 403 is the one error the browser reports.
    refused = [error for error in console.errors if "status of 403" in error]
    assert len(refused) == 1 == len(console.errors)
    console.errors.clear()
