"""The plan's progress report in the browser: Công an tỉnh's officer reports the first quarter with an
evidence file; the coordinating agency sees it reported and downloads the consolidated report (PDF, Excel)."""

import io
import subprocess
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from dti_portal.accounts.models import Membership, Role
from dti_portal.tenancy.services import unit_create
from tests.conftest import make_user
from tests.national.reports_fixtures import PDF, at, build_plan, clock  # noqa: F401

pytestmark = pytest.mark.e2e

SHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "e2e"


@pytest.fixture
def police(world, clock):
    """Công an tỉnh owns the e-ID task (8.1, 50 % by 2023, 80 % by 2027); Sở Y tế owns another; 10/03/2027."""
    with scopes_disabled():
        kind = world.province_a.unit_kinds.get(code="so")
        unit = unit_create(actor=None, province=world.province_a, kind=kind, name="Công an tỉnh")
        Membership.objects.create(user=make_user("a.congan"), province=world.province_a, role=Role.UNIT_OFFICER, unit=unit)
        build_plan(world.province_a, [unit, world.unit_a1])
    clock(at(2027, 3, 10))
    return unit


def test_the_owner_reports_q1_with_evidence_and_the_agency_downloads_the_consolidated_report(
        world, police, page, login, snapshot, tmp_path):
    login("a.congan")
    page.get_by_test_id("unit-national-tasks-link").click()
    expect(page.get_by_test_id("report-due")).to_contain_text("Đang nhận Quý I 2027: đến hết ngày 25/03/2027")
    rows = page.get_by_test_id("owner-task")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Công an tỉnh")
    snapshot("-1-owner-tasks")
    rows.first.get_by_test_id("report-cell-open").first.click()
    expect(page.get_by_test_id("report-title")).to_contain_text("Quý I 2027")

    page.get_by_label("Kết quả đạt được").fill("52.3")  # English notation: refused with how to write it
    page.get_by_label("Tình hình thực hiện").fill("Đã cấp tài khoản định danh điện tử mức 2 cho 52,3 % người dân.")
    page.get_by_role("button", name="Gửi báo cáo").click()
    expect(page.locator(".invalid-feedback, .alert-danger").first).to_contain_text("52,3")
    evidence = tmp_path / "Báo cáo quý I - Công an tỉnh.pdf"
    evidence.write_bytes(PDF)
    page.get_by_label("Kết quả đạt được").fill("52,3")
    page.get_by_label("Tài liệu kiểm chứng (không bắt buộc)").set_input_files(str(evidence))
    page.get_by_role("button", name="Gửi báo cáo").click()
    expect(page.locator(".alert-success")).to_contain_text("Đã lưu báo cáo Quý I 2027")
    expect(page.get_by_test_id("report-evidence")).to_contain_text("Báo cáo quý I - Công an tỉnh.pdf")
    expect(page.get_by_label("Kết quả đạt được")).to_have_value("52,3")
    snapshot("-2-owner-reported")

    page.context.clear_cookies()
    login("a.quantri")
    page.goto("/tinh-a/dti-cap-tinh/")
    expect(page.get_by_test_id("home-reports-overview")).to_contain_text("1 / 2 nhiệm vụ đã báo cáo")
    page.get_by_role("link", name="Xem ai đã báo cáo và tải báo cáo tổng hợp").click()
    expect(page.get_by_test_id("overview-title")).to_have_text("Tổng hợp báo cáo tiến độ: Quý I 2027")
    police_row = page.get_by_test_id("overview-row").filter(has_text="Công an tỉnh")
    expect(police_row.get_by_test_id("overview-status")).to_contain_text("Đã báo cáo")
    expect(police_row).to_contain_text("52,3 %")
    expect(page.get_by_test_id("overview-row").filter(has_text="Sở Y tế").get_by_test_id("overview-status")) \
        .to_contain_text("Chưa báo cáo (còn hạn)")
    snapshot("-3-agency-overview")

    with page.expect_download() as download:
        page.get_by_test_id("consolidated-pdf").click()
    assert download.value.suggested_filename == "bao-cao-tong-hop-dti-quy-1-2027.pdf"
    pdf = Path(download.value.path()).read_bytes()
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "QUÝ I NĂM 2027" in text and "Công an tỉnh" in text and "52,3 %" in text
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "national-reports-consolidated.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", str(SHOTS / "national-reports-consolidated.pdf"),
                    str(SHOTS / "national-reports-consolidated")], check=True)

    with page.expect_download() as download:
        page.get_by_test_id("consolidated-xlsx").click()
    assert download.value.suggested_filename == "bao-cao-tong-hop-dti-quy-1-2027.xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    police_values = dict(zip(rows[0], next(r for r in rows[1:] if r[3] == "Công an tỉnh")))
    assert police_values["Kết quả đạt được"] == 52.3 and police_values["Tài liệu kiểm chứng"] == 1
