"""An organiser registers two webhook endpoints on the Webhooks page, is told why a private address
is refused, copies the secret shown once, sends a test delivery and sees every delivery's state."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.test_accessibility import RUN_AXE, WCAG_22_AA, axe_source
from tests.e2e.test_organise import SIZES, signed_in_organiser
from webhooks.models import Delivery, Endpoint

pytestmark = pytest.mark.e2e

# Address literals: checked without a DNS lookup, and never sent to (no worker runs here).
CRM = "https://93.184.215.14/livehub/events"
SCREEN = "https://93.184.215.15/hooks/livehub-screen-wall?source=sfh"


def log(endpoint: Endpoint, type: str, state: str, minutes_ago: int, **fields) -> None:
    at = timezone.now() - timedelta(minutes=minutes_ago)
    Delivery.objects.create(
        endpoint=endpoint, type=type, body="{}", state=state, created_at=at,
        **{"next_attempt_at": at, **fields},
    )  # fmt: skip


@pytest.mark.timeout(180)
def test_an_organiser_registers_webhooks_and_sees_their_deliveries(server, browser, console):
    page = signed_in_organiser(server, browser, console, "/organise/SFH2022/")
    page.get_by_role("link", name="Webhooks").click()
    expect(page.get_by_role("heading", name="Webhooks", exact=True)).to_be_visible()

    # A private address is refused on its field, and what was typed stays.
    page.get_by_label("URL").fill("http://10.1.2.3/hook")
    page.get_by_label("Question approved").check()
    page.get_by_label("Poll closed (with results)").check()
    page.get_by_role("button", name="Add the endpoint").click()
    expect(page.locator('[data-field="url"] .error')).to_contain_text("private, loopback or reserved address")
    expect(page.get_by_label("Question approved")).to_be_checked()
    expect(page.get_by_label("URL")).to_have_value("http://10.1.2.3/hook")
    page.get_by_label("URL").fill(CRM)
    page.get_by_role("button", name="Add the endpoint").click()
    expect(page.get_by_role("status").first).to_contain_text("The endpoint is added")
    crm = Endpoint.objects.get(url=CRM)
    expect(page.get_by_test_id("secret")).to_have_value(crm.secret)
    page.screenshot(path=str(SCREENSHOTS / "organise-webhooks-secret-desktop.png"))

    page.get_by_label("URL").fill(SCREEN)
    page.get_by_label("Session status changed").check()
    page.get_by_role("button", name="Add the endpoint").click()
    expect(page.get_by_test_id("endpoint")).to_have_count(2)
    screen = Endpoint.objects.get(url=SCREEN)

    log(crm, "question.approved", "delivered", 40, attempts=1, last_status=200)
    log(crm, "poll.closed", "delivered", 25, attempts=2, last_status=204)
    log(crm, "question.approved", "failed", 12, attempts=10, last_status=503, last_error="HTTP 503")
    log(
        crm, "question.approved", "pending", 2, attempts=3, last_error="ConnectTimeoutError: timed out",
        next_attempt_at=timezone.now() + timedelta(seconds=70),
    )  # fmt: skip
    log(screen, "session.status_changed", "delivered", 30, attempts=1, last_status=200)

    card = page.get_by_test_id("endpoint").filter(has_text=SCREEN)
    card.get_by_role("button", name="Send a test delivery").click()
    expect(page.get_by_role("status").first).to_contain_text("A test delivery is queued")
    expect(card.locator("tr[data-state=pending]")).to_contain_text("Test delivery")
    assert Delivery.objects.get(endpoint=screen, type="ping").state == "pending"
    first = page.get_by_test_id("endpoint").filter(has_text=CRM)
    expect(first.locator("tr[data-state=failed]")).to_contain_text("HTTP 503")
    expect(first).to_contain_text("4 deliveries in all")
    assert page.get_by_test_id("secret").count() == 0  # shown once, not on the next page

    page.evaluate(axe_source())
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], "runs off the screen"
        assert page.evaluate(RUN_AXE, WCAG_22_AA) == []
        page.screenshot(path=str(SCREENSHOTS / f"organise-webhooks-{size}.png"), full_page=True)

    # Delete asks first; only the confirmation's button deletes.
    card.get_by_role("link", name=f"Delete {SCREEN}").click()
    expect(page.get_by_role("heading", name="Delete a webhook endpoint")).to_be_visible()
    expect(page.locator("main")).to_contain_text("1 delivery not sent yet is dropped")
    page.screenshot(path=str(SCREENSHOTS / "organise-webhook-delete-phone.png"))
    page.get_by_role("button", name="Delete the endpoint").click()
    expect(page.get_by_role("status").first).to_contain_text("The endpoint is deleted")
    expect(page.get_by_test_id("endpoint")).to_have_count(1)
    page.context.close()
    # The refused form answered 400 on purpose; Chromium logs that answer as a console error.
    refused = [error for error in console.errors if "status of 400" in error]
    assert len(refused) == 1
    console.errors = [error for error in console.errors if error not in refused]
