"""What the hall, the speaker and a phone show fits where it is shown: nothing cut off, nothing
pushed out of view, no sideways scrolling."""

import re

import pytest
from playwright.sync_api import expect

from polls import services as poll_services
from polls.demo import seed_demo_polls
from qa import services as qa_services
from qa.models import Question
from sessions.rolelinks import role_key_make
from sessions.services import session_set_status

pytestmark = pytest.mark.e2e

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 1}
# 497 characters: questions have up to 500.
LONG = (
    "Given that the list price of the first approved gene therapies is above two million euros per patient, "
    "and that national payers in smaller member states cannot absorb such one-off costs within a single annual "
    "budget, what concrete mechanisms (annuity payments, outcome-based rebates, joint European procurement or a "
    "dedicated EU fund) does the panel consider realistic within the next five years, and who should carry the "
    "risk if the therapy stops working?"
)
AUTHOR = "Prof. Dr. Anne-Sophie Vandenberghe-Oosterlinck"

# The box of each element, and whether it lies inside the viewport.
INSIDE = """(selectors) => selectors.map((selector) => {
  const element = document.querySelector(selector);
  if (!element) return [selector, null];
  const box = element.getBoundingClientRect();
  return [selector, box.top >= -1 && box.left >= -1 && box.bottom <= innerHeight + 1 && box.right <= innerWidth + 1
    && box.width > 0 && box.height > 0];
})"""

# True when the element's text is cut (clipped by its own box).
CLIPPED = """(selector) => { const element = document.querySelector(selector);
  return element.scrollHeight > element.clientHeight + 1 || element.scrollWidth > element.clientWidth + 1; }"""


@pytest.fixture
def live_roundtable(event, roundtable):
    session_set_status(event_id=event.pk, session_id=roundtable.pk, status="live")
    return roundtable


def highlight(event, question):
    for action in ("approve", "highlight"):
        question = qa_services.question_moderate(
            event_id=event.pk, question_id=question.pk, action=action, actor="moderator", role="moderator"
        )
    return question


@pytest.mark.parametrize("size", [(1920, 1080), (1280, 720), (1024, 768)])
def test_a_long_highlighted_question_fits_the_projector(
    server, browser, console, screenshot, event, live_roundtable, join, ask, size
):
    author = join(name=AUTHOR)
    question = highlight(event, ask(author, text=LONG, anonymous=False))
    assert len(question.text) == len(LONG) > 450
    width, height = size
    key = role_key_make(event=event, role="screen", hours=1)
    page = console.watch(browser.new_context(viewport={"width": width, "height": height}).new_page(), "screen")
    page.goto(f"{server.http}/e/SFH2022/screen/?key={key}")
    spotlight = page.get_by_test_id("highlighted-question")
    expect(spotlight).to_contain_text("who should carry the risk if the therapy stops working?")
    page.wait_for_timeout(300)  # the fit settles in an animation frame
    screenshot(page, f"fit-screen-{width}")
    parts = ['[data-testid="highlighted-question"] blockquote', "figcaption .who", "figcaption .votes"]
    assert dict(page.evaluate(INSIDE, parts)) == dict.fromkeys(parts, True)
    assert not page.evaluate(CLIPPED, parts[0]), "the question's text is cut"
    assert not page.evaluate(CLIPPED, ".main"), "the left column runs past the screen"
    # Still projector-sized type, not a footnote.
    assert float(page.eval_on_selector(parts[0], "e => parseFloat(getComputedStyle(e).fontSize)")) >= 0.025 * height


def poll_with_answers(event, session, join, answers: list[tuple[int, str]], **fields):
    """An open poll of the session, answered: one (option index, mode) pair per participant."""
    poll = poll_services.poll_create(event_id=event.pk, actor="moderator", session_id=session.pk, **fields)
    poll_services.poll_open(event_id=event.pk, poll_id=poll.pk, actor="moderator")
    options = list(poll.options.order_by("order").values_list("pk", flat=True))
    for index, mode in answers:
        poll_services.poll_respond(
            participant_id=join(mode=mode).pk, event_id=event.pk, poll_id=poll.pk, options=[options[index]]
        )
    poll_services.poll_set_results_visible(event_id=event.pk, poll_id=poll.pk, visible=True, actor="moderator")
    poll_services.poll_set_on_screen(event_id=event.pk, poll_id=poll.pk, on_screen=True, actor="moderator")
    return poll, options


# The width of each bar and of each track, by option.
BARS = """(root) => Object.fromEntries([...document.querySelectorAll(root + ' [data-testid="poll-bar"]')].map((bar) => [
  bar.dataset.option,
  [bar.querySelector('.track').getBoundingClientRect().width,
   [...bar.querySelectorAll('.part')].reduce((sum, part) => sum + part.getBoundingClientRect().width, 0)],
]))"""


def test_equal_counts_give_equal_bars(server, browser, console, screenshot, event, live_roundtable, join):
    # Equal totals with numbers of different widths: 10 (10 · 0), 10 (5 · 5), 1 (0 · 1).
    answers = [(0, "room")] * 10 + [(1, "room")] * 5 + [(1, "online")] * 5 + [(2, "online")]
    _poll, (first, second, third) = poll_with_answers(
        event,
        live_roundtable,
        join,
        answers,
        kind="single",
        prompt="Which outcome matters most to you?",
        options=["Vision", "Safety and long-term effects for children", "Cost"],
    )
    key = role_key_make(event=event, role="screen", hours=1)
    screen = console.watch(browser.new_context(viewport={"width": 1920, "height": 1080}).new_page(), "screen")
    screen.goto(f"{server.http}/e/SFH2022/screen/?key={key}")
    phone = console.watch(browser.new_context(**PHONE).new_page(), "attend")
    phone.goto(f"{server.http}/e/SFH2022/?mode=online")
    for page, root in ((screen, '[data-testid="screen-poll"]'), (phone, '[data-testid="poll"]')):
        expect(page.locator(root).get_by_test_id("poll-count")).to_have_text(["10", "10", "1"])
        page.wait_for_timeout(700)  # the bars grow in half a second
        bars = page.evaluate(BARS, root)
        tracks = {round(track) for track, _ in bars.values()}
        assert len(tracks) == 1, f"tracks of different lengths: {bars}"
        assert round(bars[str(first)][1]) == round(bars[str(second)][1])
        # Scaled to everyone who answered: 10 of 21 fill 10/21 of the track, not all of it.
        track = bars[str(first)][0]
        assert abs(bars[str(first)][1] - track * 10 / 21) <= 2, bars
        assert abs(bars[str(third)][1] - track / 21) <= 2, bars
        # The split's numbers say which is which.
        split = page.locator(root).get_by_test_id("poll-split").nth(1)
        expect(split).to_have_text(re.compile(r"^\s*Room\s+5\s+Online\s+5\s*$"))
        assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    screenshot(screen, "fit-bars-screen")
    screenshot(phone, "fit-bars-attend")


def test_offline_on_a_phone_the_header_stays_put_and_a_question_waits_for_the_network(
    server, browser, console, screenshot, event, live_roundtable
):
    context = browser.new_context(**PHONE)
    page = console.watch(context.new_page(), "attend")
    page.goto(f"{server.http}/e/SFH2022/?mode=online")
    badge = page.get_by_test_id("connection")
    expect(badge).to_have_text("Connected")
    header = page.locator("header.top")
    online_height = header.bounding_box()["height"]

    context.set_offline(True)
    expect(badge).to_contain_text("Offline")
    screenshot(page, "fit-attend-offline")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "the page scrolls sideways"
    height = header.bounding_box()["height"]
    assert height <= max(110, online_height + 40), f"the header grew to {height}px (online {online_height}px)"
    # The event's name keeps its line: not one word a line.
    assert page.locator("header.top h1").bounding_box()["height"] < 2.5 * 21

    # A question asked now waits, and says so; it goes out once the network is back.
    text = "Asked while my phone has no network, will it arrive?"
    page.get_by_test_id("ask-text").fill(text)
    page.get_by_test_id("ask-submit").click()
    expect(page.get_by_test_id("ask-waiting")).to_have_text(
        "You're offline — your question will be sent when the connection is back."
    )
    expect(page.get_by_test_id("ask-submit")).to_be_disabled()
    screenshot(page, "fit-attend-ask-offline")
    context.set_offline(False)
    expect(badge).to_have_text("Connected", timeout=15_000)
    confirmation = page.get_by_test_id("ask-confirmation")
    expect(confirmation).to_have_text("Sent — awaiting moderation.")
    expect(page.get_by_test_id("ask-waiting")).to_have_count(0)
    question = Question.objects.get(text=text)

    # The moderator publishes it: the note under the box follows.
    qa_services.question_moderate(
        event_id=event.pk, question_id=question.pk, action="approve", actor="moderator", role="moderator"
    )
    expect(confirmation).to_have_text("Sent — your question is published.")
    expect(page.locator(f'[data-testid="question"][data-question="{question.pk}"]')).to_have_attribute(
        "data-state", "approved"
    )
    context.close()


def test_a_hidden_open_text_answer_is_not_counted_as_shown_and_its_author_sees_it(
    server, browser, console, screenshot, event, live_roundtable, join
):
    poll = poll_services.poll_create(
        event_id=event.pk,
        actor="moderator",
        session_id=live_roundtable.pk,
        kind="text",
        prompt="What worries you most?",
    )
    poll_services.poll_open(event_id=event.pk, poll_id=poll.pk, actor="moderator")
    context = browser.new_context(**PHONE)
    page = console.watch(context.new_page(), "attend-hidden")
    page.goto(f"{server.http}/e/SFH2022/?mode=online")
    card = page.locator(f'[data-testid="poll"][data-poll="{poll.pk}"]')
    card.get_by_test_id("poll-text").fill("Something off-topic")
    card.get_by_test_id("poll-send").click()
    expect(card.get_by_test_id("poll-mine")).to_contain_text("Something off-topic")
    expect(card.get_by_test_id("poll-mine-state")).to_have_attribute("data-review", "pending")
    kept = poll_services.poll_respond(
        participant_id=join().pk, event_id=event.pk, poll_id=poll.pk, text="Who pays when it stops working?"
    )
    hidden = poll.responses.get(text="Something off-topic")
    poll_services.poll_moderate_answer(event_id=event.pk, response_id=kept.pk, approve=True, actor="moderator")
    poll_services.poll_moderate_answer(event_id=event.pk, response_id=hidden.pk, approve=False, actor="moderator")
    poll_services.poll_set_results_visible(event_id=event.pk, poll_id=poll.pk, visible=True, actor="moderator")
    poll_services.poll_set_on_screen(event_id=event.pk, poll_id=poll.pk, on_screen=True, actor="moderator")

    key = role_key_make(event=event, role="screen", hours=1)
    screen = console.watch(browser.new_context(viewport={"width": 1920, "height": 1080}).new_page(), "screen")
    screen.goto(f"{server.http}/e/SFH2022/screen/?key={key}")
    shown = screen.get_by_test_id("screen-poll")
    expect(shown.get_by_test_id("poll-answer")).to_have_text(["Who pays when it stops working?"])
    expect(shown.get_by_test_id("poll-total")).to_have_text("1 answer shown")

    # The author of the hidden answer is told so; the phone counts like the screen.
    expect(card.get_by_test_id("poll-total")).to_have_text("1 answer shown")
    expect(card.get_by_test_id("poll-mine-state")).to_have_attribute("data-review", "rejected")
    expect(card.get_by_test_id("poll-mine-state")).to_contain_text("chose not to show it")
    expect(card.get_by_test_id("poll-sent")).to_have_count(0)  # "a moderator reviews it" is over
    screenshot(page, "fit-attend-hidden-answer")
    screenshot(screen, "fit-screen-text-answers")

    # Once the moderator lets it through, it is shown and counted.
    poll_services.poll_moderate_answer(event_id=event.pk, response_id=hidden.pk, approve=True, actor="moderator")
    expect(card.get_by_test_id("poll-mine-state")).to_have_attribute("data-review", "approved")
    expect(shown.get_by_test_id("poll-total")).to_have_text("2 answers shown")
    context.close()


def open_stage(open_page, event, width=1920, height=1080):
    key = role_key_make(event=event, role="speaker", hours=1)
    return open_page("stage", f"/e/SFH2022/stage/?key={key}", viewport={"width": width, "height": height})


@pytest.mark.parametrize("size", [(1920, 1080), (1600, 900)])
def test_the_stage_fits_one_screen_with_a_poll_and_a_long_highlighted_question(
    open_page, screenshot, event, live_roundtable, join, ask, size
):
    seed_demo_polls(event)
    poll = event.polls.get(prompt="Who should pay for one-shot gene therapies?")
    poll_services.poll_open(event_id=event.pk, poll_id=poll.pk, actor="moderator")
    for text in ("Is a European fund realistic?", "Who carries the risk of failure?"):
        qa_services.question_moderate(
            event_id=event.pk, question_id=ask(join(), text=text).pk, action="approve", actor="m", role="moderator"
        )
    highlight(event, ask(join(name=AUTHOR), text=LONG, anonymous=False))
    page = open_stage(open_page, event, *size)
    options = page.get_by_test_id("screen-poll").locator(".options li")
    expect(options).to_have_count(4)
    expect(page.get_by_test_id("highlighted-question")).to_contain_text("stops working?")
    screenshot(page, f"fit-stage-poll-{size[0]}")
    assert page.evaluate("document.documentElement.scrollHeight") <= size[1], "the stage scrolls"
    parts = [
        '[data-testid="screen-poll"] .options li:last-child',
        '[data-testid="session-clock"]',
        '[data-testid="highlighted-question"] [data-action="unhighlight"]',
        '[data-testid="highlighted-question"] [data-action="answer"]',
    ]
    assert dict(page.evaluate(INSIDE, parts)) == dict.fromkeys(parts, True)


def test_the_stage_shows_the_swing_under_the_clock(open_page, screenshot, event, join):
    seed_demo_polls(event)
    debate = event.sessions.get(kind="debate")
    session_set_status(event_id=event.pk, session_id=debate.pk, status="live")  # opens the before poll
    before = event.polls.get(session=debate, phase="before")
    after = event.polls.get(session=debate, phase="after")
    people = [join(mode=mode) for mode in ("room", "room", "online", "online")]
    before_options = list(before.options.order_by("order").values_list("pk", flat=True))
    after_options = list(after.options.order_by("order").values_list("pk", flat=True))
    for index, person in enumerate(people):
        poll_services.poll_respond(
            participant_id=person.pk, event_id=event.pk, poll_id=before.pk, options=[before_options[index % 3]]
        )
    poll_services.poll_close(event_id=event.pk, poll_id=before.pk, actor="moderator")
    poll_services.poll_open(event_id=event.pk, poll_id=after.pk, actor="moderator")
    for person in people:
        poll_services.poll_respond(
            participant_id=person.pk, event_id=event.pk, poll_id=after.pk, options=[after_options[0]]
        )
    poll_services.poll_close(event_id=event.pk, poll_id=after.pk, actor="moderator")
    poll_services.poll_set_results_visible(event_id=event.pk, poll_id=after.pk, visible=True, actor="moderator")
    poll_services.poll_set_on_screen(event_id=event.pk, poll_id=after.pk, on_screen=True, actor="moderator")
    page = open_stage(open_page, event)
    expect(page.get_by_test_id("poll-moved")).to_have_text("2 of 4 changed their position")
    page.wait_for_timeout(700)
    screenshot(page, "fit-stage-swing")
    assert page.evaluate("document.documentElement.scrollHeight") <= 1080, "the stage scrolls"
    parts = ['[data-testid="swing-row"]:last-child', '[data-testid="swing-move"]:last-child', ".next"]
    assert dict(page.evaluate(INSIDE, parts)) == dict.fromkeys(parts, True)


# --- the projector with a poll: every kind, ten options of 120 characters ----------------------

PROMPT = (
    "Who should carry the cost of one-shot gene therapies priced above two million euros per patient in the "
    "smaller member states of the European Union?"
)


def option_label(number: int) -> str:
    """An option of exactly 120 characters, long words included ("Pharmaceutical")."""
    text = f"{number}. Pharmaceutical companies, national insurers and a dedicated European fund sharing the risk of"
    return (text + " outcome-based annuity payments over ten years")[:120]


def answered_poll(event, session, join, kind: str):
    """A poll of `kind` on screen with its results shown, answered by room and online people."""
    people = [join(mode="room" if index % 3 else "online") for index in range(12)]
    fields: dict = {"kind": kind, "prompt": PROMPT}
    if kind in ("single", "multiple"):
        fields["options"] = [option_label(number) for number in range(1, 11)]
    if kind == "multiple":
        fields["max_choices"] = 3
    if kind == "rating":
        fields["scale"] = 10
    if kind == "stance":
        labels = [option_label(number) for number in range(1, 6)]
        before = poll_services.poll_create(
            event_id=event.pk, actor="moderator", session_id=session.pk, options=labels, phase="before", **fields
        )
        poll_services.poll_open(event_id=event.pk, poll_id=before.pk, actor="moderator")
        firsts = list(before.options.order_by("order").values_list("pk", flat=True))
        for index, person in enumerate(people):
            poll_services.poll_respond(
                participant_id=person.pk, event_id=event.pk, poll_id=before.pk, options=[firsts[index % 5]]
            )
        poll_services.poll_close(event_id=event.pk, poll_id=before.pk, actor="moderator")
        fields.update(options=labels, phase="after", stance_pair_id=before.pk)
    poll = poll_services.poll_create(event_id=event.pk, actor="moderator", session_id=session.pk, **fields)
    poll_services.poll_open(event_id=event.pk, poll_id=poll.pk, actor="moderator")
    options = list(poll.options.order_by("order").values_list("pk", flat=True))
    for index, person in enumerate(people):
        answer: dict = {}
        if kind in ("single", "stance"):
            answer["options"] = [options[(index * 7) % len(options)]]
        elif kind == "multiple":
            answer["options"] = [options[index % 10], options[(index + 3) % 10]]
        elif kind == "rating":
            answer["value"] = 1 + index % 10
        elif kind == "wordcloud":
            answer["text"] = f"annuities, outcome-based, reimbursement{index}"
        else:
            answer["text"] = option_label(index)
        response = poll_services.poll_respond(participant_id=person.pk, event_id=event.pk, poll_id=poll.pk, **answer)
        if kind == "text" and index < 10:
            poll_services.poll_moderate_answer(
                event_id=event.pk, response_id=response.pk, approve=True, actor="moderator"
            )
    if kind == "stance":
        poll_services.poll_close(event_id=event.pk, poll_id=poll.pk, actor="moderator")
    poll_services.poll_set_results_visible(event_id=event.pk, poll_id=poll.pk, visible=True, actor="moderator")
    poll_services.poll_set_on_screen(event_id=event.pk, poll_id=poll.pk, on_screen=True, actor="moderator")
    return poll


# Every box of the poll and of the QR card inside the viewport, and the poll not cut by its column.
OUT_OF_VIEW = """() => {
  const out = [];
  for (const element of document.querySelectorAll('[data-testid="screen-poll"] *, .join, .join *')) {
    const box = element.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    if (box.top < -1 || box.left < -1 || box.bottom > innerHeight + 1 || box.right > innerWidth + 1) {
      out.push(`${element.tagName}.${element.className} ends at ${Math.round(box.right)}, ${Math.round(box.bottom)}`);
    }
  }
  const column = document.querySelector('.main > .poll');
  if (column.scrollHeight > column.clientHeight + 1) out.push(`cut: ${column.scrollHeight}/${column.clientHeight}`);
  if (document.documentElement.scrollHeight > innerHeight + 1) out.push('the page scrolls');
  return out;
}"""


@pytest.mark.parametrize("kind", ["single", "multiple", "rating", "wordcloud", "text", "stance"])
def test_every_kind_of_poll_fits_the_projector_beside_the_qr_code(
    open_page, screenshot, event, live_roundtable, join, kind
):
    poll = answered_poll(event, live_roundtable, join, kind)
    key = role_key_make(event=event, role="screen", hours=1)
    for width, height in ((1920, 1080), (1280, 720)):
        page = open_page("screen", f"/e/SFH2022/screen/?key={key}", viewport={"width": width, "height": height})
        shown = page.locator(f'[data-testid="screen-poll"][data-poll="{poll.pk}"]')
        expect(shown.get_by_test_id("poll-results")).to_be_visible()
        expect(page.get_by_test_id("join-qr").locator("svg")).to_be_visible()
        if kind == "stance":  # the swing keeps the room / online split the debate is about
            expect(shown.get_by_test_id("swing-split")).to_have_count(5)
            expect(shown.get_by_test_id("swing-split").first).to_have_text(re.compile(r"Room\s+\d+\s+Online\s+\d+"))
        # The fit settles in an animation frame: wait for it, then nothing may be out of view.
        page.wait_for_function(f"() => ({OUT_OF_VIEW})().length === 0", timeout=5000)
        screenshot(page, f"fit-screen-poll-{kind}-{width}")
        assert page.evaluate(OUT_OF_VIEW) == []
        # Still read from the back of the hall: the options' type is not a footnote.
        if kind in ("single", "multiple", "stance"):
            size = float(shown.locator(".label").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))
            assert size >= 0.016 * height, f"{size}px at {width}x{height}"
        page.context.close()


# The words of each element that are split over two lines.
BROKEN_WORDS = """(selector) => [...document.querySelectorAll(selector)].flatMap((element) => {
  const broken = [];
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const match of node.data.matchAll(/\\S+/g)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const tops = new Set([...range.getClientRects()].map((rect) => Math.round(rect.top)));
      if (tops.size > 1) broken.push(match[0]);
    }
  }
  return broken;
})"""


def test_on_a_phone_option_labels_wrap_between_words(open_page, screenshot, event, live_roundtable, join):
    labels = [
        "Pharmaceutical companies through outcome-based reimbursement",
        "Patients and private insurance",
        "Interinstitutional European reinsurance consortia",
        "Hospitals",
    ]
    answers = [(0, "room")] * 5 + [(1, "online")] * 3 + [(2, "room"), (2, "online"), (3, "online")]
    poll_with_answers(event, live_roundtable, join, answers, kind="single", prompt="Who should pay?", options=labels)
    page = open_page("attend", "/e/SFH2022/?mode=room", **PHONE)
    results = page.get_by_test_id("poll").get_by_test_id("poll-results")
    expect(results.get_by_test_id("poll-count")).to_have_text(["5", "3", "2", "1"])
    expect(results.get_by_test_id("poll-split").first).to_have_text(re.compile(r"Room\s+5\s+Online\s+0"))
    screenshot(page, "fit-attend-results")
    assert page.evaluate(BROKEN_WORDS, '[data-testid="poll"] [data-testid="poll-results"] .label') == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "the page scrolls sideways"
