
import pytest
from playwright.sync_api import expect

from tests.assessments.conftest import assessment, indicators, period, team  # noqa: F401  (fixtures)

pytestmark = pytest.mark.e2e


def _as(page, login, username):
    page.context.clear_cookies()
    login(username)


def test_two_rounds_explanation_signatures_and_the_final_result(team, assessment, page, login, snapshot):  # noqa: F811
    unit_page = f"/tinh-a/tham-dinh/danh-gia/{assessment.pk}/"
    board = f"/tinh-a/tham-dinh/ky/{assessment.period_id}/"

    # Round 1: the appraiser adjusts two scores, confirms the rest.
    _as(page, login, "a.thamdinh")
    page.goto(board)
    page.get_by_role("link", name="Sở Y tế").click()
    row = page.locator("tr[data-code='1.2']")
    row.get_by_label("Điều chỉnh điểm").check()
    row.get_by_label("Tử số (a) (1.2)").fill("3")
    row.get_by_label("Mẫu số (b) (1.2)").fill("10")
    row.get_by_label("Lý do (1.2)").fill("Chỉ 3 hồ sơ có minh chứng")
    row.get_by_role("button", name="Lưu").click()
    expect(page.get_by_test_id("r1-1.2")).to_contain_text("Điều chỉnh điểm: 3")
    row = page.locator("tr[data-code='1.3']")
    row.get_by_label("Điều chỉnh điểm").check()
    row.get_by_label("Số lượng (1.3)").fill("1")
    row.get_by_label("Lý do (1.3)").fill("Một văn bản không phải chỉ đạo chuyên đề")
    row.get_by_role("button", name="Lưu").click()
    expect(page.get_by_test_id("r1-1.3")).to_contain_text("Điều chỉnh điểm: 2")
    page.get_by_role("button", name="Xác nhận tất cả chỉ tiêu chưa xem").click()
    expect(page.locator(".alert-success")).to_contain_text("Đã xác nhận 2 chỉ tiêu")
    snapshot("-round1")

    # The lead closes round 1.
    _as(page, login, "a.totruong")
    page.goto(board)
    page.get_by_role("link", name="Đóng vòng 1, trả kết quả cho đơn vị (1 đơn vị)…").click()
    page.get_by_role("button", name="Xác nhận đóng vòng 1").click()
    expect(page.locator("tr[data-unit='Sở Y tế']")).to_contain_text("Chờ giải trình")

    # The unit explains one of the two.
    _as(page, login, "a.canbo1")
    page.goto(f"/tinh-a/tu-danh-gia/{assessment.pk}/")
    expect(page.get_by_test_id("round1-1.2")).to_contain_text("Chỉ 3 hồ sơ có minh chứng")
    page.locator("[data-code='1.2']").get_by_label("Giải trình").fill("Đã bổ sung danh sách 4 hồ sơ trực tuyến")
    page.locator("[data-code='1.2']").get_by_role("button", name="Lưu giải trình").click()
    snapshot("-explanation")
    page.get_by_role("button", name="Gửi giải trình").click()
    expect(page.get_by_test_id("status")).to_have_text("Đã giải trình")

    # Round 2: one adjustment withdrawn, the other kept; every appraiser signs.
    _as(page, login, "a.totruong")
    page.goto(board)
    page.get_by_role("link", name="Bắt đầu thẩm định lần 2 (1 đơn vị)…").click()
    page.get_by_role("button", name="Xác nhận bắt đầu thẩm định lần 2").click()
    _as(page, login, "a.thamdinh")
    page.goto(unit_page)
    row = page.locator("tr[data-code='1.2']")
    expect(row).to_contain_text("Đã bổ sung danh sách 4 hồ sơ trực tuyến")
    row.get_by_label("Rút điều chỉnh (về điểm tự đánh giá)").check()
    row.get_by_label("Lý do (1.2)").fill("Chấp nhận giải trình")
    row.get_by_role("button", name="Lưu").click()
    expect(page.get_by_test_id("r2-1.2")).to_contain_text("Rút điều chỉnh")
    page.get_by_role("button", name="Xác nhận tất cả chỉ tiêu chưa xem").click()
    page.get_by_role("button", name="Ký xác nhận").click()
    expect(page.get_by_test_id("signed")).to_contain_text("A Thamdinh")
    _as(page, login, "a.thamdinh2")
    page.goto(unit_page)
    page.get_by_role("button", name="Ký xác nhận").click()
    expect(page.get_by_test_id("signed")).to_contain_text("A Thamdinh2")

    # The lead finalises.
    _as(page, login, "a.totruong")
    page.goto(unit_page)
    page.get_by_role("link", name="Chốt kết quả…").click()
    page.get_by_role("button", name="Xác nhận chốt kết quả").click()
    expect(page.get_by_test_id("status")).to_have_text("Đã chốt kết quả")
    snapshot("-final")

    # The officer sees self-score, round 1, final score and reason for each indicator.
    _as(page, login, "a.canbo1")
    page.goto(f"/tinh-a/tu-danh-gia/{assessment.pk}/")
    expect(page.get_by_test_id("result-1.2")).to_contain_text("Tự chấm: 4 · Thẩm định lần 1: 3 · Điểm chính thức: 4")
    expect(page.get_by_test_id("result-1.3")).to_contain_text(
        "Tự chấm: 4 · Thẩm định lần 1: 2 · Điểm chính thức: 2 · Lý do mất điểm: Một văn bản không phải chỉ đạo chuyên đề")
    expect(page.get_by_test_id("result-2")).to_contain_text("Tự chấm: 8 · Thẩm định lần 1: 8 · Điểm chính thức: 8")
    expect(page.get_by_test_id("final-total")).to_have_text("14")
    snapshot()
