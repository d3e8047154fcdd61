"""Progress-report pages: who sees and writes what, bad input, downloads opened, flat query counts."""

import io
import subprocess
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from dti_portal.accounts.models import Membership, Role
from dti_portal.tenancy.services import unit_create
from national.models import ProgressReport, ReportEvidence
from national.reports import report_evidence_add, report_submit
from tests.conftest import Rewind, make_user
from tests.national.reports_fixtures import PDF, at, build_plan, clock, plan, tasks  # noqa: F401


def url(name, **kwargs):
    return reverse(f"national:{name}", kwargs={"province": "tinh-a"} | kwargs)


def edit_url(task, year=2026, quarter=1):
    return url("report_edit", task_id=task.pk, year=year, quarter=quarter)


@pytest.fixture
def march(clock):
    clock(at(2026, 3, 10))


def _submit(world, task, *, quarter=1, value=Decimal("41.6"), when=(2026, 3, 10)):
    with scope(province=world.province_a):
        return report_submit(task=task, year=2026, quarter=quarter, value=value, account="Đạt 41,6 %; còn chậm ở xã.",
                             actor=world.officer_a1 if task.owner_id == world.unit_a1.pk else world.officer_a2,
                             now=at(*when))


# --- the owner -------------------------------------------------------------------------------------

def test_the_owner_sees_only_its_own_tasks_with_what_is_due(world, tasks, client_as, march):
    page = client_as(world.officer_a1).get(url("report_tasks")).content.decode()
    assert "Sở Y tế, 1" in page and "Krông Pắc" not in page
    assert "Đang nhận <b>Quý I 2026</b>: đến hết ngày <b>25/03/2026</b>" in page
    assert 'data-testid="report-cell-open"' in page and "mở 01/06" in page


def test_the_owner_reports_a_quarter_with_evidence_in_one_post(world, tasks, client_as, march):
    response = client_as(world.officer_a1).post(edit_url(tasks[0]), {
        "value": "41,6", "account": "Đã cấp 41,6 % tài khoản.", "file": SimpleUploadedFile("Báo cáo Q1.pdf", PDF)})
    assert response.status_code == 302
    with scopes_disabled():
        report = ProgressReport.objects.get()
        assert (report.value, report.quarter, report.submitted_by) == (Decimal("41.6"), 1, world.officer_a1)
        assert report.evidence.get().original_name == "Báo cáo Q1.pdf"
    page = client_as(world.officer_a1).get(edit_url(tasks[0])).content.decode()
    assert 'value="41,6"' in page and "Báo cáo Q1.pdf" in page


def test_a_value_in_english_notation_is_refused_with_how_to_write_it_and_nothing_is_saved(world, tasks, client_as, march):
    response = client_as(world.officer_a1).post(edit_url(tasks[0]), {"value": "41.6", "account": "Đạt 41,6 %."})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Kết quả đạt được: " in page and "41,6" in page and "“41.6”" in page
    assert "Đạt 41,6 %." in page  # what was typed stays
    with scopes_disabled():
        assert not ProgressReport.objects.exists()


@pytest.mark.parametrize(("data", "message"), [
    ({"value": "", "account": "x"}, "Hãy nhập kết quả đạt được"),
    ({"value": "abc", "account": "x"}, "Kết quả đạt được:"),
    ({"value": "-5", "account": "x"}, "Kết quả đạt được:"),
    ({"value": "5"}, "Hãy viết tình hình thực hiện"),
    ({"value": "5", "account": "x" * 5001}, "dài 5001 ký tự; tối đa 5000"),
])
def test_missing_or_wrong_parts_are_refused(world, tasks, client_as, march, data, message):
    response = client_as(world.officer_a1).post(edit_url(tasks[0]), data)
    assert response.status_code == 400 and message in response.content.decode()
    with scopes_disabled():
        assert not ProgressReport.objects.exists()


@pytest.mark.parametrize(("name", "content", "message"), [
    ("rong.pdf", b"", "rỗng (0 byte)"),
    ("anh.pdf", "chỉ là chữ".encode(), "có đuôi .pdf nhưng nội dung là văn bản"),
    ("lon.pdf", PDF + b"0" * 4096, "vượt giới hạn"),
])
def test_bad_evidence_with_the_report_refuses_both(world, tasks, client_as, march, name, content, message):
    with override_settings(EVIDENCE_MAX_BYTES=1024):
        response = client_as(world.officer_a1).post(edit_url(tasks[0]), {
            "value": "5", "account": "x", "file": SimpleUploadedFile(name, content)})
    assert response.status_code == 400 and message in response.content.decode()
    with scopes_disabled():
        assert not ProgressReport.objects.exists() and not ReportEvidence.objects.exists()


def test_a_closed_or_not_yet_open_quarter_shows_why_and_a_post_is_refused(world, tasks, client_as, clock):
    clock(at(2026, 3, 26, 9))
    client = client_as(world.officer_a1)
    page = client.get(edit_url(tasks[0])).content.decode()
    assert "đã hết hạn nhận báo cáo (hạn cuối: hết ngày 25/03/2026)" in page and 'data-testid="report-form"' not in page
    response = client.post(edit_url(tasks[0]), {"value": "5", "account": "x"})
    assert response.status_code == 400 and "đã hết hạn nhận báo cáo" in response.content.decode()
    response = client.post(edit_url(tasks[0], quarter=2), {"value": "5", "account": "x"})
    assert response.status_code == 400 and "Quý II 2026 chưa mở: nhận báo cáo từ ngày 01/06/2026" in response.content.decode()
    with scopes_disabled():
        assert not ProgressReport.objects.exists()


def test_evidence_added_later_and_bad_files_are_refused_with_a_message(world, tasks, client_as, march):
    report = _submit(world, tasks[0])
    client = client_as(world.officer_a1)
    ok = client.post(url("report_evidence_upload", report_id=report.pk), {"file": SimpleUploadedFile("a.pdf", PDF)}, follow=True)
    assert "Đã tải lên “a.pdf”." in ok.content.decode()
    bad = client.post(url("report_evidence_upload", report_id=report.pk),
                      {"file": SimpleUploadedFile("virus.pdf", b"MZ" + b"\x00" * 50)}, follow=True)
    assert "nội dung là tệp chạy được" in bad.content.decode()
    missing = client.post(url("report_evidence_upload", report_id=report.pk), {}, follow=True)
    assert "Hãy chọn tệp." in missing.content.decode()
    with scopes_disabled():
        assert ReportEvidence.objects.count() == 1


# --- access ----------------------------------------------------------------------------------------

def test_an_owner_reporting_on_another_owners_task_gets_404(world, tasks, client_as, march):
    client = client_as(world.officer_a2)
    assert client.get(edit_url(tasks[0])).status_code == 404
    assert client.post(edit_url(tasks[0]), {"value": "5", "account": "x"}).status_code == 404
    report = _submit(world, tasks[0])
    with scope(province=world.province_a):
        evidence = report_evidence_add(report=report, upload=SimpleUploadedFile("a.pdf", PDF), actor=world.officer_a1,
                                       now=at(2026, 3, 10))
    assert client.post(url("report_evidence_upload", report_id=report.pk), {"file": SimpleUploadedFile("b.pdf", PDF)}).status_code == 404
    assert client.get(url("report_evidence_download", report_evidence_id=evidence.pk)).status_code == 404
    with scopes_disabled():
        assert ReportEvidence.objects.count() == 1 and ProgressReport.objects.count() == 1


def test_foreign_ids_and_bad_periods_are_404(world, tasks, client_as, march):
    other = build_plan(world.province_b, [world.unit_b1])
    with scopes_disabled():
        foreign = other.tasks.get()
    client = client_as(world.officer_a1)
    assert client.get(edit_url(foreign)).status_code == 404
    assert client.get(url("report_edit", task_id=999999, year=2026, quarter=1)).status_code == 404
    assert client.get(edit_url(tasks[0], quarter=5)).status_code == 404
    assert client.get(edit_url(tasks[0], year=2030)).status_code == 404  # outside the plan's years
    assert client.post(url("report_evidence_upload", report_id=999999), {"file": SimpleUploadedFile("b.pdf", PDF)}).status_code == 404
    assert client.get(url("report_evidence_download", report_evidence_id=999999)).status_code == 404
    admin = client_as(world.admin_a)
    assert admin.get(url("report_overview") + "?nam=abc").status_code == 404
    assert admin.get(url("report_overview") + "?nam=2026&ky=9").status_code == 404
    assert client_as(world.admin_b).get(edit_url(tasks[0]), HTTP_HOST="testserver").status_code == 404


def test_the_agency_and_leadership_read_every_report_but_do_not_write_and_other_roles_get_403(world, tasks, client_as, march):
    report = _submit(world, tasks[0])
    with scope(province=world.province_a):
        evidence = report_evidence_add(report=report, upload=SimpleUploadedFile("a.pdf", PDF), actor=world.officer_a1,
                                       now=at(2026, 3, 10))
    for reader in (world.admin_a, world.leader_a):
        client = client_as(reader)
        page = client.get(edit_url(tasks[0])).content.decode()
        assert 'data-testid="report-value">41,6 %' in page and 'data-testid="report-form"' not in page
        assert client.post(edit_url(tasks[0]), {"value": "5", "account": "x"}).status_code == 403
        assert client.get(url("report_evidence_download", report_evidence_id=evidence.pk)).status_code == 200
        assert client.get(url("report_overview")).status_code == 200
        assert client.get(url("report_tasks")).status_code == 403
    for other in (world.appraiser_a, world.lead_a):
        client = client_as(other)
        assert client.get(url("report_overview")).status_code == 403
        assert client.get(edit_url(tasks[0])).status_code == 403
    for outsider in (world.officer_b1, world.nobody):
        assert client_as(outsider).get(url("report_overview")).status_code == 404
    assert client_as(world.officer_a1).get(url("report_overview")).status_code == 403
    assert client_as(world.officer_a1).get(url("report_evidence_upload", report_id=report.pk)).status_code == 405


def test_evidence_is_downloaded_as_a_sandboxed_attachment(world, tasks, client_as, march):
    report = _submit(world, tasks[0])
    with scope(province=world.province_a):
        evidence = report_evidence_add(report=report, upload=SimpleUploadedFile("Kết quả.pdf", PDF), actor=world.officer_a1,
                                       now=at(2026, 3, 10))
    response = client_as(world.officer_a1).get(url("report_evidence_download", report_evidence_id=evidence.pk))
    assert response["Content-Security-Policy"] == "sandbox" and response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;") and b"".join(response.streaming_content) == PDF


# --- the agency's overview and the consolidated report ---------------------------------------------

def test_the_overview_says_who_reported_and_who_is_late(world, tasks, client_as, clock):
    _submit(world, tasks[0])
    clock(at(2026, 4, 2))
    page = client_as(world.admin_a).get(url("report_overview") + "?nam=2026&ky=1").content.decode()
    assert "<b>1</b> / 2 nhiệm vụ đã báo cáo" in page and "quá hạn chưa báo cáo" in page
    assert "Đã báo cáo" in page and "Quá hạn, chưa báo cáo" in page and "41,6 %" in page


def _pdf_text(content: bytes) -> str:
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True).stdout.decode()


def test_the_consolidated_quarterly_report_opens_as_pdf_and_xlsx(world, tasks, client_as, clock):
    _submit(world, tasks[0])
    clock(at(2026, 3, 28))
    client = client_as(world.admin_a)
    pdf = client.get(url("report_consolidated_pdf") + "?nam=2026&ky=1")
    assert pdf["Content-Type"] == "application/pdf"
    assert 'filename="bao-cao-tong-hop-dti-quy-1-2026.pdf"' in pdf["Content-Disposition"]
    text = _pdf_text(pdf.content)
    for expected in ("BÁO CÁO TỔNG HỢP KẾT QUẢ THỰC HIỆN", "QUÝ I NĂM 2026", "Tỉnh A", "SỞ KH&CN TỈNH A",
                     "Sở Y tế", "41,6 %", "Đạt 41,6 %", "Quá hạn,", "Trang 1 / 1"):
        assert expected in text, text
    xlsx = client.get(url("report_consolidated_xlsx") + "?nam=2026&ky=1")
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:8] == ("STT", "Mã chỉ số", "Nhiệm vụ", "Đơn vị chủ trì", "Đơn vị tính", "Chỉ tiêu", "Năm của chỉ tiêu",
                           "Kết quả đạt được")
    first = dict(zip(rows[0], rows[1]))
    assert first["Kết quả đạt được"] == 41.6 and first["Chỉ tiêu"] == 80 and first["Năm của chỉ tiêu"] == 2027
    assert first["Đơn vị chủ trì"] == "Sở Y tế" and first["Tình trạng"] == "Đã báo cáo"
    assert dict(zip(rows[0], rows[2]))["Tình trạng"] == "Quá hạn, chưa báo cáo"
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
    info = dict(book["Thông tin chung"].iter_rows(min_row=2, values_only=True))
    assert info["Tỉnh"] == "Tỉnh A" and info["Cơ quan thường trực"] == "Sở KH&CN tỉnh A" and info["Kỳ báo cáo"] == "Quý I năm 2026"


def test_an_account_that_looks_like_a_formula_stays_text_in_the_workbook(world, tasks, client_as, march):
    with scope(province=world.province_a):
        report_submit(task=tasks[0], year=2026, quarter=1, value=Decimal(1), account="=HYPERLINK(\"http://x\")",
                      actor=world.officer_a1, now=at(2026, 3, 10))
    xlsx = client_as(world.admin_a).get(url("report_consolidated_xlsx") + "?nam=2026&ky=1")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    cell = sheet.cell(row=2, column=9)
    assert cell.value == "=HYPERLINK(\"http://x\")" and cell.data_type == "s"


def test_the_yearly_consolidated_report_is_named_for_the_year(world, tasks, client_as, clock):
    clock(at(2026, 12, 22))
    pdf = client_as(world.leader_a).get(url("report_consolidated_pdf") + "?nam=2026&ky=0")
    assert 'filename="bao-cao-tong-hop-dti-nam-2026.pdf"' in pdf["Content-Disposition"]
    assert "NĂM 2026" in _pdf_text(pdf.content)


# --- the home page and the unit page ---------------------------------------------------------------

def test_the_home_page_shows_the_owner_its_tasks_and_the_agency_who_reported(world, tasks, client_as, march):
    _submit(world, tasks[0])
    owner = client_as(world.officer_a1).get(reverse("national:home", kwargs={"province": "tinh-a"})).content.decode()
    assert 'data-testid="home-owner-reports"' in owner and "Sở Y tế, 1" in owner and "Krông Pắc" not in owner
    admin = client_as(world.admin_a).get(reverse("national:home", kwargs={"province": "tinh-a"})).content.decode()
    assert 'data-testid="home-reports-overview"' in admin and "<b>1</b> / 2 nhiệm vụ đã báo cáo" in admin


def test_the_unit_page_leads_the_owners_officer_to_its_tasks(world, tasks, client_as, march):
    page = client_as(world.officer_a1).get(reverse("tenancy:unit_detail", kwargs={"province": "tinh-a", "unit_id": world.unit_a1.pk}))
    assert 'data-testid="unit-national-tasks-link"' in page.content.decode()


# --- flat queries ----------------------------------------------------------------------------------

def _count(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_pages_cost_the_same_queries_for_5_and_30_tasks(world, clock):
    clock(at(2026, 3, 10))
    rewind, counts = Rewind(), {}
    for size in (5, 30):
        rewind()
        with scopes_disabled():
            kind = world.province_a.unit_kinds.get(code="so")
            owner = unit_create(actor=None, province=world.province_a, kind=kind, name=f"Công an tỉnh {size}")
            officer = make_user(f"ca.{size}")
            Membership.objects.create(user=officer, province=world.province_a, role=Role.UNIT_OFFICER, unit=owner)
            plan = build_plan(world.province_a, [owner], tasks_per_owner=size)
            for task in plan.tasks.all():
                report = report_submit(task=task, year=2026, quarter=1, value=Decimal(1), account="x", actor=officer,
                                       now=at(2026, 3, 10))
                report_evidence_add(report=report, upload=SimpleUploadedFile("a.pdf", PDF), actor=officer, now=at(2026, 3, 10))
        admin, owner_client = Client(), Client()
        admin.force_login(world.admin_a)
        owner_client.force_login(officer)
        home = reverse("national:home", kwargs={"province": "tinh-a"})
        counts[size] = [_count(admin, url("report_overview")), _count(admin, url("report_consolidated_xlsx")),
                        _count(owner_client, url("report_tasks")), _count(owner_client, home), _count(admin, home)]
    assert counts[5] == counts[30], counts


def test_after_the_plan_ended_the_overview_opens_on_its_last_years_report(world, tasks, client_as, clock):
    clock(at(2028, 2, 1))  # the plan runs 2022–2027
    page = client_as(world.admin_a).get(url("report_overview")).content.decode()
    assert "Tổng hợp báo cáo tiến độ: Báo cáo năm 2027" in page and "Quá hạn, chưa báo cáo" in page
    assert client_as(world.admin_a).get(url("report_overview") + "?nam=2019").status_code == 404
    owner = client_as(world.officer_a1).get(url("report_tasks")).content.decode()
    assert '<option value="2027" selected>' in owner and '<option value="2022"' in owner



def test_once_every_plan_has_ended_the_owner_is_told_no_report_is_due_any_more(world, client_as, clock):
    """A plan of 2022–2025 seen in December 2026: no window open and no "next period" of a year no plan covers."""
    build_plan(world.province_a, [world.unit_a1], first_year=2022, last_year=2025)
    clock(at(2026, 12, 5))
    page = client_as(world.officer_a1).get(url("report_tasks")).content.decode()
    assert "Kế hoạch đã kết thúc (năm cuối: 2025): không còn kỳ báo cáo nào." in page
    assert "Đang nhận" not in page and "Kỳ tới" not in page
    home = client_as(world.officer_a1).get(url("home")).content.decode()
    assert "Kế hoạch đã kết thúc (năm cuối: 2025)" in home


# --- a plan of a province merged into another --------------------------------------------------------

def test_a_merged_provinces_plan_keeps_its_reports_readable_and_takes_no_more(world, tasks, client_as, march):
    """A's plan ended with A: after A is merged into B its owner's officer (now in B) reads its reports but
    writes none, nothing of it is due in B's overview, and the refusal says why."""
    from datetime import date

    from dti_portal.tenancy.services import province_merge

    _submit(world, tasks[0])
    province_merge(source=world.province_a, target=world.province_b, effective_date=date(2025, 7, 1),
                   actor=world.platform_admin)
    officer = client_as(world.officer_a1)
    task_url = reverse("national:report_edit", kwargs={"province": "tinh-b", "task_id": tasks[0].pk, "year": 2026, "quarter": 1})
    page = officer.get(task_url).content.decode()
    assert 'data-testid="report-merged"' in page and "Tỉnh A, tỉnh đã hợp nhất vào Tỉnh B từ 01/07/2025" in page
    assert 'data-testid="report-form"' not in page and "41,6" in page
    refused = officer.post(task_url, {"value": "50", "account": "Thêm."})
    assert refused.status_code == 403
    with scopes_disabled():
        assert ProgressReport.objects.get().value == Decimal("41.6")
    assert "Sở Y tế, 1" not in officer.get(reverse("national:report_tasks", kwargs={"province": "tinh-b"})).content.decode()
    overview = client_as(world.admin_b).get(reverse("national:report_overview", kwargs={"province": "tinh-b"})).content.decode()
    assert "Sở Y tế, 1" not in overview
