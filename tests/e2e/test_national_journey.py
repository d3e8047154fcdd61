"""Issue 12's browser journey on the demo data: Đắk Lắk's coordinating agency opens the 2021 analysis, creates
the e-ID task (8.1) owned by Công an tỉnh with 50 % for 2023 and sees its what-if points; the police's officer
reports the first quarter of 2023 with evidence; the agency downloads the consolidated quarterly report.

The demo's plan (seed 001) already holds that task; the journey starts from the demo without it, so the agency
enters it as the issue tells, and the clock stands at 10/03/2023, while Q1 2023's report is open."""

import io
import subprocess
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.core.management import call_command
from django_scopes import scope
from playwright.sync_api import expect

from dti_portal.accounts.models import User
from dti_portal.demo import DEMO_PASSWORD
from dti_portal.tenancy.models import Province
from tests.national.reports_fixtures import PDF, at, clock  # noqa: F401  (fixtures)

pytestmark = pytest.mark.e2e

SHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "e2e"


@pytest.fixture
def demo(transactional_db, clock):
    from national.models import Task
    from national.plan import task_delete

    call_command("load_demo")
    with scope(province=Province.objects.get(slug="daklak")):
        task = Task.objects.get(owner__name="Công an tỉnh", indicator__code="8.1")
        task_delete(task=task, actor=User.objects.get(username="daklak.quantri"))
    clock(at(2023, 3, 10))


def _login(page, username):
    page.context.clear_cookies()
    page.goto("/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()


PLAN = "Kế hoạch nâng cao Chỉ số Chuyển đổi số tỉnh Đắk Lắk năm 2022 và các năm tiếp theo"


def test_the_agency_plans_the_e_id_task_the_police_report_q1_and_the_agency_downloads_the_report(
        demo, page, snapshot, tmp_path):
    page.set_viewport_size({"width": 1366, "height": 768})
    _login(page, "daklak.quantri")
    page.goto("/daklak/dti-cap-tinh/")
    expect(page.get_by_test_id("result-rank")).to_have_text("36/63")
    page.get_by_role("link", name="Phân tích điểm bị mất").click()
    e_id = page.locator("[data-testid='lost-row'][data-code='8.1']")
    expect(e_id.get_by_test_id("lost")).to_have_text("20")
    expect(e_id).to_contain_text("Năm 2022 mới triển khai")
    expect(e_id.get_by_test_id("owners")).to_have_text("chưa giao")
    expect(page.locator("[data-testid='lost-row'][data-code='7.6'] [data-testid='owners']")).to_contain_text("Sở Công Thương")
    snapshot("-1-analysis")

    page.goto("/daklak/dti-cap-tinh/")
    page.get_by_role("link", name=PLAN).click()
    page.get_by_test_id("task-create-link").click()
    page.get_by_label("Chỉ số DTI cấp tỉnh").select_option(
        label="8.1 Số lượng người dân có danh tính số/ tài khoản định danh điện tử — đạt 0/20, mất 20 điểm"
              " · chỉ tiêu tính bằng: %")
    page.get_by_label("Nhiệm vụ").fill("Phổ cập danh tính số, tài khoản định danh điện tử cho người dân")
    page.get_by_label("Đơn vị chủ trì").select_option(label="Công an tỉnh")  # the demo's organisation, with its officer
    page.get_by_label("Chỉ tiêu (dòng 2)").fill("50")
    expect(page.get_by_label("Năm (dòng 2)")).to_have_value("2023")
    page.get_by_label("Hạn hoàn thành").fill("31/12/2023")
    page.get_by_test_id("task-save").click()

    expect(page.get_by_test_id("task-owner")).to_have_text("Công an tỉnh")
    whatif = page.get_by_test_id("task-whatif")
    expect(whatif.locator("tr[data-year='2023']")).to_contain_text("50 %")
    expect(whatif.get_by_test_id("whatif-points")).to_have_text("10,00/20")
    expect(whatif).to_contain_text("+10,00")
    snapshot("-2-task-whatif")

    _login(page, "daklak.congan")
    page.get_by_test_id("unit-national-tasks-link").click()
    expect(page.get_by_test_id("report-due")).to_contain_text("Đang nhận Quý I 2023: đến hết ngày 25/03/2023")
    rows = page.get_by_test_id("owner-task")
    expect(rows).to_have_count(1)  # only Công an tỉnh's own task, none of the plan's 62 others
    expect(rows.first).to_contain_text("Phổ cập danh tính số")
    rows.first.get_by_test_id("report-cell-open").first.click()
    expect(page.get_by_test_id("report-title")).to_contain_text("Quý I 2023")
    evidence = tmp_path / "Báo cáo quý I-2023 - Công an tỉnh.pdf"
    evidence.write_bytes(PDF)
    page.get_by_label("Kết quả đạt được").fill("12,4")
    page.get_by_label("Tình hình thực hiện").fill("Đã cấp 12,4 % người dân tài khoản định danh điện tử mức 2.")
    page.get_by_label("Tài liệu kiểm chứng (không bắt buộc)").set_input_files(str(evidence))
    page.get_by_role("button", name="Gửi báo cáo").click()
    expect(page.locator(".alert-success")).to_contain_text("Đã lưu báo cáo Quý I 2023")
    expect(page.get_by_test_id("report-evidence")).to_contain_text("Báo cáo quý I-2023 - Công an tỉnh.pdf")
    snapshot("-3-owner-reported")

    _login(page, "daklak.quantri")
    page.goto("/daklak/dti-cap-tinh/")
    page.get_by_role("link", name="Xem ai đã báo cáo và tải báo cáo tổng hợp").click()
    expect(page.get_by_test_id("overview-title")).to_have_text("Tổng hợp báo cáo tiến độ: Quý I 2023")
    police = page.get_by_test_id("overview-row").filter(has_text="Công an tỉnh")
    expect(police.get_by_test_id("overview-status")).to_contain_text("Đã báo cáo")
    expect(police).to_contain_text("12,4 %")
    snapshot("-4-overview")

    with page.expect_download() as download:
        page.get_by_test_id("consolidated-pdf").click()
    pdf = Path(download.value.path()).read_bytes()
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "QUÝ I NĂM 2023" in text and "Công an tỉnh" in text and "12,4 %" in text
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "national-journey-consolidated.pdf").write_bytes(pdf)

    with page.expect_download() as download:
        page.get_by_test_id("consolidated-xlsx").click()
    rows = list(openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).worksheets[0].iter_rows(values_only=True))
    police_values = dict(zip(rows[0], next(r for r in rows[1:] if "Công an tỉnh" in r)))
    assert police_values["Kết quả đạt được"] == 12.4 and police_values["Tài liệu kiểm chứng"] == 1
