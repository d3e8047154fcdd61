import pytest
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

PASSWORD = "DTI-demo-2026"


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo")


def test_an_admin_publishes_leadership_downloads_and_the_public_sees_the_results(demo, page, login, snapshot, browser, live_server):
    login("daknong.quantri", PASSWORD)
    page.goto("/daknong/lanh-dao/cong-bo/")
    page.get_by_label("Năm").select_option("2024")
    page.get_by_label("Số quyết định").fill("999/QĐ-UBND")
    page.get_by_label("Ngày (dd/mm/yyyy)").fill("01/03/2025")
    page.get_by_label("Người ký").fill("Chủ tịch UBND tỉnh")
    page.get_by_role("button", name="Công bố").click()
    expect(page.locator(".alert-danger").first).to_contain_text("bản đánh giá chưa chốt kết quả")
    page.get_by_label("Năm").select_option("2023")
    page.get_by_label("Số quyết định").fill("401/QĐ-UBND")
    page.get_by_label("Ngày (dd/mm/yyyy)").fill("05/04/2024")
    page.get_by_label("Người ký").fill("Chủ tịch UBND tỉnh")
    page.get_by_role("button", name="Công bố").click()
    expect(page.locator(".alert-success")).to_contain_text("Đã công bố kết quả năm 2023")
    expect(page.get_by_test_id("publications")).to_contain_text("401/QĐ-UBND")
    snapshot()

    leader = browser.new_context(base_url=live_server.url).new_page()
    leader.goto("/dang-nhap/")
    leader.get_by_label("Tên đăng nhập").fill("daknong.lanhdao")
    leader.get_by_label("Mật khẩu").fill(PASSWORD)
    leader.get_by_role("button", name="Đăng nhập").click()
    leader.goto("/daknong/lanh-dao/cong-bo/")
    with leader.expect_download() as download:
        leader.get_by_role("link", name="PDF").click()
    assert open(download.value.path(), "rb").read(5) == b"%PDF-"
    leader.context.close()

    public = browser.new_context(base_url=live_server.url).new_page()
    public.goto("/daknong/cong-khai/")
    public.get_by_role("link", name="Năm 2023").click()
    expect(public.get_by_test_id("public-table").first).to_contain_text("Sở Thông tin và Truyền thông")
    expect(public.get_by_test_id("public-table").first).to_contain_text("738,08")
    public.screenshot(path="test-artifacts/e2e/public-2023.png", full_page=True)
    assert public.goto("/daknong/cong-khai/2024/").status == 404
    public.context.close()
