"""The officer's offline day: download the unit's workbook, fill it in a spreadsheet, upload it,
review the preview (and its refusals), confirm."""

import io
import os
from pathlib import Path

import openpyxl
import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from assessments.models import Answer, Assessment
from dti_portal.audit.models import Entry
from assessments.workbook import DATA_SHEET
from tests.assessments.conftest import open_period
from tests.assessments.test_workbook import build_catalogue, set_input

pytestmark = pytest.mark.e2e

SHOTS = Path(os.environ.get("WORKBOOK_SHOTS", "/work/notes/shots"))


@pytest.fixture
def assessment(world):
    period = open_period(world, world.province_a, build_catalogue(world.province_a, extra=20))
    with scopes_disabled():
        return Assessment.objects.get(period=period, unit=world.unit_a1)


def shot(page, snapshot, name):
    snapshot(f"-{name}")
    if SHOTS.is_dir():
        page.screenshot(path=SHOTS / f"workbook-{name}.png", full_page=False)


def fill(path: Path, values: dict) -> None:
    book = openpyxl.load_workbook(path)
    for code, inputs in values.items():
        for label, value in inputs.items():
            set_input(book[DATA_SHEET], code, label, value)
    book.save(path)


def test_an_officer_uploads_a_filled_workbook_reviews_the_preview_and_confirms(world, assessment, page, login, snapshot, tmp_path):
    page.set_viewport_size({"width": 1366, "height": 768})
    login("a.canbo1")
    page.goto(f"/tinh-a/tu-danh-gia/{assessment.pk}/")
    with page.expect_download() as download:
        page.get_by_test_id("workbook-download").first.click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.suffix == ".xlsx"

    # First try: two rows refused (a decimal point, a choice not in the list), nothing can be saved.
    fill(path, {"1.1": {"Có/Không": "Có"}, "1.2": {"Lựa chọn": "Giám đốc"}, "1.4": {"Tử số (a)": "41.6", "Mẫu số (b)": "100"},
                "2": {"Số lượng": "3"}})
    page.get_by_test_id("workbook-upload").first.click()
    shot(page, snapshot, "upload")
    page.get_by_label("Bảng tính đã điền (.xlsx)").set_input_files(str(path))
    page.get_by_role("button", name="Xem trước thay đổi").click()
    expect(page.get_by_test_id("workbook-refused")).to_contain_text("2 dòng bị từ chối")
    refusals = page.get_by_test_id("refusals")
    expect(refusals).to_contain_text("“Giám đốc” không có trong các lựa chọn")
    expect(refusals).to_contain_text("“41.6” không rõ nghĩa")
    expect(page.get_by_test_id("workbook-confirm")).to_have_count(0)
    shot(page, snapshot, "preview-refused")

    # Fixed in the spreadsheet, uploaded again: the preview lists each change with its score.
    fill(path, {"1.2": {"Lựa chọn": "Phó chủ tịch, thường trực"}, "1.4": {"Tử số (a)": "41,6"},
                "3": {"Giá trị": "4"}, "6.1": {"Điểm chấm": "1"}})
    page.get_by_role("link", name="Tải lên tệp khác").click()
    page.get_by_label("Bảng tính đã điền (.xlsx)").set_input_files(str(path))
    page.get_by_role("button", name="Xem trước thay đổi").click()
    expect(page.get_by_test_id("workbook-summary")).to_contain_text("6 chỉ tiêu thay đổi · 0 dòng bị từ chối")
    changes = page.get_by_test_id("changes")
    expect(changes.locator("tr", has_text="1.4")).to_contain_text("Tử số (a): 41,6 · Mẫu số (b): 100")
    expect(changes.locator("tr", has_text="Trưởng ban chỉ đạo").get_by_test_id("score")).to_have_text("5 / 10")
    shot(page, snapshot, "preview")

    page.get_by_test_id("workbook-confirm").click()
    expect(page.get_by_text("Đã lưu 6 chỉ tiêu từ bảng tính.")).to_be_visible()
    expect(page.get_by_test_id("entry-unit")).to_have_text("Sở Y tế")
    shot(page, snapshot, "saved")
    with scopes_disabled():
        assert Answer.objects.filter(assessment=assessment).count() == 6
        assert Answer.objects.get(assessment=assessment, indicator__code="1.4").inputs == {"a": "41,6", "b": "100"}
        assert Entry.objects.filter(assessment=assessment, action="answer.saved").count() == 6
