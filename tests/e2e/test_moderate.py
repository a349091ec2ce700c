"""The moderator console: keys that stay in the Questions panel, the current session as it is,
and a layout that holds on a phone and a wide screen."""

import pytest
from playwright.sync_api import expect

from polls import services as poll_services
from qa.models import ModerationAction, Question
from sessions.models import Event, Session
from sessions.rolelinks import role_key_make
from sessions.services import session_set_status

pytestmark = pytest.mark.e2e

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 1}
DESKTOP = {"viewport": {"width": 1440, "height": 900}}


@pytest.fixture
def console_page(open_page, event):
    key = role_key_make(event=event, role="moderator", hours=1)
    return lambda **context: open_page("moderate", f"/e/SFH2022/moderate/?key={key}", **context)


def active(page, attribute):
    return page.evaluate(f"document.activeElement.getAttribute({attribute!r})")


def test_question_keys_act_only_in_the_questions_panel_and_only_where_they_apply(
    console_page, screenshot, event, roundtable, join, ask
):
    first = ask(join(), text="Who pays for one-shot gene therapies in the end?")
    second = ask(join(), text="How do outcome-based contracts work in practice?")
    page = console_page(**DESKTOP)
    queue = page.get_by_test_id("qa-tab-queue")
    expect(queue).to_contain_text("2")

    # Letters typed on a session's or a poll's button are not for the selected question.
    page.locator(f'li[data-session="{roundtable.pk}"]').get_by_role("button", name="Go live").focus()
    page.keyboard.press("a")
    page.get_by_test_id("poll-new").focus()
    page.keyboard.press("r")
    page.wait_for_timeout(500)
    expect(queue).to_contain_text("2")
    assert {q.state for q in Question.objects.filter(pk__in=[first.pk, second.pk])} == {"pending"}

    # The skip link, first on the page, lands on the selected question.
    page.reload()
    expect(page.get_by_test_id("connection")).to_have_text("Connected")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to questions")).to_be_focused()
    page.keyboard.press("Enter")
    assert active(page, "data-cell") == str(first.pk)

    # A key that does not apply to the question's state says so, in words.
    page.keyboard.press("h")
    expect(page.get_by_test_id("qa-message")).to_have_text("Highlight applies to published questions.")
    assert Question.objects.get(pk=first.pk).highlighted is False

    # Approving the whole queue keeps focus in the panel: on the next question, then on the tab.
    page.keyboard.press("a")
    expect(page.get_by_test_id("qa-queue").locator(f'[data-cell="{first.pk}"]')).to_have_count(0)
    expect(page.locator(f'[data-cell="{second.pk}"]')).to_be_focused()
    page.keyboard.press("a")
    expect(page.get_by_test_id("qa-queue")).to_contain_text("The queue is empty.")
    expect(queue).to_be_focused()

    page.keyboard.press("ArrowRight")
    expect(page.get_by_test_id("qa-tab-approved")).to_be_focused()
    page.keyboard.press("j")
    expect(page.get_by_test_id("qa-approved").locator("[data-cell]").first).to_be_focused()
    focused = int(active(page, "data-cell"))
    page.keyboard.press("a")
    expect(page.get_by_test_id("qa-message")).to_have_text("Publish applies to questions in the queue.")
    page.keyboard.press("h")
    expect(page.get_by_test_id("qa-message")).to_contain_text("Highlighted:")
    assert Question.objects.get(pk=focused).highlighted is True
    screenshot(page, "moderate-keys")


def test_unset_current_says_no_session_is_current_and_what_the_room_still_sees(
    console_page, screenshot, event, roundtable
):
    session_set_status(event_id=event.pk, session_id=roundtable.pk, status="live")
    page = console_page(**DESKTOP)
    card = page.get_by_test_id("current-session")
    row = page.locator(f'li[data-session="{roundtable.pk}"]')
    expect(card).to_contain_text(roundtable.title)

    row.get_by_role("button", name="Unset current").click()
    expect(card).to_contain_text("No current session is set.")
    expect(card).to_contain_text(f"show “{roundtable.title}” while it is live")
    expect(row.get_by_role("button", name="Set current")).to_be_visible()
    expect(page.locator("li.session.is-current")).to_have_count(0)
    assert Event.objects.get(pk=event.pk).current_session_id is None
    toast = page.locator("main > .toast")
    expect(toast).to_have_text(f"Unset current: {roundtable.title}")
    screenshot(page, "moderate-no-current")

    # The line gives way after a while.
    expect(toast).to_have_text("", timeout=10_000)

    row.get_by_role("button", name="Set current").click()
    expect(card).not_to_contain_text("No current session")
    expect(row.get_by_role("button", name="Unset current")).to_be_visible()


@pytest.mark.parametrize("context", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_new_poll_form_fits_the_screen_and_says_what_is_missing(console_page, screenshot, context):
    page = console_page(**context)
    page.get_by_test_id("poll-new").click()
    builder = page.get_by_test_id("poll-builder")
    expect(builder).to_be_visible()
    # The session select holds long titles: it must not push the console sideways.
    width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1], width

    expect(page.get_by_test_id("poll-save")).to_be_disabled()
    missing = page.get_by_test_id("poll-missing")
    expect(missing).to_contain_text("Question:")
    expect(missing).to_contain_text("Options: Every option needs")
    page.get_by_test_id("poll-prompt").fill("Who should pay?")
    inputs = page.get_by_test_id("poll-option-input")
    inputs.nth(0).fill("Payers")
    inputs.nth(1).fill("Industry")
    expect(missing).to_have_count(0)
    expect(page.get_by_test_id("poll-save")).to_be_enabled()

    # Typed text is not bold like its label; "Add option" is a button, not a bar.
    assert page.get_by_test_id("poll-prompt").evaluate("(el) => getComputedStyle(el).fontWeight") == "400"
    add = page.get_by_test_id("poll-add-option").bounding_box()
    assert add["width"] < builder.bounding_box()["width"] / 2
    screenshot(page, f"moderate-new-poll-{context['viewport']['width']}")


def test_current_session_card_never_covers_the_sessions_under_the_header(console_page, event, roundtable):
    session_set_status(event_id=event.pk, session_id=roundtable.pk, status="live")

    def boxes(page):
        page.evaluate("window.scrollTo(0, 1500)")
        page.wait_for_timeout(200)
        return page.evaluate(
            """() => [document.querySelector('header.top'), document.querySelector('[data-testid=current-session]')]
                 .map((element) => element.getBoundingClientRect().toJSON())"""
        )

    # On a phone the card scrolls away with the page (header and card would take a third of it).
    header, card = boxes(console_page(**PHONE))
    assert card["bottom"] <= header["bottom"]
    # On a wide screen it stays in view, just under the header, whatever the header's height.
    header, card = boxes(console_page(viewport={"width": 1280, "height": 800}))
    assert abs(card["top"] - header["bottom"]) < 1.5, (header, card)


def test_the_console_offers_only_what_the_server_will_do_and_logs_in_words(
    console_page, event, roundtable, join, approved
):
    from polls import services as polls
    from qa import services as qa

    target = approved(join(), "Who pays for one-shot gene therapies?")
    duplicate = approved(join(), "Who pays for one-shot gene therapy?")
    qa.question_merge(event_id=event.pk, question_id=duplicate.pk, into_id=target.pk, actor="Mo")
    draft = polls.poll_create(
        event_id=event.pk, actor="Mo", kind="multiple", prompt="Which fund?", options=["EU", "State", "Industry"],
        session_id=roundtable.pk, max_choices=2,
    )  # fmt: skip
    before = polls.poll_create(event_id=event.pk, actor="Mo", kind="stance", prompt="Belgium hub?", phase="before")
    after = polls.poll_create(
        event_id=event.pk, actor="Mo", kind="stance", prompt="Belgium hub?", phase="after", stance_pair_id=before.pk
    )
    page = console_page(**DESKTOP)

    # A merged question cannot come back (its votes moved): no Restore to click and fail.
    page.get_by_test_id("qa-tab-archived").click()
    merged = page.locator(f'[data-cell="{duplicate.pk}"]')
    expect(merged).to_be_visible()
    expect(merged.locator('[data-action="restore"]')).to_have_count(0)

    # The log says what happened in words.
    page.get_by_test_id("auto-approve").click()
    expect(page.get_by_test_id("audit-log")).to_contain_text("turned auto-publish on")

    # Emptying "at most" in a draft clears it; flipping a paired stance draft's phase unpairs it.
    page.get_by_test_id("poll-filter").select_option("all")
    for poll, change in [(draft, "max"), (after, "phase")]:
        page.locator(f'[data-testid="poll-admin"][data-poll="{poll.pk}"]').get_by_role("button", name="Edit").click()
        builder = page.get_by_test_id("poll-builder")
        if change == "max":
            builder.get_by_test_id("poll-max").fill("")
        else:
            builder.get_by_label("before the debate").check()
        builder.get_by_test_id("poll-save").click()
        expect(page.get_by_test_id("poll-builder")).to_have_count(0)
    draft.refresh_from_db()
    after.refresh_from_db()
    assert draft.max_choices is None
    assert (after.phase, after.stance_pair_id) == ("before", None)


# --- one live session per room, and what the console asks first --------------------------------


def session_row(page, session):
    return page.locator(f'li[data-session="{session.pk}"]')


@pytest.mark.parametrize("context", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_going_live_where_another_session_is_live_asks_first_and_says_what_it_ended(
    console_page, screenshot, event, roundtable, context
):
    session_set_status(event_id=event.pk, session_id=roundtable.pk, status="live")
    debate = event.sessions.get(kind="debate")
    page = console_page(**context)
    row = session_row(page, debate)

    row.get_by_role("button", name="Go live").click()
    confirm = row.get_by_test_id("confirm-status")
    expect(confirm).to_contain_text(f"“{roundtable.title}” is live in Room 1; going live ends it.")
    expect(confirm.get_by_role("button", name=f"Go live and end “{roundtable.title}”")).to_be_focused()
    screenshot(page, f"moderate-confirm-go-live-{context['viewport']['width']}")
    confirm.get_by_role("button", name="Cancel").click()
    expect(confirm).to_have_count(0)
    assert Session.objects.get(pk=debate.pk).status == "scheduled"

    row.get_by_role("button", name="Go live").click()
    row.get_by_role("button", name=f"Go live and end “{roundtable.title}”").click()
    expect(page.locator("main > .toast")).to_have_text(f"Go live: {debate.title}. Ended: {roundtable.title}")
    expect(row.locator("[data-status]")).to_have_attribute("data-status", "live")
    expect(session_row(page, roundtable).locator("[data-status]")).to_have_attribute("data-status", "ended")
    assert dict(event.sessions.filter(pk__in=[debate.pk, roundtable.pk]).values_list("pk", "status")) == {
        debate.pk: "live",
        roundtable.pk: "ended",
    }


def test_end_asks_for_confirmation_and_breaks_offer_no_go_live(console_page, event, roundtable):
    session_set_status(event_id=event.pk, session_id=roundtable.pk, status="live")
    page = console_page(**DESKTOP)
    row = session_row(page, roundtable)
    row.get_by_role("button", name="End").click()
    confirm = row.get_by_test_id("confirm-status")
    expect(confirm).to_contain_text(f"End “{roundtable.title}”?")
    page.keyboard.press("Escape")
    expect(confirm).to_have_count(0)
    assert Session.objects.get(pk=roundtable.pk).status == "live"
    row.get_by_role("button", name="End").click()
    row.get_by_role("button", name="End session").click()
    expect(row.locator("[data-status]")).to_have_attribute("data-status", "ended")

    for coffee in event.sessions.filter(kind="break"):
        expect(session_row(page, coffee).get_by_role("button", name="Go live")).to_have_count(0)
        expect(session_row(page, coffee).get_by_role("button", name="Set current")).to_be_visible()


# --- what the moderator sees is what is on screen ---------------------------------------------


def test_the_filters_follow_the_current_session_and_a_highlight_elsewhere_says_it_is_not_on_screen(
    console_page, screenshot, event, roundtable, join, ask, approved
):
    keynote = event.sessions.filter(kind="talk").order_by("order").exclude(title="Welcome").first()
    session_set_status(event_id=event.pk, session_id=roundtable.pk, status="live")
    here = ask(join(), text="Who pays for the first patients in Belgium?")
    elsewhere = approved(join(), "How long does the vision gain last after the injection?")
    elsewhere = Question.objects.get(pk=elsewhere.pk)
    Question.objects.filter(pk=elsewhere.pk).update(session=keynote)
    page = console_page(**DESKTOP)

    expect(page.get_by_test_id("qa-session-filter")).to_have_value(str(roundtable.pk))
    expect(page.get_by_test_id("poll-filter")).to_have_value(str(roundtable.pk))
    expect(page.get_by_test_id("qa-queue").locator("[data-cell]")).to_have_count(1)
    expect(page.locator(f'[data-cell="{here.pk}"]')).to_be_visible()

    page.get_by_test_id("qa-session-filter").select_option("all")
    page.get_by_test_id("qa-tab-approved").click()
    cell = page.locator(f'[data-cell="{elsewhere.pk}"]')
    cell.focus()
    page.keyboard.press("h")
    message = page.get_by_test_id("qa-message")
    expect(message).to_contain_text("Highlighted:")
    expect(message).to_contain_text(f"It is not on screen: “{keynote.title}” is not the current session")
    expect(message).to_contain_text(f"the screen shows “{roundtable.title}”")
    screenshot(page, "moderate-highlight-elsewhere")


def test_the_merge_picker_starts_on_the_suggested_duplicate(console_page, event, roundtable, join, ask, approved):
    session_set_status(event_id=event.pk, session_id=roundtable.pk, status="live")
    approved(join(), "What is the price of a gene therapy for children?")
    original = approved(join(), "Who pays for one-shot gene therapies in the end?")
    duplicate = ask(join(), text="Who pays for one-shot gene therapies at the end?")
    page = console_page(**DESKTOP)
    cell = page.locator(f'[data-cell="{duplicate.pk}"]')
    expect(cell.get_by_test_id("similar")).to_contain_text(original.text)
    cell.focus()
    page.keyboard.press("m")
    targets = page.get_by_test_id("qa-merge-targets")
    expect(targets.locator(f'[data-cell="{original.pk}"]')).to_be_focused()
    expect(targets.locator(f'[data-cell="{original.pk}"]').get_by_test_id("merge-suggested")).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("qa-message")).to_contain_text("Merged")
    assert Question.objects.get(pk=duplicate.pk).merged_into_id == original.pk


def test_a_rejection_reason_reaches_its_author_in_words(open_page, console_page, screenshot, event, roundtable, join):
    session_set_status(event_id=event.pk, session_id=roundtable.pk, status="live")
    phone = open_page("attend", "/e/SFH2022/?mode=room", **PHONE)
    phone.get_by_test_id("ask-text").fill("Was this not covered in the keynote already?")
    phone.get_by_test_id("ask-submit").click()
    expect(phone.get_by_test_id("ask-confirmation")).to_have_text("Sent — awaiting moderation.")
    question = Question.objects.get(text="Was this not covered in the keynote already?")

    page = console_page(**DESKTOP)
    cell = page.locator(f'[data-cell="{question.pk}"]')
    cell.focus()
    page.keyboard.press("r")
    reasons = cell.get_by_test_id("reject-reasons")
    expect(reasons.get_by_role("button", name="No reason")).to_be_focused()
    screenshot(page, "moderate-reject-reasons")
    reasons.get_by_role("button", name="Already answered").click()
    expect(page.get_by_test_id("qa-message")).to_contain_text("Rejected (already answered)")
    expect(page.get_by_test_id("audit-log")).to_contain_text("rejected (already answered)")
    assert Question.objects.get(pk=question.pk).rejection_reason == "already_answered"

    mine = phone.locator(f'[data-testid="question"][data-question="{question.pk}"]')
    expect(mine.get_by_test_id("rejection-reason")).to_have_text(
        "A moderator did not publish it. It has already been answered."
    )
    expect(mine.get_by_test_id("question-state")).to_have_text("Rejected")
    screenshot(phone, "attend-rejected-with-reason")


def test_the_log_names_the_phase_of_a_debate_poll(console_page, event):
    before = poll_services.poll_create(
        event_id=event.pk, actor="Mo", kind="stance", prompt="Belgium can become the hub", phase="before"
    )
    after = poll_services.poll_create(
        event_id=event.pk, actor="Mo", kind="stance", prompt="Belgium can become the hub", phase="after",
        stance_pair_id=before.pk,
    )  # fmt: skip
    for poll in (before, after):
        poll_services.poll_open(event_id=event.pk, poll_id=poll.pk, actor="Mo")
        poll_services.poll_close(event_id=event.pk, poll_id=poll.pk, actor="Mo")
    page = console_page(**DESKTOP)
    log = page.get_by_test_id("audit-log")
    for phase in ("before", "after"):
        for verb in ("opened", "closed"):
            expect(log).to_contain_text(f"{verb} the {phase}-the-debate poll “Belgium can become the hub”")
    expect(log).not_to_contain_text("opened the poll")


# --- the keyboard ------------------------------------------------------------------------------


def test_tab_reaches_the_questions_before_the_sessions_and_the_log_scrolls_by_keyboard(
    console_page, screenshot, event, roundtable, join, ask
):
    session_set_status(event_id=event.pk, session_id=roundtable.pk, status="live")
    question = ask(join(), text="Who pays for one-shot gene therapies in the end?")
    for number in range(40):  # a log long enough to scroll
        ModerationAction.objects.create(event=event, actor="Mo", action="poll_create", detail={"text": f"{number}"})
    page = console_page(**DESKTOP)
    expect(page.locator(f'[data-cell="{question.pk}"]')).to_be_visible()

    # Without the skip link: Tab after Tab, the question comes before any session's button.
    page.locator("body").focus()
    reached = None
    for _ in range(15):
        page.keyboard.press("Tab")
        reached = page.evaluate(
            """() => document.activeElement.closest('[data-cell]') ? 'question'
                 : document.activeElement.closest('.sessions') ? 'session' : null"""
        )
        if reached:
            break
    assert reached == "question"

    # The log's scrolling region is a named stop in the Tab order (axe: scrollable-region-focusable).
    region = page.get_by_test_id("audit-scroll")
    assert region.evaluate("(e) => e.scrollHeight > e.clientHeight"), "the log should scroll here"
    expect(region).to_have_attribute("tabindex", "0")
    expect(region).to_have_attribute("role", "region")
    expect(page.get_by_role("region", name="Log entries")).to_have_count(1)
    region.focus()
    page.keyboard.press("PageDown")
    page.wait_for_function("() => document.querySelector('[data-testid=audit-scroll]').scrollTop > 0")
    screenshot(page, "moderate-1440")
