"""Polls end to end: the moderator runs the debate's stance polls from the console, the room and
the stream answer on phones, the projector splits the bars room / online and shows the swing."""

import pytest
from playwright.sync_api import expect

from polls.demo import seed_demo_polls
from polls.models import Poll, Response
from sessions.rolelinks import role_key_make

pytestmark = pytest.mark.e2e

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


def admin(page, poll):
    return page.locator(f'[data-testid="poll-admin"][data-poll="{poll.pk}"]')


def test_stance_polls_before_and_after_the_debate(open_page, screenshot, event):
    seed_demo_polls(event)
    debate = event.sessions.get(kind="debate")
    before = Poll.objects.get(session=debate, phase="before")
    after = Poll.objects.get(session=debate, phase="after")
    keys = {role: role_key_make(event=event, role=role, hours=1) for role in ("moderator", "screen", "speaker")}

    moderator = open_page(
        "moderate", f"/e/SFH2022/moderate/?key={keys['moderator']}", viewport={"width": 1400, "height": 1000}
    )
    screen = open_page("screen", f"/e/SFH2022/screen/?key={keys['screen']}", viewport={"width": 1920, "height": 1080})
    stage = open_page("stage", f"/e/SFH2022/stage/?key={keys['speaker']}", viewport={"width": 1600, "height": 900})
    room = open_page("attend-room", "/e/SFH2022/?mode=room", **PHONE)
    online = open_page("attend-online", "/e/SFH2022/?mode=online", **PHONE)

    # The moderator takes the debate live: its "before" poll opens with it (auto-open).
    moderator.locator(f'[data-session="{debate.pk}"]').get_by_role("button", name="Go live").click()
    expect(admin(moderator, before)).to_have_attribute("data-state", "open")
    _agree, undecided_before, disagree_before = [o.pk for o in before.options.all()]
    room_poll = room.locator(f'[data-testid="poll"][data-poll="{before.pk}"]')
    expect(room_poll).to_be_visible()
    room_poll.locator(f'[data-testid="poll-option"][data-option="{undecided_before}"]').click()
    expect(room_poll.locator(f'[data-option="{undecided_before}"]')).to_have_attribute("aria-pressed", "true")
    online_poll = online.locator(f'[data-testid="poll"][data-poll="{before.pk}"]')
    online_poll.locator(f'[data-testid="poll-option"][data-option="{disagree_before}"]').click()
    expect(online_poll.locator(f'[data-option="{disagree_before}"]')).to_have_attribute("aria-pressed", "true")

    # The console counts live, split room / online, before anyone else sees the results.
    counts = admin(moderator, before).locator(f'[data-testid="poll-bar"][data-option="{undecided_before}"]')
    expect(counts.get_by_test_id("poll-count-room")).to_have_text("1")
    expect(screen.get_by_test_id("poll-results")).to_have_count(0)

    # The moderator shows the results and puts the poll on screen: bars split room / online.
    admin(moderator, before).locator('[data-action="show"]').click()
    admin(moderator, before).locator('[data-action="screen"]').click()
    bar = screen.locator(f'[data-testid="poll-bar"][data-option="{undecided_before}"]')
    expect(bar.get_by_test_id("poll-count-room")).to_have_text("1")
    expect(bar.get_by_test_id("poll-count-online")).to_have_text("0")
    other = screen.locator(f'[data-testid="poll-bar"][data-option="{disagree_before}"]')
    expect(other.get_by_test_id("poll-count-room")).to_have_text("0")
    expect(other.get_by_test_id("poll-count-online")).to_have_text("1")
    expect(room_poll.get_by_test_id("poll-results")).to_be_visible()
    screenshot(screen, "poll-screen-before")

    # After the debate: the second poll; the room was convinced, online too.
    admin(moderator, before).locator('[data-action="close"]').click()
    expect(admin(moderator, before)).to_have_attribute("data-state", "closed")
    admin(moderator, after).locator('[data-action="open"]').click()
    agree_after = after.options.order_by("order").first().pk
    for page in (room, online):
        card = page.locator(f'[data-testid="poll"][data-poll="{after.pk}"]')
        expect(card).to_be_visible()
        card.locator(f'[data-testid="poll-option"][data-option="{agree_after}"]').click()
        expect(card.locator(f'[data-option="{agree_after}"]')).to_have_attribute("aria-pressed", "true")
    admin(moderator, after).locator('[data-action="close"]').click()
    admin(moderator, after).locator('[data-action="show"]').click()
    admin(moderator, after).locator('[data-action="screen"]').click()
    swing = screen.get_by_test_id("poll-swing")
    expect(swing.get_by_test_id("poll-moved")).to_have_text("2 of 2 changed their position")
    expect(swing.get_by_test_id("swing-move")).to_have_count(2)
    # The before poll left the screen: one on-screen poll per session.
    expect(screen.get_by_test_id("screen-poll")).to_have_attribute("data-poll", str(after.pk))
    expect(room.get_by_test_id("poll-swing")).to_be_visible()
    expect(stage.get_by_test_id("screen-poll").get_by_test_id("poll-moved")).to_have_text(
        "2 of 2 changed their position"
    )
    # The console's log names each poll action and the poll it was done to.
    log = moderator.get_by_test_id("audit-log")
    expect(log.locator('[data-action="poll_close"]').first).to_contain_text(
        "closed the after-the-debate poll “Belgium can become"
    )
    expect(log.locator('[data-action="poll_open"]').last).to_contain_text("auto-open")
    screenshot(screen, "poll-screen-swing")
    screenshot(moderator, "poll-moderate")
    screenshot(room, "poll-attend")
    assert Response.objects.filter(poll=after).count() == 2


def test_moderator_builds_a_word_cloud_and_the_answers_show_up(open_page, screenshot, event, roundtable):
    key = role_key_make(event=event, role="moderator", hours=1)
    moderator = open_page("moderate", f"/e/SFH2022/moderate/?key={key}", viewport={"width": 1400, "height": 1000})
    attendee = open_page("attend", "/e/SFH2022/?mode=online", **PHONE)

    moderator.get_by_test_id("poll-new").click()
    builder = moderator.get_by_test_id("poll-builder")
    builder.get_by_test_id("poll-kind").select_option("wordcloud")
    builder.get_by_test_id("poll-session").select_option(str(roundtable.pk))
    builder.get_by_test_id("poll-prompt").fill("One word for the price of gene therapy?")
    builder.get_by_test_id("poll-save").click()
    expect(builder).to_have_count(0)
    poll = Poll.objects.get(prompt="One word for the price of gene therapy?")
    assert poll.kind == "wordcloud" and poll.state == "draft" and poll.session_id == roundtable.pk
    # A draft stays with the moderators.
    expect(attendee.get_by_test_id("poll")).to_have_count(0)

    admin(moderator, poll).locator('[data-action="open"]').click()
    card = attendee.locator(f'[data-testid="poll"][data-poll="{poll.pk}"]')
    card.get_by_test_id("poll-text").fill("Unaffordable!")
    card.get_by_test_id("poll-send").click()
    expect(card.get_by_test_id("poll-mine")).to_contain_text("unaffordable")
    expect(admin(moderator, poll).locator('[data-testid="poll-word"][data-word="unaffordable"]')).to_be_visible()

    # A bad answer is refused with the reason, and the first answer stays.
    card.get_by_test_id("poll-text").fill("far too many words here")
    expect(card.get_by_test_id("poll-send")).to_be_disabled()
    screenshot(moderator, "poll-builder")
    assert list(Response.objects.filter(poll=poll).values_list("words", flat=True)) == [["unaffordable"]]
