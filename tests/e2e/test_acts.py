"""The lead's irreversible acts in the browser, at 1366 × 768: the board offers only the act of the
stage, each act shows what it will do before it is done, and the history reads as sentences."""

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from assessments import appraisal
from tests.assessments.conftest import assessment, indicators, period, team  # noqa: F401  (fixtures)
from tests.conftest import PASSWORD
from tests.e2e.conftest import _artifact, open_page

pytestmark = pytest.mark.e2e
ACTS = ("bat-dau-vong-1", "dong-vong-1", "bat-dau-vong-2")


@pytest.fixture
def wide(browser, live_server, request):
    """A page at the office screen's size, 1366 × 768."""
    yield from open_page(browser, live_server, request, 1366, 768)


def _login(page, username):
    page.context.clear_cookies()
    page.goto("/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()


def _offered(page) -> list[str]:
    return [act for act in ACTS if page.locator(f"[data-act='{act}']").count()]


def _fits_the_screen(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366


def test_the_lead_closes_round_one_opens_round_two_and_finalises_each_after_reading_what_will_happen(
        team, assessment, indicators, wide, request):  # noqa: F811
    page, board = wide, f"/tinh-a/tham-dinh/ky/{assessment.period_id}/"
    shot = lambda suffix: page.screenshot(path=_artifact(request, suffix), full_page=True)  # noqa: E731
    province = team.province_a

    _login(page, "a.totruong")
    page.goto(board)
    assert _offered(page) == ["dong-vong-1"]
    shot("-1-board-round1")

    # Round 1 decided (the appraisers' pages are walked in test_appraisal.py).
    with scope(province=province):
        appraisal.review_save(assessment=assessment, indicator=indicators["1.2"], round=1, decision="adjust",
                              reviewer=team.appraiser_a, inputs={"a": "3", "b": "10"}, reason="Chỉ 3 hồ sơ có minh chứng")
        appraisal.confirm_all(assessment=assessment, round=1, reviewer=team.appraiser_a)
        appraisal.confirm_all(assessment=assessment, round=1, reviewer=team.appraiser2)
    page.get_by_role("link", name="Đóng vòng 1, trả kết quả cho đơn vị (1 đơn vị)…").click()
    moves = page.get_by_test_id("plan-moves")
    expect(moves).to_contain_text("Sở Y tế")
    expect(moves).to_contain_text("Chờ giải trình")
    expect(moves).to_contain_text("1 chỉ tiêu được điều chỉnh hoặc yêu cầu bổ sung")
    expect(page.get_by_test_id("plan-notified")).to_contain_text("cán bộ đầu mối của đơn vị (mời giải trình)")
    _fits_the_screen(page)
    shot("-2-confirm-close-round1")
    page.get_by_role("button", name="Xác nhận đóng vòng 1").click()
    expect(page.locator(".alert-success")).to_contain_text("Đã đóng vòng 1: 1 đơn vị chờ giải trình")
    expect(page.locator("tr[data-unit='Sở Y tế']")).to_contain_text("Chờ giải trình")
    assert _offered(page) == []
    expect(page.get_by_test_id("stage")).to_contain_text("1 đơn vị đang giải trình")
    shot("-3-board-returned")

    # The unit explains (its page is walked in test_appraisal.py); round 2 fits the stage.
    with scope(province=province):
        appraisal.explanation_save(assessment=assessment, indicator=indicators["1.2"], text="Bổ sung 4 hồ sơ", actor=team.officer_a1)
        appraisal.explanation_submit(assessment=assessment, actor=team.officer_a1)
    page.goto(board)
    assert _offered(page) == ["bat-dau-vong-2"]
    page.get_by_role("link", name="Bắt đầu thẩm định lần 2 (1 đơn vị)…").click()
    expect(page.get_by_test_id("plan-moves")).to_contain_text("Đã giải trình")
    page.get_by_role("button", name="Xác nhận bắt đầu thẩm định lần 2").click()
    expect(page.locator("tr[data-unit='Sở Y tế']")).to_contain_text("Thẩm định lần 2")
    assert _offered(page) == [] and page.get_by_role("link", name="Chốt kết quả…").count() == 0

    # Every appraiser decides and signs: the unit's row offers finalising.
    with scope(province=province):
        for appraiser in (team.appraiser_a, team.appraiser2):
            appraisal.confirm_all(assessment=assessment, round=2, reviewer=appraiser)
            appraisal.sign_off(assessment=assessment, appraiser=appraiser)
    page.goto(board)
    expect(page.get_by_test_id("stage")).to_contain_text("1 đơn vị đã đủ chữ ký")
    shot("-4-board-signed")
    page.get_by_role("link", name="Chốt kết quả…").click()
    expect(page.get_by_test_id("confirm-title")).to_have_text("Chốt kết quả – Sở Y tế")
    expect(page.get_by_test_id("plan-moves")).to_contain_text("tổng điểm chính thức: 15")  # 0 + 3 (adjusted) + 4 + 8
    expect(page.get_by_test_id("plan-effects")).to_contain_text("chỉ quản trị tỉnh mở lại được")
    shot("-5-confirm-finalise")
    page.get_by_role("button", name="Xác nhận chốt kết quả").click()
    expect(page.get_by_test_id("status")).to_have_text("Đã chốt kết quả")
    page.goto(board)
    assert _offered(page) == []
    expect(page.get_by_test_id("stage")).to_contain_text("Mọi đơn vị đã chốt kết quả")
    shot("-6-board-final")

    # The history reads as sentences and fits the screen.
    page.goto(f"/tinh-a/tu-danh-gia/{assessment.pk}/lich-su/")
    events = page.get_by_test_id("events")
    expect(events).to_contain_text("Thẩm định lần 1: Điều chỉnh điểm")
    expect(events).to_contain_text("Số liệu điều chỉnh: a 3; b 10")
    expect(events).to_contain_text("Trạng thái: Thẩm định lần 1 → Chờ giải trình")
    expect(events).to_contain_text("Giải trình: “Bổ sung 4 hồ sơ”")
    expect(events).to_contain_text("Chốt kết quả")
    expect(events).not_to_contain_text("assessment.")
    _fits_the_screen(page)
    shot("-7-history")
