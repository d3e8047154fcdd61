"""Publishing in the browser: the request is queued, the page follows a real db_worker loop (run
here in the test's thread, a few tasks at a time), then leadership downloads and the public sees."""

import io
import zipfile

import pytest
from django.core.management import call_command
from django_tasks_db.management.commands.db_worker import Worker
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

PASSWORD = "DTI-demo-2026"


@pytest.fixture
def demo(transactional_db, settings):
    # The queue is the database, as in production: nothing runs until the worker below takes it.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    call_command("load_demo", mergers=False)  # Đắk Nông as its own tenant (before 01/07/2025): it publishes its 2023
    work()  # the demo's own notification e-mails


def work(max_tasks=None):
    """A db_worker loop in this thread: take ready tasks until none is left (or `max_tasks` done)."""
    Worker(queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
           max_tasks=max_tasks, worker_id="e2e-worker", excluded_queue_names=[]).run()


def test_an_admin_publishes_follows_the_progress_leadership_downloads_and_the_public_sees_the_results(
        demo, page, login, snapshot, browser, live_server):
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
    expect(page.get_by_test_id("plan")).to_contain_text("Bảng xếp hạng năm 2023 được đóng băng")
    page.get_by_role("button", name="Xác nhận công bố năm 2023").click()
    expect(page).to_have_url(f"{live_server.url}/daknong/lanh-dao/cong-bo/2023/")
    expect(page.locator(".alert-success")).to_contain_text("Đã ghi nhận yêu cầu công bố kết quả năm 2023")
    expect(page.get_by_test_id("publication-status")).to_have_text("Đang chờ xử lý")
    snapshot("-1-queued")

    work(max_tasks=2)  # the worker plans the work and makes the report; the workbook is still queued
    expect(page.get_by_test_id("publication-status")).to_have_text("Đang tạo: 1/2 phần")  # the page reloads itself
    expect(page.get_by_test_id("publication-progress")).to_contain_text("báo cáo chính ✓, tệp Excel …")
    snapshot("-2-running")

    work()
    expect(page.get_by_test_id("publication-status")).to_have_text("Đã công bố")
    expect(page.get_by_test_id("publication-files")).to_contain_text("Báo cáo chính (PDF)")
    snapshot("-3-published")
    page.goto("/daknong/lanh-dao/cong-bo/")
    expect(page.get_by_test_id("publications")).to_contain_text("401/QĐ-UBND")
    expect(page.get_by_test_id("publications")).to_contain_text("Đã công bố")

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


def test_a_unit_s_scorecard_and_the_bundle_download_from_the_published_year(demo, page, login, snapshot, live_server):
    login("daklak.quantri", PASSWORD)
    page.goto("/daklak/lanh-dao/cong-bo/")
    page.get_by_label("Năm").select_option("2021")
    page.get_by_label("Số quyết định").fill("KH-BCĐCĐS")
    page.get_by_label("Ngày (dd/mm/yyyy)").fill("15/03/2022")
    page.get_by_label("Người ký").fill("Trưởng Ban Chỉ đạo")
    page.get_by_role("button", name="Công bố").click()
    page.get_by_role("button", name="Xác nhận công bố năm 2021").click()
    expect(page.get_by_test_id("publication-status")).to_have_text("Đang chờ xử lý")
    work()
    expect(page.get_by_test_id("publication-status")).to_have_text("Đã công bố")
    expect(page.get_by_test_id("scorecards")).to_contain_text("UBND tỉnh Đắk Lắk")
    snapshot()
    with page.expect_download() as download:
        page.get_by_role("link", name="UBND tỉnh Đắk Lắk").click()
    assert download.value.suggested_filename == "phieu-diem-daklak-2021-ubnd-tinh-dak-lak.pdf"
    assert open(download.value.path(), "rb").read(5) == b"%PDF-"
    with page.expect_download() as download:
        page.get_by_role("link", name="Phiếu điểm của 1 đơn vị (zip)").click()
    with zipfile.ZipFile(io.BytesIO(open(download.value.path(), "rb").read())) as bundle:
        assert bundle.namelist() == ["001-ubnd-tinh-dak-lak.pdf"]
