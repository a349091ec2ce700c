"""The installable attend app: installed from its manifest, it opens offline with its last state,
and a question asked offline survives a reload and reaches the moderators once."""

import pytest
from playwright.sync_api import expect

from livehub.realtime.models import CommandReceipt
from qa.models import Question
from sessions.services import session_set_status

pytestmark = pytest.mark.e2e

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
TEXT = "Will the offline question reach the panel exactly once?"
QUEUED_REFS = """() => new Promise((resolve, reject) => {
  const open = indexedDB.open("livehub-queue");
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const read = open.result.transaction("commands").objectStore("commands").getAll();
    read.onsuccess = () => resolve(read.result.map((command) => command.ref));
  };
})"""


def test_offline_a_question_survives_a_reload_and_arrives_once_when_back_online(
    open_page, screenshot, event, roundtable
):
    session_set_status(event_id=event.pk, session_id=roundtable.pk, status="live")
    page = open_page("attend-offline", "/e/SFH2022/?mode=online", **PHONE)
    context = page.context

    # Installable: its manifest opens this event's attend page, with icons the browser can load.
    manifest = page.evaluate("fetch(document.querySelector('link[rel=manifest]').href).then((r) => r.json())")
    opens = (manifest["start_url"], manifest["scope"], manifest["display"])
    assert opens == ("/e/SFH2022/", "/e/SFH2022/", "standalone")
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}
    for icon in manifest["icons"]:
        assert page.evaluate("(src) => fetch(src).then((r) => r.status)", icon["src"]) == 200
    # The service worker keeps the page and its assets; the page keeps its last state.
    expect(page.locator("html")).to_have_attribute("data-offline", "ready")
    page.wait_for_function("() => Object.keys(localStorage).some((key) => key.endsWith(':state'))")

    context.set_offline(True)
    expect(page.get_by_test_id("connection")).to_contain_text("Offline")
    page.get_by_test_id("ask-text").fill(TEXT)
    page.get_by_test_id("ask-submit").click()
    expect(page.get_by_test_id("unsent")).to_contain_text("1 action is saved on this device")
    [ref] = page.evaluate(QUEUED_REFS)
    type(event).objects.filter(pk=event.pk).update(name="Renamed while the phone was offline")

    # Reloaded without a network: the service worker serves the page it kept (not the server's
    # new copy), which shows the programme as it last was and still holds the question.
    response = page.reload()
    assert response is not None and response.from_service_worker
    assert "Renamed" not in page.evaluate("document.getElementById('livehub-bootstrap').textContent")
    expect(page.get_by_test_id("connection")).to_contain_text("Offline")
    expect(page.get_by_test_id("current-session")).to_contain_text(roundtable.title)
    expect(page.get_by_test_id("unsent")).to_contain_text("1 action is saved on this device")
    screenshot(page, "attend-offline-reloaded-phone")
    page.set_viewport_size({"width": 1440, "height": 900})
    screenshot(page, "attend-offline-reloaded-desktop")
    page.set_viewport_size(PHONE["viewport"])
    assert not Question.objects.filter(text=TEXT).exists()

    context.set_offline(False)
    expect(page.get_by_test_id("connection")).to_have_text("Connected")
    expect(page.get_by_test_id("unsent")).to_be_hidden()
    expect(page.get_by_test_id("questions")).to_contain_text(TEXT)  # its author sees it, awaiting moderation
    assert Question.objects.filter(text=TEXT).count() == 1
    assert list(CommandReceipt.objects.filter(type="question.ask").values_list("ref", flat=True)) == [ref]
    assert page.evaluate(QUEUED_REFS) == []

    # Another reload, online: nothing is sent twice.
    page.reload()
    expect(page.get_by_test_id("connection")).to_have_text("Connected")
    expect(page.get_by_test_id("questions")).to_contain_text(TEXT)
    assert Question.objects.filter(text=TEXT).count() == 1


def test_a_question_kept_offline_that_its_session_refuses_is_given_back_to_ask_again(
    open_page, screenshot, event, roundtable
):
    session_set_status(event_id=event.pk, session_id=roundtable.pk, status="live")
    page = open_page("attend-refused", "/e/SFH2022/?mode=online", **PHONE)
    expect(page.locator("html")).to_have_attribute("data-offline", "ready")
    page.wait_for_function("() => Object.keys(localStorage).some((key) => key.endsWith(':state'))")
    page.context.set_offline(True)
    expect(page.get_by_test_id("connection")).to_contain_text("Offline")
    page.get_by_test_id("ask-text").fill(TEXT)
    page.get_by_test_id("ask-submit").click()
    expect(page.get_by_test_id("unsent")).to_contain_text("1 action is saved on this device")
    page.reload()
    expect(page.get_by_test_id("unsent")).to_contain_text("1 action is saved on this device")

    # While the phone is away the roundtable ends and the debate begins: the kept question is refused.
    debate = event.sessions.get(kind="debate")
    session_set_status(event_id=event.pk, session_id=roundtable.pk, status="ended")
    session_set_status(event_id=event.pk, session_id=debate.pk, status="live")
    page.context.set_offline(False)
    refused = page.get_by_test_id("refused-kept")
    expect(refused).to_contain_text(TEXT)
    expect(refused).to_contain_text("has ended")
    screenshot(page, "attend-kept-question-refused-phone")
    assert not Question.objects.filter(text=TEXT).exists()

    refused.get_by_test_id("ask-again").click()
    expect(refused).to_be_hidden()
    expect(page.get_by_test_id("questions")).to_contain_text(TEXT)
    assert list(Question.objects.filter(text=TEXT).values_list("session_id", flat=True)) == [debate.pk]
