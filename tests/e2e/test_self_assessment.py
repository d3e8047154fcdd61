
import pytest
from django_scopes import scope, scopes_disabled
from playwright.sync_api import expect

from assessments.models import Assessment
from assessments.services import answer_save
from tests.assessments.conftest import build_framework, open_period

pytestmark = pytest.mark.e2e


@pytest.fixture
def big(world):
    """An open period whose framework has 105 indicators (101 leaves to answer)."""
    period = open_period(world, world.province_a, build_framework(world.province_a, extra_leaves=100))
    with scopes_disabled():
        return Assessment.objects.select_related("framework").get(period=period)


def test_an_officer_fills_leaves_returns_uploads_completes_and_submits(world, big, page, login, snapshot, tmp_path, browser, live_server):
    login("a.canbo1")
    page.get_by_test_id("unit-assessments").get_by_role("link", name="Kỳ đánh giá 2025").click()
    expect(page.get_by_test_id("progress")).to_contain_text("Đã trả lời 0/104 chỉ tiêu")

    card = page.locator("[data-code='1.2']")
    card.get_by_label("Tử số (a)").fill("41,6")
    card.get_by_label("Mẫu số (b)").fill("52")
    card.get_by_role("button", name="Lưu").click()
    expect(page.locator("[data-testid='score-1.2']")).to_have_text("8 / 10 điểm")

    card = page.locator("[data-code='1.1']")
    card.get_by_label("Có", exact=True).check()
    card.get_by_role("button", name="Lưu").click()
    expect(page.get_by_test_id("missing-1.1")).to_have_text("thiếu tài liệu kiểm chứng")

    card = page.locator("[data-code='1.3']")
    card.get_by_label("Số lượng").fill("2,5")
    card.get_by_role("button", name="Lưu").click()
    expect(page.get_by_test_id("notice-1.3")).to_contain_text("Số lượng: “2,5” phải là số nguyên.")
    expect(page.locator("[data-code='1.3']").get_by_label("Số lượng")).to_have_value("2,5")
    snapshot("-partial")

    # Leave and come back in a new browser session: everything is still there.
    page.context.clear_cookies()
    login("a.canbo1")
    page.goto(f"/tinh-a/tu-danh-gia/{big.pk}/")
    expect(page.locator("[data-code='1.2']").get_by_label("Tử số (a)")).to_have_value("41,6")
    expect(page.get_by_test_id("grand-total")).to_have_text("18")

    # Upload evidence, and download it back.
    scan = tmp_path / "Ảnh chụp chuyên mục.pdf"
    scan.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n")
    upload = page.locator("[data-code='1.1'] form.evidence-upload")
    upload.locator("input[type=file]").set_input_files(str(scan))
    upload.get_by_role("button", name="Tải lên").click()
    link = page.get_by_test_id("evidence-1.1").get_by_role("link", name="Ảnh chụp chuyên mục.pdf", exact=True)
    expect(link).to_be_visible()
    with page.expect_download() as download:
        link.click()
    assert open(download.value.path(), "rb").read() == scan.read_bytes()
    evidence_url = link.get_attribute("href")

    # A file over the limit is refused in the browser before it is sent.
    big_file = tmp_path / "qua-lon.pdf"
    big_file.write_bytes(b"%PDF-1.4\n" + b"0" * (20 * 1024 * 1024 + 10))
    upload = page.locator("[data-code='1.2'] form.evidence-upload")
    upload.locator("input[type=file]").set_input_files(str(big_file))
    expect(page.locator("[data-code='1.2'] .upload-error")).to_contain_text("vượt giới hạn 20 MB")

    # The list of what is left, then complete it (the rest through the service, as typing 100 rows would).
    page.get_by_role("link", name="Gửi bản tự đánh giá").click()
    expect(page.get_by_test_id("missing-list")).to_contain_text("1.3")
    snapshot("-missing")
    with scope(province=world.province_a):
        for indicator in big.framework.indicators.filter(children__isnull=True).exclude(code__in=["1.1", "1.2"]):
            inputs = {"count": "3"} if indicator.rule == "count" else {"points": "1"}
            answer_save(assessment=big, indicator=indicator, inputs=inputs, note="", actor=world.officer_a1)
    page.reload()
    page.get_by_role("button", name="Xác nhận gửi").click()
    expect(page.get_by_test_id("read-only")).to_contain_text("Đơn vị đã gửi bản tự đánh giá")
    expect(page.get_by_test_id("status")).to_have_text("Đã gửi")
    expect(page.get_by_role("button", name="Lưu")).to_have_count(0)
    snapshot()

    # Another unit's officer cannot open the evidence.
    other = browser.new_context(base_url=live_server.url).new_page()
    other.goto("/dang-nhap/")
    other.get_by_label("Tên đăng nhập").fill("a.canbo2")
    other.get_by_label("Mật khẩu").fill("Mat-khau-thu-2026")
    other.get_by_role("button", name="Đăng nhập").click()
    response = other.goto(evidence_url)
    assert response.status == 404
    expect(other.locator("h1")).to_have_text("Không tìm thấy trang")
    other.context.close()


def test_an_admin_creates_and_opens_a_period_and_leadership_follows_progress(world, page, login, snapshot, browser, live_server):
    build_framework(world.province_a)
    login("a.quantri")
    page.goto("/tinh-a/ky-danh-gia/")
    page.get_by_role("link", name="Tạo kỳ đánh giá").click()
    page.get_by_label("Năm").fill("2025")
    page.get_by_label("Tên kỳ đánh giá").fill("Đánh giá DTI năm 2025")
    page.get_by_label("Tự đánh giá từ").fill("01/01/2025")
    page.get_by_label("Hạn tự đánh giá").fill("31/12/2099")
    page.get_by_label("Bộ chỉ số cho Sở, ban, ngành").select_option(label="Bộ chỉ số sở 2025 (2025)")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_test_id("period-name")).to_have_text("Đánh giá DTI năm 2025")
    page.get_by_role("button", name="Mở kỳ đánh giá").click()
    expect(page.locator(".alert-success")).to_contain_text("1 đơn vị có bản tự đánh giá")
    expect(page.locator("tr[data-unit='Sở Y tế']")).to_contain_text("Chưa gửi")
    snapshot()

    leader = browser.new_context(base_url=live_server.url).new_page()
    leader.goto("/dang-nhap/")
    leader.get_by_label("Tên đăng nhập").fill("a.lanhdao")
    leader.get_by_label("Mật khẩu").fill("Mat-khau-thu-2026")
    leader.get_by_role("button", name="Đăng nhập").click()
    leader.get_by_role("link", name="Kỳ đánh giá", exact=True).click()
    leader.get_by_role("link", name="Đánh giá DTI năm 2025").click()
    expect(leader.get_by_test_id("progress-table")).to_contain_text("0/4")
    expect(leader.get_by_role("button", name="Mở kỳ đánh giá")).to_have_count(0)
    leader.context.close()
