"""The attend page's own states: a question refused after an offline wait is given back, the
room/online chooser, ended sessions read only, and the small things a phone shows."""

import pytest
from playwright.sync_api import expect

from polls import services as poll_services
from polls.demo import seed_demo_polls
from polls.models import Poll
from qa.models import Question
from sessions.models import Participant
from sessions.rolelinks import role_key_make
from sessions.services import session_set_status

pytestmark = pytest.mark.e2e

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
DESKTOP = {"viewport": {"width": 1440, "height": 900}}
SIZES = pytest.mark.parametrize("size", ["phone", "desktop"])
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}
TEXT = "Who pays when a one-shot therapy fails after five years?"


def next_talk(event):
    return event.sessions.get(title="Gene therapy for neurological disorders")


def ask_offline(page, text=TEXT):
    page.context.set_offline(True)
    expect(page.get_by_test_id("connection")).to_contain_text("Offline")
    page.get_by_test_id("ask-text").fill(text)
    page.get_by_test_id("ask-submit").click()
    expect(page.get_by_test_id("ask-waiting")).to_be_visible()


@SIZES
def test_a_question_its_session_refused_after_an_offline_wait_is_given_back_and_sent_on_in_one_tap(
    open_page, screenshot, event, roundtable, size
):
    session_set_status(event_id=event.pk, session_id=roundtable.pk, status="live")
    page = open_page(f"attend-refused-{size}", "/e/SFH2022/?mode=room", **VIEWPORTS[size])
    ask_offline(page)

    # While the phone is offline the roundtable ends and the next talk goes live (and current).
    session_set_status(event_id=event.pk, session_id=roundtable.pk, status="ended")
    talk = next_talk(event)
    session_set_status(event_id=event.pk, session_id=talk.pk, status="live")
    page.context.set_offline(False)

    # The server refused it: the text is back, with the reason, and one tap sends it to the talk.
    expect(page.get_by_test_id("ask-error")).to_contain_text(f"“{roundtable.title}” has ended")
    expect(page.get_by_test_id("ask-text")).to_have_value(TEXT)
    send = page.get_by_test_id("ask-submit")
    expect(send).to_have_text(f"Send it to “{talk.title}”")
    screenshot(page, f"attend-refused-given-back-{size}")
    assert not Question.objects.filter(text=TEXT).exists()

    send.click()
    expect(page.get_by_test_id("ask-confirmation")).to_have_text("Sent — awaiting moderation.")
    expect(page.get_by_test_id("ask-text")).to_have_value("")
    assert Question.objects.get(text=TEXT).session_id == talk.pk


def test_a_refused_question_stays_in_the_box_while_no_session_takes_questions(open_page, screenshot, event, roundtable):
    session_set_status(event_id=event.pk, session_id=roundtable.pk, status="live")
    page = open_page("attend-refused-nowhere", "/e/SFH2022/?mode=room", **PHONE)
    ask_offline(page)
    # It ends and stays the current session: nothing else is on.
    session_set_status(event_id=event.pk, session_id=roundtable.pk, status="ended")
    page.context.set_offline(False)

    expect(page.get_by_test_id("ask-error")).to_contain_text("has ended")
    expect(page.get_by_test_id("session-ended")).to_be_visible()
    expect(page.get_by_test_id("ask-text")).to_have_value(TEXT)
    expect(page.get_by_test_id("ask-kept")).to_be_visible()
    expect(page.get_by_test_id("ask-submit")).to_have_count(0)

    # As soon as a session goes live, the same text goes there in one tap.
    talk = next_talk(event)
    session_set_status(event_id=event.pk, session_id=talk.pk, status="live")
    page.get_by_test_id("ask-submit").click()
    expect(page.get_by_test_id("ask-confirmation")).to_be_visible()
    assert Question.objects.get(text=TEXT).session_id == talk.pk


def test_a_question_sent_after_the_current_session_changed_says_where_it_went(open_page, event, roundtable):
    from sessions.services import session_set_current

    session_set_status(event_id=event.pk, session_id=roundtable.pk, status="live")
    page = open_page("attend-moved-on", "/e/SFH2022/?mode=room", **PHONE)
    ask_offline(page)
    # The roundtable still takes questions, but the programme has moved on to the next talk.
    talk = next_talk(event)
    session_set_current(event_id=event.pk, session_id=talk.pk)
    page.context.set_offline(False)

    expect(page.get_by_test_id("ask-confirmation")).to_have_text(f"Sent to “{roundtable.title}” — awaiting moderation.")
    assert Question.objects.get(text=TEXT).session_id == roundtable.pk


@SIZES
def test_a_first_visit_without_a_mode_asks_room_or_online_and_remembers_it(
    server, browser, console, screenshot, event, size
):
    context = browser.new_context(**VIEWPORTS[size])
    page = console.watch(context.new_page(), f"attend-chooser-{size}")
    page.goto(f"{server.http}/e/SFH2022/")
    chooser = page.get_by_test_id("mode-chooser")
    expect(chooser).to_contain_text("In the room or following online?")
    expect(page.get_by_test_id("connection")).to_have_count(0)
    expect(page.get_by_test_id("you")).to_be_hidden()
    screenshot(page, f"attend-mode-chooser-{size}")
    assert not Participant.objects.exists(), "nobody is counted before they say where they are"

    page.get_by_test_id("choose-room").click()
    expect(page.get_by_test_id("connection")).to_have_text("Connected")
    expect(page.get_by_test_id("you-mode")).to_have_text("· In the room")
    expect(chooser).to_have_count(0)
    participant = Participant.objects.get()
    assert participant.mode == "room"

    # Remembered on this device: no question on the next visit, the same participant.
    page.reload()
    expect(page.get_by_test_id("connection")).to_have_text("Connected")
    expect(page.get_by_test_id("mode-chooser")).to_have_count(0)
    assert Participant.objects.count() == 1

    # Changeable later from the page; the server counts the new mode.
    page.get_by_role("button", name="Change").click()
    page.get_by_label("Online").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("you-mode")).to_have_text("· Following online")
    participant.refresh_from_db()
    assert participant.mode == "online"
    context.close()


def test_a_link_with_a_mode_skips_the_question_and_joins_with_it(server, browser, console, event):
    context = browser.new_context(**PHONE)
    page = console.watch(context.new_page(), "attend-online-link")
    page.goto(f"{server.http}/e/SFH2022/?mode=online")
    expect(page.get_by_test_id("connection")).to_have_text("Connected")
    expect(page.get_by_test_id("mode-chooser")).to_have_count(0)
    assert Participant.objects.get().mode == "online"
    # The room's QR code later: the same phone is now counted in the room.
    page.goto(f"{server.http}/e/SFH2022/?mode=room")
    expect(page.get_by_test_id("you-mode")).to_have_text("· In the room")
    assert Participant.objects.get().mode == "room"
    context.close()


@pytest.mark.parametrize("width,height", [(1920, 1080), (1280, 720)])
def test_the_address_printed_under_the_qr_code_counts_its_typist_in_the_room(
    server, browser, console, screenshot, event, width, height
):
    key = role_key_make(event=event, role="screen", hours=1)
    context = browser.new_context(viewport={"width": width, "height": height})
    screen = console.watch(context.new_page(), "screen")
    screen.goto(f"{server.http}/e/SFH2022/screen/?key={key}")
    printed = screen.locator(".join-url")
    expect(printed).to_have_text(f"{server.http.split('://', 1)[1]}/e/SFH2022/?mode=room")
    box = printed.bounding_box()
    assert box["x"] + box["width"] <= width and box["y"] + box["height"] <= height, "the address runs off the screen"
    screenshot(screen, f"screen-join-address-{width}x{height}")
    context.close()


def debate_played_through(event, join):
    """The debate, ended: both stance polls answered, closed and shown (the swing), one question."""
    seed_demo_polls(event)
    debate = event.sessions.get(kind="debate")
    before = Poll.objects.get(session=debate, phase="before")
    after = Poll.objects.get(session=debate, phase="after")
    people = [join(mode="room"), join(mode="online"), join(mode="room")]
    # Positions before and after: two of three move towards "agree".
    moves = [(1, 0), (2, 0), (0, 0)]
    for poll, phase in ((before, 0), (after, 1)):
        poll_services.poll_open(event_id=event.pk, poll_id=poll.pk, actor="moderator")
        options = list(poll.options.order_by("order").values_list("pk", flat=True))
        for person, move in zip(people, moves, strict=True):
            poll_services.poll_respond(
                participant_id=person.pk, event_id=event.pk, poll_id=poll.pk, options=[options[move[phase]]]
            )
        poll_services.poll_close(event_id=event.pk, poll_id=poll.pk, actor="moderator")
        poll_services.poll_set_results_visible(event_id=event.pk, poll_id=poll.pk, visible=True, actor="moderator")
    session_set_status(event_id=event.pk, session_id=debate.pk, status="live")
    return debate, before, after


@SIZES
def test_an_ended_session_opens_from_the_programme_read_only_with_its_questions_and_swing(
    open_page, screenshot, event, join, ask, size
):
    from qa import services as qa_services

    debate, before, after = debate_played_through(event, join)
    question = ask(join(), text="Which hospitals would treat the patients first?", session=debate)
    qa_services.question_moderate(
        event_id=event.pk, question_id=question.pk, action="approve", actor="moderator", role="moderator"
    )
    session_set_status(event_id=event.pk, session_id=debate.pk, status="ended")
    closing = event.sessions.get(title="Closing")
    session_set_status(event_id=event.pk, session_id=closing.pk, status="live")

    # In the room: no livestream delay keeps the polls answerable after their close.
    page = open_page(f"attend-ended-{size}", "/e/SFH2022/?mode=room", **VIEWPORTS[size])
    qa = page.get_by_test_id("questions")
    expect(qa).to_have_attribute("data-session", str(closing.pk))
    page.locator(f'li[data-session="{debate.pk}"]').get_by_test_id("agenda-open").click()

    expect(qa).to_have_attribute("data-session", str(debate.pk))
    expect(qa.get_by_test_id("session-ended")).to_contain_text("Ended")
    expect(qa.get_by_test_id("session-ended")).to_contain_text("no more questions or votes")
    expect(qa.get_by_test_id("ask-text")).to_have_count(0)
    card = qa.locator(f'[data-testid="question"][data-question="{question.pk}"]')
    expect(card).to_contain_text("Which hospitals would treat the patients first?")
    expect(card.get_by_test_id("vote")).to_have_count(0)
    for poll in (before, after):
        expect(
            qa.locator(f'[data-testid="poll"][data-poll="{poll.pk}"]').get_by_test_id("poll-results")
        ).to_be_visible()
    swing = qa.locator(f'[data-testid="poll"][data-poll="{after.pk}"]').get_by_test_id("poll-swing")
    expect(swing).to_contain_text("2 of 3 changed their position")
    expect(qa.get_by_test_id("poll-state").first).to_have_text("This poll is closed.")
    expect(qa.locator('[data-testid="poll-option"]:enabled, [data-testid="poll-send"]')).to_have_count(0)
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, f"attend-ended-session-{size}")

    # The session picker lists it too, marked ended.
    expect(page.get_by_test_id("qa-session").locator(f'option[value="{debate.pk}"]')).to_contain_text("ended")


def test_a_phone_shows_connected_and_no_keyboard_hint(open_page, screenshot, event):
    page = open_page("attend-small-things", "/e/SFH2022/?mode=online", **PHONE)
    expect(page.get_by_test_id("connection")).to_have_text("Connected")
    expect(page.get_by_test_id("current-session")).to_contain_text("Nothing is live right now")
    expect(page.get_by_text("Ctrl+Enter")).to_be_hidden()
    # A narrow window without a touch screen is laid out as a phone: no hint either.
    narrow = open_page("attend-narrow", "/e/SFH2022/?mode=online", viewport={"width": 390, "height": 844})
    expect(narrow.get_by_text("Ctrl+Enter")).to_be_hidden()
    wide = open_page("attend-wide", "/e/SFH2022/?mode=online", **DESKTOP)
    expect(wide.get_by_text("Ctrl+Enter")).to_be_visible()


def test_a_phone_turned_away_by_a_busy_server_stays_in_line_and_says_so(server, browser, screenshot):
    """The "scan now" storm: the first join is answered 503 with Retry-After; the page says it is
    joining, busy, retrying (not an error), waits as asked, tries again and is in."""
    page = browser.new_context(**PHONE).new_page()
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    refused: list[int] = []

    def busy_once(route):
        if refused:
            route.continue_()
            return
        refused.append(503)
        route.fulfill(
            status=503,
            headers={"Retry-After": "1", "Content-Type": "application/json"},
            body='{"error": {"code": "unavailable", "message": "We are very busy right now.", "retry_after": 1}}',
        )

    page.route("**/api/events/SFH2022/join", busy_once)
    page.goto(f"{server.http}/e/SFH2022/?mode=room")
    busy = page.get_by_role("status").filter(has_text="Joining… (busy, retrying)")
    expect(busy).to_be_visible()
    screenshot(page, "attend-join-busy-phone")
    expect(page.get_by_test_id("connection")).to_have_text("Connected")
    expect(busy).to_have_count(0)
    assert refused == [503]
    assert Participant.objects.filter(mode="room").count() == 1
    # The browser's own line about the refused request is the only one.
    assert [error for error in errors if "503" not in error] == []
