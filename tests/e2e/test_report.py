"""The scripted day in Chromium: the console's live analytics, then its report: every chart an SVG
beside its numbers, the print layout without the page's chrome, as a screenshot and as an A4 PDF;
an organiser downloads the data from the report and from the organiser pages."""

import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from sessions.rolelinks import role_key_make
from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.test_organise import signed_in_organiser
from tests.exports.conftest import clock, day  # noqa: F401 - the scripted day's fixtures

pytestmark = pytest.mark.e2e

CHARTS = ["chart-joined", "chart-connected", "chart-activity", "chart-sessions"]
CHARTS += ["chart-poll", "chart-swing", "chart-moderation"]


def test_the_report_draws_every_chart_and_prints_on_a4(server, browser, console, screenshot, day, event):  # noqa: F811
    key = role_key_make(event=event, role="moderator", hours=1)
    page = console.watch(browser.new_context(viewport={"width": 1440, "height": 900}).new_page(), "report")
    page.goto(f"{server.http}/e/SFH2022/moderate/?key={key}")
    # The console's live analytics: the day's approvals came 2 minutes after the questions.
    analytics = page.get_by_test_id("live-analytics")
    expect(analytics.get_by_test_id("analytics-wait")).to_have_text("2 min 0 s (last 3)")
    expect(analytics.get_by_test_id("analytics-attendees")).to_have_text("0 in the room · 0 online")
    expect(analytics.get_by_test_id("analytics-questions")).to_have_text("0")
    # The snapshot's totals are votes given before the console opened, not this minute's.
    expect(analytics.get_by_test_id("analytics-votes")).to_have_text("0")
    screenshot(page, "moderate-analytics-desktop")
    page.get_by_test_id("report-link").click()
    expect(page).to_have_url(re.compile(r"/e/SFH2022/report/\?key="))

    for chart in CHARTS:
        for figure in page.get_by_test_id(chart).all() or pytest.fail(f"no {chart}"):
            expect(figure.locator("svg").first).to_be_visible()
    # Three polls (the word cloud too), one swing; each chart has its table of numbers.
    expect(page.get_by_test_id("chart-poll")).to_have_count(3)
    expect(page.get_by_test_id("numbers-poll")).to_have_count(3)
    expect(page.get_by_test_id("numbers-swing").locator("tbody tr").first.locator("th, td")).to_have_text(
        ["Agree", "2", "2"]
    )
    expect(page.get_by_test_id("numbers-participation").locator("tbody tr").first.locator("th, td")).to_have_text(
        ["10:00", "3", "2", "4", "2", "0", "0", "0"]
    )
    expect(page.get_by_test_id("moderation-figures")).to_contain_text("2 min 0 s")
    download = page.get_by_role("button", name="Download PDF")
    expect(download).to_be_visible()
    screenshot(page, "report-desktop")

    page.emulate_media(media="print")
    expect(page.get_by_test_id("report-chrome")).to_be_hidden()
    expect(page.get_by_test_id("chart-swing").locator("svg").first).to_be_visible()
    screenshot(page, "report-print")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    pdf = page.pdf(path=str(SCREENSHOTS / "report.pdf"), format="A4", prefer_css_page_size=True)
    assert (
        pdf.startswith(b"%PDF")
        and pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") + pdf.count(b"/Type/Page") >= 5
    )

    phone = console.watch(
        browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, device_scale_factor=1).new_page(),
        "report-phone",
    )
    # Its charts drawn is what counts; under a loaded CI the "load" event once never came within
    # 30 s (a stalled subresource, not found).
    phone.goto(f"{server.http}/e/SFH2022/report/?key={key}", wait_until="domcontentloaded")
    expect(phone.get_by_test_id("chart-swing").locator("svg").first).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "report-phone")


def test_an_organiser_downloads_the_data_from_the_report(server, browser, console, day, event, tmp_path):  # noqa: F811
    def top(page, name: str) -> None:
        # The downloads are at the top; the whole page is the moderator's screenshot above.
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = signed_in_organiser(server, browser, console, "/e/SFH2022/report/")
    exports = page.get_by_test_id("report-exports")
    expect(exports.get_by_role("link")).to_have_text(["Excel workbook (.xlsx)", "CSV files (.zip)", "JSON"])
    expect(page.get_by_test_id("report-chrome").get_by_role("link")).to_have_text("Back to the organiser pages")
    with page.expect_download() as download:
        exports.get_by_role("link", name="Excel workbook (.xlsx)").click()
    assert download.value.suggested_filename == "SFH2022.xlsx"
    download.value.save_as(tmp_path / "day.xlsx")
    texts = [row[3] for row in load_workbook(tmp_path / "day.xlsx")["questions"].iter_rows(values_only=True)]
    assert "Who pays for one-shot gene therapies?" in texts
    top(page, "report-organiser-desktop")

    page.get_by_role("button", name=re.compile("^FR ")).click()
    expect(exports.get_by_role("heading")).to_have_text("Exporter les données")
    expect(exports.get_by_role("link")).to_have_text(["Classeur Excel (.xlsx)", "Fichiers CSV (.zip)", "JSON"])
    top(page, "report-organiser-desktop-fr")

    phone = console.watch(
        browser.new_context(
            storage_state=page.context.storage_state(),
            viewport={"width": 390, "height": 844},
            is_mobile=True,
            device_scale_factor=1,
        ).new_page(),
        "report-organiser-phone",
    )
    phone.goto(f"{server.http}/e/SFH2022/report/")
    links = phone.get_by_test_id("report-exports").get_by_role("link")
    expect(links).to_have_text(["Classeur Excel (.xlsx)", "Fichiers CSV (.zip)", "JSON"])
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    for link in links.all():
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390 and box["height"] >= 44
    top(phone, "report-organiser-phone-fr")
    phone.get_by_role("button", name=re.compile("^EN ")).click()
    expect(links.first).to_have_text("Excel workbook (.xlsx)")
    top(phone, "report-organiser-phone")

    # The organiser pages offer the same downloads on the event's Settings page.
    phone.get_by_role("link", name="Back to the organiser pages").click()
    card = phone.get_by_test_id("organiser-exports")
    expect(card.get_by_role("link")).to_have_text(
        ["Excel workbook (.xlsx)", "CSV files (.zip)", "JSON", "The event's report, with charts (printable, PDF)"]
    )
    card.scroll_into_view_if_needed()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    top(phone, "organise-settings-exports-phone")
