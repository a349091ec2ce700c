"""A moderator who mistyped their password five times is told why signing in stops working."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import store_password

pytestmark = pytest.mark.e2e

RIGHT = "sfh2022-moderator"


def submit(page, password: str):
    page.get_by_label("Username").fill("moderator")
    page.get_by_label("Password").fill(password)
    with page.expect_response(lambda response: response.request.method == "POST") as answer:
        page.get_by_role("button", name="Sign in").click()
    return answer.value


@pytest.mark.parametrize(
    "name, viewport",
    [("phone", {"width": 390, "height": 844}), ("desktop", {"width": 1440, "height": 900})],
)
def test_a_locked_moderator_sees_why_the_right_password_is_refused(server, browser, screenshot, event, name, viewport):
    store_password("moderator", RIGHT)
    page = browser.new_context(viewport=viewport).new_page()
    page.goto(f"{server.http}/accounts/login/?next=/e/SFH2022/moderate/")
    alert = page.get_by_test_id("signin-error")
    for attempt in range(5):
        assert submit(page, f"wrong-{attempt}").status == 200
        expect(alert).to_have_text("That username and password did not match. Try again.")

    answer = submit(page, RIGHT)

    assert answer.status == 429 and 0 < int(answer.headers["retry-after"]) <= 900
    expect(alert).to_contain_text("Too many failed sign-ins for this account or from your network.")
    expect(alert).to_contain_text("Try again in 15 minutes, or ask an organiser to unlock the account.")
    expect(page.get_by_label("Username")).to_have_value("moderator")
    assert page.url.endswith("/accounts/login/?next=/e/SFH2022/moderate/")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], "the form runs off the screen"
    screenshot(page, f"sign-in-locked-{name}")
    page.context.close()
