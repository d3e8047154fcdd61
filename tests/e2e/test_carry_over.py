"""Browser journey: an officer copies last year's answers, confirms them, and submits."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.assessments.test_carry_over import years  # noqa: F401 - the two years' fixture

pytestmark = pytest.mark.e2e
SHOTS = Path("/work/notes/shots")


def _shot(page, name):
    if SHOTS.is_dir():  # a person looks at these; CI has no such folder
        page.screenshot(path=str(SHOTS / f"lastyear-{name}.png"))


def test_an_officer_copies_last_years_answers_confirms_them_and_submits(years, page, login, snapshot):  # noqa: F811
    page.set_viewport_size({"width": 1366, "height": 768})
    login("a.canbo1")
    page.goto(f"/tinh-a/tu-danh-gia/{years.this.pk}/")
    page.get_by_test_id("carry-over-link").click()

    expect(page.get_by_test_id("carry-summary")).to_contain_text("cho 4 chỉ tiêu")
    expect(page.get_by_test_id("carry-summary")).to_contain_text("kèm 1 tài liệu kiểm chứng")
    expect(page.get_by_test_id("carry-skipped")).to_contain_text("chỉ tiêu mới, không có trong bộ chỉ số năm trước")
    expect(page.get_by_test_id("carry-skipped")).to_contain_text("các lựa chọn đã đổi so với năm trước")
    _shot(page, "plan")
    snapshot("-plan")
    page.get_by_test_id("carry-submit").click()

    expect(page.get_by_role("alert").filter(has_text="Đã chép số liệu năm trước cho 4 chỉ tiêu")).to_be_visible()
    for code in ("1.1", "1.5", "2", "5"):
        expect(page.get_by_test_id(f"carried-{code}")).to_have_text("từ năm trước — cần xác nhận")
    expect(page.get_by_test_id("evidence-1.1").get_by_role("link", name="chuyen-muc.pdf", exact=True)).to_be_visible()
    expect(page.get_by_test_id("score-1.5")).to_have_text("4 / 10 điểm")
    page.locator("[data-code='1.1']").scroll_into_view_if_needed()
    _shot(page, "entry-carried")

    # The criteria that were not copied: answered by hand.
    page.locator("[data-code='1.3']").get_by_label("Điểm chấm").fill("5")
    page.locator("[data-code='1.3']").get_by_role("button", name="Lưu", exact=True).click()
    expect(page.get_by_test_id("score-1.3")).to_have_text("5 / 10 điểm")
    page.locator("[data-code='3'] input[value='có']").check()
    page.locator("[data-code='3']").get_by_role("button", name="Lưu", exact=True).click()
    expect(page.get_by_test_id("score-3")).to_have_text("5 / 5 điểm")
    page.locator("[data-code='4'] select").select_option("Cấp sở")
    page.locator("[data-code='4']").get_by_role("button", name="Lưu", exact=True).click()
    expect(page.get_by_test_id("score-4")).to_have_text("2 / 5 điểm")

    page.locator("[data-code='6']").get_by_label("Điểm chấm").fill("1")
    page.locator("[data-code='6']").get_by_role("button", name="Lưu", exact=True).click()
    expect(page.get_by_test_id("score-6")).to_have_text("1 / 5 điểm")

    # Submitting with copies still unconfirmed is refused, naming them.
    page.get_by_role("link", name="Gửi bản tự đánh giá").click()
    expect(page.get_by_test_id("carried-list")).to_contain_text("còn 4 chỉ tiêu chép từ năm trước chưa được xác nhận")
    expect(page.get_by_test_id("carried-list").get_by_role("link")).to_have_text(
        ["1.1 Có chuyên mục chuyển đổi số trên cổng", "1.5 Tỷ lệ hồ sơ xử lý trực tuyến", "2 Điểm do đơn vị tự chấm",
         "5 Đánh giá chung"])
    expect(page.get_by_role("button", name="Xác nhận gửi")).to_have_count(0)
    _shot(page, "submit-refused")
    page.get_by_role("link", name="Về trang nhập liệu").click()

    # Three confirmed as they are (in place, no page reload), one changed and saved (which confirms it too).
    page.evaluate("window.sameDocument = true")
    for code in ("1.1", "1.5", "2"):
        page.get_by_test_id(f"confirm-{code}").click()
        expect(page.get_by_test_id(f"notice-{code}")).to_have_text(f"Đã xác nhận số liệu năm trước của chỉ tiêu {code}.")
        expect(page.get_by_test_id(f"carried-{code}")).to_have_count(0)
    assert page.evaluate("window.sameDocument") is True
    page.locator("[data-code='5'] select").select_option("Tốt")
    page.locator("[data-code='5']").get_by_role("button", name="Lưu", exact=True).click()
    expect(page.get_by_test_id("carried-5")).to_have_count(0)
    expect(page.get_by_test_id("score-5")).to_have_text("5 / 5 điểm")

    page.get_by_role("link", name="Gửi bản tự đánh giá").click()
    page.get_by_role("button", name="Xác nhận gửi").click()
    expect(page.get_by_test_id("status")).to_have_text("Đã gửi")
    _shot(page, "submitted")
