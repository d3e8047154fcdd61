"""The province admin edits a unit, then finds the change in the province's log, filters it and
follows an assessment's entry to that unit's history (issue 11, part 5)."""

from playwright.sync_api import expect

from tests.assessments.conftest import assessment, period  # noqa: F401  (fixtures)


def test_the_admin_finds_a_change_in_the_log_filters_it_and_follows_an_entry(world, page, login, snapshot, assessment):
    page.set_viewport_size({"width": 1366, "height": 768})
    login("a.quantri")
    page.goto("/tinh-a/quan-tri/")
    page.get_by_role("link", name="Sở Y tế").first.click()
    page.get_by_role("link", name="Sửa").first.click()
    page.get_by_label("Tên đơn vị").fill("Sở Y tế tỉnh A")
    page.get_by_role("button", name="Lưu").click()

    page.goto("/tinh-a/quan-tri/")
    page.get_by_test_id("log-link").click()
    log = page.get_by_test_id("log")
    expect(log.get_by_role("row").nth(1)).to_contain_text("Sửa đơn vị")
    expect(log).to_contain_text("Tên: Sở Y tế → Sở Y tế tỉnh A")
    expect(log).to_contain_text("Mở kỳ đánh giá")
    snapshot("log")

    page.get_by_label("Nội dung").select_option(label="Người dùng và vai trò")
    page.get_by_role("button", name="Lọc").click()
    expect(log).to_contain_text("Không có mục nào khớp bộ lọc.")
    page.get_by_label("Nội dung").select_option(label="Tự đánh giá và thẩm định")
    page.get_by_label("Từ ngày").fill("31/02/2026")
    page.get_by_role("button", name="Lọc").click()
    expect(page.get_by_test_id("filter-error")).to_have_text(
        "Ngày không đúng: hãy viết một ngày có thật dạng ngày/tháng/năm, ví dụ 05/11/2026.")
    log.get_by_role("link", name="Sở Y tế – Kỳ đánh giá 2025").first.click()  # named as it was then
    expect(page.get_by_role("heading", level=1)).to_have_text("Lịch sử thay đổi – Sở Y tế tỉnh A")
    expect(page.get_by_test_id("events")).to_contain_text("Tạo bản đánh giá")
