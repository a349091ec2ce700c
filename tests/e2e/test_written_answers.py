"""Written answers end to end: the console or the stage answers an online question, its author and
the rest of the audience read it under the question; edited, then taken back, everyone follows."""

import re

import pytest
from playwright.sync_api import expect

from qa import services as qa_services
from qa.models import Question
from sessions.rolelinks import role_key_make
from sessions.services import session_set_status
from tests.e2e.conftest import SCREENSHOTS

pytestmark = pytest.mark.e2e

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
TEXT = "Will the outcome-based contracts be published, so that other hospitals can reuse them?"
ANSWER = (
    "Yes: the Belgian contracts are public since 2023 (inami.fgov.be). The Dutch ones follow this spring; "
    "we will put both links on the congress page."
)
EDITED = "Yes: the Belgian contracts are public (inami.fgov.be); the Dutch ones follow in April."


def test_a_moderator_answers_in_writing_edits_and_takes_it_back(open_page, screenshot, event, roundtable):
    session_set_status(event_id=event.pk, session_id=roundtable.pk, status="live")
    keys = {role: role_key_make(event=event, role=role, hours=1) for role in ("moderator", "speaker")}
    console = open_page(
        "moderate", f"/e/SFH2022/moderate/?key={keys['moderator']}", viewport={"width": 1440, "height": 900}
    )
    stage = open_page("stage", f"/e/SFH2022/stage/?key={keys['speaker']}", viewport={"width": 1920, "height": 1080})
    asker = open_page("attend-asker", "/e/SFH2022/?mode=online", **PHONE)
    reader = open_page("attend-reader", "/e/SFH2022/?mode=room", **PHONE)

    # An online attendee asks; the question is published, nobody takes it live.
    asker.get_by_test_id("ask-text").fill(TEXT)
    asker.get_by_test_id("ask-submit").click()
    expect(asker.get_by_test_id("question").filter(has_text=TEXT)).to_contain_text("Awaiting moderation")
    question = Question.objects.get(text=TEXT)
    qa_services.question_moderate(
        event_id=event.pk, question_id=question.pk, action="approve", actor="moderator", role="moderator"
    )
    cards = {
        name: page.locator(f'[data-testid="question"][data-question="{question.pk}"]')
        for name, page in (("asker", asker), ("reader", reader))
    }
    expect(cards["reader"]).to_be_visible()
    on_stage = stage.locator(f'[data-question="{question.pk}"]')
    expect(on_stage).to_contain_text(TEXT)
    # The speaker's stage offers a written answer too (test_a_speaker_answers_in_writing_from_the_stage).
    expect(on_stage.locator('[data-action="answer-in-writing"]')).to_have_count(1)

    # The moderator writes the answer on the console (Enter saves).
    console.get_by_role("tab", name=re.compile(r"^Published")).click()
    moderated = console.get_by_test_id("qa-approved").locator(f'[data-cell="{question.pk}"]')
    moderated.get_by_role("button", name="Answer in writing").click()
    editor = moderated.get_by_label("Answer in writing")
    expect(editor).to_be_focused()
    editor.fill(ANSWER)
    editor.press("Enter")
    expect(console.get_by_text(re.compile(r"^Answered in writing: “Will the outcome-based"))).to_be_visible()
    expect(moderated.get_by_test_id("written-answer")).to_contain_text(ANSWER)

    # Its author is told and reads it under the question; the other attendee and the stage too.
    expect(asker.get_by_test_id("answer-announcement")).to_have_text(
        re.compile(r"^Your question “Will the outcome-based.*” was answered in writing\.$")
    )
    for card in cards.values():
        expect(card.get_by_test_id("written-answer")).to_contain_text("Answered in writing")
        expect(card.get_by_test_id("written-answer")).to_contain_text(ANSWER)
    expect(on_stage.get_by_test_id("written-answer")).to_contain_text(ANSWER)
    # A written answer does not take the question off the floor: it may still be taken live.
    expect(cards["reader"].get_by_test_id("vote")).to_be_enabled()
    screenshot(asker, "written-answer-attend-390")
    # What the phone shows: the answer under the question, in one screenful.
    cards["asker"].scroll_into_view_if_needed()
    asker.screenshot(path=str(SCREENSHOTS / "written-answer-attend-390-viewport.png"))
    screenshot(reader, "written-answer-attend-reader-390")
    screenshot(console, "written-answer-moderate-1440")
    console.screenshot(path=str(SCREENSHOTS / "written-answer-moderate-1440-viewport.png"))
    screenshot(stage, "written-answer-stage-1920")
    stage.set_viewport_size({"width": 1280, "height": 720})
    screenshot(stage, "written-answer-stage-1280")

    # Edited: the editor opens on the answer; everyone reads the new text.
    moderated.get_by_role("button", name="Change the written answer").click()
    expect(editor).to_have_value(ANSWER)
    editor.fill(EDITED)
    editor.press("Enter")
    for card in (*cards.values(), on_stage, moderated):
        expect(card.get_by_test_id("written-answer")).to_contain_text(EDITED)
        expect(card.get_by_test_id("written-answer")).not_to_contain_text("congress page")

    # Taken back (saved empty): gone everywhere, the question stays published.
    moderated.get_by_role("button", name="Change the written answer").click()
    editor.fill("")
    editor.press("Enter")
    expect(console.get_by_text(re.compile(r"^Written answer taken back: “Will the outcome-based"))).to_be_visible()
    for card in (*cards.values(), on_stage, moderated):
        expect(card.get_by_test_id("written-answer")).to_have_count(0)
    expect(cards["asker"]).to_contain_text(TEXT)
    expect(moderated.get_by_role("button", name="Answer in writing")).to_be_visible()
    question.refresh_from_db()
    assert question.state == "approved"
    assert not question.answer_text


SPEAKER_ANSWER = "The contracts are public: inami.fgov.be, under “outcome-based agreements”."


def test_a_speaker_answers_in_writing_from_the_stage(open_page, event, roundtable, join):
    session_set_status(event_id=event.pk, session_id=roundtable.pk, status="live")
    author = join("Ana")
    question = qa_services.question_ask(
        participant_id=author.pk, event_id=event.pk, session_id=roundtable.pk, text=TEXT, anonymous=False
    )
    qa_services.question_moderate(
        event_id=event.pk, question_id=question.pk, action="approve", actor="moderator", role="moderator"
    )
    key = role_key_make(event=event, role="speaker", hours=1)
    stage = open_page("stage", f"/e/SFH2022/stage/?key={key}", viewport={"width": 1920, "height": 1080})
    reader = open_page("attend-reader", "/e/SFH2022/?mode=online", **PHONE)
    on_stage = stage.locator(f'[data-question="{question.pk}"]')
    card = reader.locator(f'[data-testid="question"][data-question="{question.pk}"]')
    expect(card).to_be_visible()

    # By keyboard only: the button takes Enter, the editor opens focused, Enter saves.
    button = on_stage.get_by_role("button", name="Answer in writing")
    button.focus()
    stage.keyboard.press("Enter")
    editor = on_stage.get_by_label("Answer in writing")
    expect(editor).to_be_focused()
    stage.keyboard.type(SPEAKER_ANSWER)
    stage.screenshot(path=str(SCREENSHOTS / "stage-answer-editor-1920x1080.png"))
    stage.set_viewport_size({"width": 1280, "height": 720})
    editor.scroll_into_view_if_needed()
    stage.screenshot(path=str(SCREENSHOTS / "stage-answer-editor-1280x720.png"))
    for width, height in [(1920, 1080), (1280, 720)]:
        stage.set_viewport_size({"width": width, "height": height})
        box = editor.bounding_box()
        assert box["height"] >= 90 and box["x"] + box["width"] <= width, (width, box)
        size = float(editor.evaluate("node => parseFloat(getComputedStyle(node).fontSize)"))
        assert size >= 18, size
    stage.keyboard.press("Enter")

    expect(card.get_by_test_id("written-answer")).to_contain_text("Answered in writing by the speaker")
    expect(card.get_by_test_id("written-answer")).to_contain_text(SPEAKER_ANSWER)
    expect(on_stage.get_by_test_id("written-answer")).to_contain_text(SPEAKER_ANSWER)
    # The focus is back on the button, which now changes the answer.
    changing = on_stage.get_by_role("button", name="Change the written answer")
    expect(changing).to_be_focused()
    stage.screenshot(path=str(SCREENSHOTS / "stage-answered-1280x720.png"))
    stage.set_viewport_size({"width": 1920, "height": 1080})
    stage.screenshot(path=str(SCREENSHOTS / "stage-answered-1920x1080.png"))

    # Escape closes the editor unsaved; saved empty, the answer is taken back everywhere.
    stage.keyboard.press("Enter")
    expect(editor).to_have_value(SPEAKER_ANSWER)
    stage.keyboard.press("Escape")
    expect(editor).to_have_count(0)
    expect(changing).to_be_focused()
    stage.keyboard.press("Enter")
    editor.fill("")
    stage.keyboard.press("Enter")
    expect(card.get_by_test_id("written-answer")).to_have_count(0)
    expect(on_stage.get_by_test_id("written-answer")).to_have_count(0)
    expect(on_stage.get_by_role("button", name="Answer in writing")).to_be_visible()
    question.refresh_from_db()
    assert (question.state, question.answer_text) == ("approved", "")
