"""In the browser: units in Vietnamese order and found without diacritics; the ranking page's Excel
has the page's headers; a unit's page shows the rank its ranking shows (issue 10 parts 8, 9)."""

import io

import openpyxl
import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from dti_portal.demo import DEMO_PASSWORD

pytestmark = pytest.mark.e2e


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo")


def test_leadership_finds_a_unit_without_diacritics_and_its_rank_matches_the_ranking_and_the_excel(demo, page, login, snapshot):
    page.set_viewport_size({"width": 1366, "height": 768})
    login("daklak.lanhdao", DEMO_PASSWORD)
    page.goto("/daklak/lanh-dao/")
    units = page.get_by_test_id("units-so").locator("tbody td:nth-child(2) > a").all_inner_texts()  # the name, not its lineage line
    assert units.index("Sở Công Thương") < units.index("Sở Kế hoạch và Đầu tư") < units.index("Sở Khoa học và Công nghệ")
    page.get_by_label("Tìm đơn vị theo tên hoặc tên gọi khác").fill("so y te")
    page.get_by_role("button", name="Tìm", exact=True).click()
    expect(page.get_by_test_id("units-so")).to_contain_text("Sở Y tế")
    assert page.get_by_test_id("units-so").locator("tbody tr").count() == 1
    page.get_by_role("link", name="Sở Y tế").click()
    expect(page.get_by_test_id("unit-history")).to_contain_text("9/18")
    snapshot("-unit")

    page.goto("/daklak/lanh-dao/xep-hang/2023/so/")
    expect(page.locator('tr[data-unit="Sở Y tế"] [data-testid="rank"]')).to_have_text("9")
    shown = [" ".join(t.split()) for t in page.locator('[data-testid="ranking-table"] thead th').all_inner_texts()]
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải Excel").click()
    with open(download.value.path(), "rb") as file:
        sheet = openpyxl.load_workbook(io.BytesIO(file.read()))["Xếp hạng"]
    assert [c.value for c in next(sheet.iter_rows(max_row=1))] == shown
    snapshot("-ranking")
