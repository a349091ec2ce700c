"""What the hall, the speaker and a phone show fits where it is shown: nothing cut off, nothing
pushed out of view, no sideways scrolling."""

import pytest
from playwright.sync_api import expect

from qa import services as qa_services
from sessions.rolelinks import role_key_make
from sessions.services import session_set_status

pytestmark = pytest.mark.e2e

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
