"""Q&A end to end: ask on a phone, approve with the keyboard, upvote, stage and screen follow."""

import re

import pytest
from playwright.sync_api import expect

from qa.models import Question
from sessions.rolelinks import role_key_make
from sessions.services import session_set_status

pytestmark = pytest.mark.e2e

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
TEXT = "Could outcome-based payments make one-shot therapies affordable?"


def test_ask_approve_upvote_highlight_across_all_pages(open_page, screenshot, event, roundtable):
    session_set_status(event_id=event.pk, session_id=roundtable.pk, status="live")
    keys = {role: role_key_make(event=event, role=role, hours=1) for role in ("moderator", "speaker", "screen")}

    moderator = open_page(
        "moderate", f"/e/SFH2022/moderate/?key={keys['moderator']}", viewport={"width": 1400, "height": 1000}
    )
    stage = open_page("stage", f"/e/SFH2022/stage/?key={keys['speaker']}", viewport={"width": 1600, "height": 900})
    screen = open_page("screen", f"/e/SFH2022/screen/?key={keys['screen']}", viewport={"width": 1920, "height": 1080})
    asker = open_page("attend-asker", "/e/SFH2022/?mode=room", **PHONE)
    voter = open_page("attend-voter", "/e/SFH2022/?mode=online", **PHONE)

    # An attendee asks; they see it awaiting moderation, the other attendee does not see it at all.
    asker.get_by_test_id("ask-text").fill(TEXT)
    expect(asker.get_by_text(f"{len(TEXT)}/500")).to_be_visible()
    asker.get_by_test_id("ask-submit").click()
    mine = asker.get_by_test_id("question").filter(has_text=TEXT)
    expect(mine).to_contain_text("Awaiting moderation")
    question = Question.objects.get(text=TEXT)
    expect(voter.get_by_test_id("question").filter(has_text=TEXT)).to_have_count(0)

    # The moderator approves it with the keyboard alone.
    queued = moderator.get_by_test_id("qa-queue").locator(f'[data-cell="{question.pk}"]')
    expect(queued).to_be_visible()
    queued.focus()
    moderator.keyboard.press("a")
    expect(moderator.get_by_test_id("qa-queue").locator(f'[data-cell="{question.pk}"]')).to_have_count(0)

    # A second attendee upvotes it; the stage shows it with one vote within 2 s.
    card = voter.locator(f'[data-testid="question"][data-question="{question.pk}"]')
    expect(card).to_be_visible(timeout=2000)
    card.get_by_test_id("vote").click()
    expect(card.get_by_test_id("votes")).to_have_text("1")
    on_stage = stage.locator(f'[data-question="{question.pk}"]')
    expect(on_stage).to_contain_text(TEXT, timeout=2000)
    expect(on_stage.get_by_test_id("votes")).to_have_text("1", timeout=2000)
    screenshot(voter, "qa-attend")

    # The moderator highlights it (keyboard) and the projector shows it big.
    moderator.get_by_role("tab", name=re.compile(r"^Published")).click()
    moderator_card = moderator.get_by_test_id("qa-approved").locator(f'[data-cell="{question.pk}"]')
    moderator_card.focus()
    moderator.keyboard.press("h")
    expect(screen.get_by_test_id("highlighted-question")).to_contain_text(TEXT, timeout=2000)
    expect(stage.get_by_test_id("highlighted-question")).to_contain_text(TEXT, timeout=2000)
    screenshot(moderator, "qa-moderate")
    screenshot(stage, "qa-stage")
    screenshot(screen, "qa-screen")
    expect(mine).not_to_contain_text("Awaiting moderation")
    screenshot(asker, "qa-attend-asker")


def test_hostile_question_text_is_shown_as_text(server, browser, console, event, roundtable, join, approved):
    hostile = '<img src=x onerror="window.__pwned=1"> <b>bold?</b> ‮RTL‬ 🧬'
    session_set_status(event_id=event.pk, session_id=roundtable.pk, status="live")
    question = approved(join(), hostile)
    context = browser.new_context(**PHONE)
    page = console.watch(context.new_page(), "attend-hostile")
    page.goto(f"{server.http}/e/SFH2022/?mode=online")
    card = page.locator(f'[data-testid="question"][data-question="{question.pk}"]')
    expect(card).to_contain_text('<img src=x onerror="window.__pwned=1">')
    assert card.locator("img, b").count() == 0
    assert page.evaluate("window.__pwned") is None
    context.close()


def test_an_attendee_purged_while_connected_joins_again_and_can_ask(open_page, event, roundtable):
    """`purge_event` during the congress: the next command is refused, the page joins afresh, the
    one after works."""
    from sessions.models import Participant

    session_set_status(event_id=event.pk, session_id=roundtable.pk, status="live")
    page = open_page("attend-purged", "/e/SFH2022/?mode=online", **PHONE)
    Participant.objects.filter(event=event).delete()
    page.get_by_test_id("ask-text").fill("Is anyone still listening?")
    page.get_by_test_id("ask-submit").click()
    expect(page.get_by_text("join again")).to_be_visible()
    expect(page.get_by_test_id("connection")).to_have_text("Connected")
    for _ in range(50):
        if Participant.objects.filter(event=event).exists():
            break
        page.wait_for_timeout(100)
    assert Participant.objects.filter(event=event).count() == 1, "the page joined again"
    page.get_by_test_id("ask-text").fill("Is anyone still listening?")
    page.get_by_test_id("ask-submit").click()
    expect(page.get_by_test_id("question").filter(has_text="Is anyone still listening?")).to_contain_text(
        "Awaiting moderation"
    )
