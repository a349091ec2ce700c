"""The console's export: a moderator picks a session and downloads its workbook."""

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from sessions.rolelinks import role_key_make

pytestmark = pytest.mark.e2e

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 1}
DESKTOP = {"viewport": {"width": 1440, "height": 900}}


def test_the_console_downloads_a_sessions_workbook(open_page, screenshot, event, roundtable, join, ask, tmp_path):
    ask(join("Ana", "room"), text="Who pays for one-shot gene therapies in the end?", anonymous=False)
    key = role_key_make(event=event, role="moderator", hours=1)
    page = open_page("moderate", f"/e/SFH2022/moderate/?key={key}", accept_downloads=True, **DESKTOP)
    exports = page.get_by_test_id("exports")
    exports.get_by_test_id("export-session").select_option(label=roundtable.title)
    exports.scroll_into_view_if_needed()
    screenshot(page, "moderate-export-desktop")

    with page.expect_download() as download:
        exports.get_by_role("link", name="Excel workbook (.xlsx)").click()
    assert download.value.suggested_filename == f"SFH2022-session-{roundtable.pk}.xlsx"
    download.value.save_as(tmp_path / "day.xlsx")
    questions = load_workbook(tmp_path / "day.xlsx")["questions"]
    rows = list(questions.iter_rows(values_only=True))
    assert [(row[3], row[5], row[6]) for row in rows[1:]] == [
        ("Who pays for one-shot gene therapies in the end?", "Ana", "room")
    ]
    # The moderation log says who took the data.
    expect(page.get_by_test_id("audit-log").locator('li[data-action="exported"]')).to_contain_text(
        "exported the data (xlsx)"
    )


def test_the_export_fits_a_phone(open_page, screenshot, event):
    key = role_key_make(event=event, role="moderator", hours=1)
    page = open_page("moderate", f"/e/SFH2022/moderate/?key={key}", **PHONE)
    exports = page.get_by_test_id("exports")
    exports.get_by_test_id("export-session").select_option(
        label="Can Belgium become the European hub for gene therapy?"
    )
    exports.scroll_into_view_if_needed()
    # A long session title in the choice does not widen the page.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for link in exports.get_by_role("link").all():
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390 and box["height"] >= 44
    screenshot(page, "moderate-export-phone")
