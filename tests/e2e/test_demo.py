"""The demo as a visitor meets it: officers of a sở and of a xã answer criteria of the 2025 samples."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from dti_portal.demo import DEMO_PASSWORD

pytestmark = pytest.mark.e2e


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo")


def _open_entry(page, login, username):
    login(username, DEMO_PASSWORD)
    # The unit's table of assessments (the work queue above it links the same period).
    page.get_by_test_id("unit-assessments").get_by_role("link", name="Đánh giá DTI năm 2025 (dữ liệu mẫu)").click()
    expect(page.get_by_test_id("status")).to_have_text("Đang nhập liệu")


def test_the_demo_officers_answer_criteria_and_see_their_scores(demo, page, login, snapshot, browser, live_server):
    _open_entry(page, login, "daklak.canbo")
    expect(page.get_by_test_id("entry-unit")).to_have_text("Sở Y tế")
    expect(page.get_by_test_id("subtotal-1")).to_contain_text("78 / 100")
    expect(page.locator("[data-code='2.6']").get_by_label("Mẫu số (b)")).to_have_value("48.735,2")
    card = page.locator("[data-code='3.1']")
    card.get_by_label("Tử số (a)").fill("118")
    card.get_by_label("Mẫu số (b)").fill("124")
    card.get_by_role("button", name="Lưu").click()
    expect(page.get_by_test_id("score-3.1")).to_have_text("14,2742 / 15 điểm")
    snapshot("-so")

    xa = browser.new_context(base_url=live_server.url, locale="vi-VN", viewport={"width": 1366, "height": 768}).new_page()
    xa.goto("/dang-nhap/")
    xa.get_by_label("Tên đăng nhập").fill("daklak.canbo3")
    xa.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    xa.get_by_role("button", name="Đăng nhập").click()
    xa.get_by_test_id("unit-assessments").get_by_role("link", name="Đánh giá DTI năm 2025 (dữ liệu mẫu)").click()
    expect(xa.get_by_test_id("entry-unit")).to_have_text("UBND xã Hòa Phú")
    expect(xa.get_by_test_id("progress")).to_contain_text("0/46")  # 47 criteria, one collected only
    card = xa.locator("[data-code='6.2']")
    card.get_by_label("Tử số (a)").fill("382")  # 76,4 % of the files online: ½ max
    card.get_by_label("Mẫu số (b)").fill("500")
    card.get_by_role("button", name="Lưu").click()
    expect(xa.get_by_test_id("score-6.2")).to_have_text("20 / 40 điểm")
    expect(xa.get_by_test_id("grand-total")).to_have_text("20")
    xa.screenshot(path="test-artifacts/e2e/demo-xa.png", full_page=True)
    xa.context.close()
