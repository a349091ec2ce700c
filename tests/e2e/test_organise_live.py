"""What an organiser changes during the day reaches the pages already open: a draft poll edited or
deleted on the Polls page changes in the moderators' console at once."""

import pytest
from playwright.sync_api import expect

from polls.demo import seed_demo_polls
from polls.models import Poll
from polls.services import poll_open
from sessions.rolelinks import role_key_make
from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.test_organise import SIZES, signed_in_organiser

pytestmark = pytest.mark.e2e


def test_drafts_edited_and_deleted_on_the_polls_page_change_in_the_console(server, browser, console, open_page, event):
    seed_demo_polls(event)
    roundtable = event.sessions.get(kind="roundtable")
    single, cloud = Poll.objects.filter(session=roundtable).order_by("order")
    debate_before = Poll.objects.get(session__kind="debate", phase="before")
    poll_open(event_id=event.pk, poll_id=debate_before.pk, actor="mo")
    key = role_key_make(event=event, role="moderator", hours=1)
    moderator = open_page("moderate", f"/e/SFH2022/moderate/?key={key}", viewport={"width": 1400, "height": 1000})
    moderator.get_by_test_id("poll-filter").select_option("all")
    admin = moderator.get_by_test_id("poll-moderation")
    expect(admin.get_by_text(cloud.prompt)).to_be_visible()

    page = signed_in_organiser(server, browser, console, "/organise/SFH2022/polls/")
    expect(page.get_by_role("heading", name="Polls prepared ahead")).to_be_visible()
    # An opened poll is shown with its state, and only drafts can be edited or deleted.
    opened = page.locator(f'tr[data-poll="{debate_before.pk}"]')
    expect(opened).to_contain_text("Open")
    expect(opened.get_by_role("button")).to_have_count(0)
    expect(opened.get_by_role("link")).to_have_count(0)

    page.get_by_role("link", name=f"Edit “{single.prompt}”").click()
    expect(page.get_by_role("heading", name="Edit the draft")).to_be_visible()
    page.get_by_label("Question").fill("Who should pay for gene therapies, in the end?")
    page.get_by_role("button", name="Save the draft").click()
    expect(page.get_by_role("status")).to_contain_text("The draft is saved.")
    expect(admin.get_by_text("Who should pay for gene therapies, in the end?")).to_be_visible()

    page.get_by_role("button", name=f"Delete “{cloud.prompt}”").click()
    expect(page.get_by_role("status")).to_contain_text("The draft is deleted.")
    expect(admin.get_by_text(cloud.prompt)).to_have_count(0)
    assert not Poll.objects.filter(pk=cloud.pk).exists()

    page.set_viewport_size(SIZES["desktop"])
    page.goto(f"{server.http}/organise/SFH2022/polls/{single.pk}/#edit")
    page.screenshot(path=str(SCREENSHOTS / "organise-polls-edit-1440x900.png"), full_page=True)
    page.set_viewport_size(SIZES["phone"])
    page.goto(f"{server.http}/organise/SFH2022/polls/")
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES["phone"]["width"]
    page.screenshot(path=str(SCREENSHOTS / "organise-polls-list-390x844.png"))
    moderator.context.close()
    page.context.close()


PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def test_a_session_deleted_on_the_sessions_page_leaves_the_phone_the_console_and_the_stage(
    server, browser, console, open_page, event
):
    quiet = event.sessions.exclude(pk=event.current_session_id).filter(questions__isnull=True, kind="talk").first()
    keys = {role: role_key_make(event=event, role=role, hours=1) for role in ("moderator", "speaker")}
    moderator = open_page(
        "moderate", f"/e/SFH2022/moderate/?key={keys['moderator']}", viewport={"width": 1400, "height": 1000}
    )
    stage = open_page("stage", f"/e/SFH2022/stage/?key={keys['speaker']}", viewport={"width": 1280, "height": 720})
    phone = open_page("attend", "/e/SFH2022/?mode=room", **PHONE)
    # The attendee opened that session from the programme: its questions are on the phone.
    phone.get_by_role("button", name=f"Open “{quiet.title}”: its questions and polls").click()
    expect(phone.get_by_test_id("questions")).to_have_attribute("data-session", str(quiet.pk))
    expect(moderator.locator(f'[data-session="{quiet.pk}"]')).not_to_have_count(0)

    page = signed_in_organiser(server, browser, console, "/organise/SFH2022/sessions/")
    page.get_by_role("button", name=f"Delete “{quiet.title}”").click()
    expect(page.get_by_role("status")).to_contain_text("The session is deleted.")

    # The phone shows what is on now and the programme, without the deleted session.
    expect(phone.get_by_test_id("questions")).not_to_have_attribute("data-session", str(quiet.pk))
    expect(phone.get_by_text(quiet.title)).to_have_count(0)
    expect(phone.get_by_test_id("agenda-open").first).to_be_visible()
    expect(moderator.locator(f'[data-session="{quiet.pk}"]')).to_have_count(0)
    expect(stage.get_by_test_id("current-session")).to_be_visible()
    phone.evaluate("window.scrollTo(0, 0)")
    phone.screenshot(path=str(SCREENSHOTS / "organise-session-deleted-attend-390x844.png"))
    for page_ in (moderator, stage, phone, page):
        page_.context.close()
