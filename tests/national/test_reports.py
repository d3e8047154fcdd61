"""Progress reports: the windows at their boundaries, the services' refusals and their audit entries."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django_scopes import scope

from assessments.evidence import EvidenceRefused
from dti_portal.audit.models import Entry
from national.models import ProgressReport, ReportEvidence
from national.reports import (current_quarter, next_window, open_windows, report_evidence_add, report_submit,
                              window)
from tests.national.reports_fixtures import PDF, at, clock, plan, tasks  # noqa: F401


# --- windows ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("day", "state"), [(28, "not_open"), (1, "open"), (24, "open"), (25, "open"), (26, "closed")])
@pytest.mark.parametrize("quarter", [1, 2, 3, 4])
def test_a_quarters_report_opens_on_the_first_of_its_last_month_and_closes_after_the_25th(quarter, day, state):
    last_month = quarter * 3
    today = date(2026, last_month - 1, day) if day == 28 else date(2026, last_month, day)
    assert window(2026, quarter).state(today) == state


@pytest.mark.parametrize(("day", "state"), [(19, "open"), (20, "open"), (21, "closed")])
def test_the_yearly_report_closes_after_20_december(day, state):
    assert window(2026, 0).state(date(2026, 12, day)) == state
    assert window(2026, 0).state(date(2026, 11, 30)) == "not_open"


def test_the_agency_deadlines_are_the_30th_and_25_december():
    assert window(2026, 1).agency_deadline == date(2026, 3, 30)
    assert window(2026, 4).agency_deadline == date(2026, 12, 30)
    assert window(2026, 0).agency_deadline == date(2026, 12, 25)


def test_a_quarter_outside_1_to_4_or_0_is_refused():
    with pytest.raises(ValidationError, match="quý I–IV hoặc cả năm"):
        window(2026, 5)


def test_refusals_say_when_the_period_opens_or_closed():
    assert window(2026, 1).refusal(date(2026, 2, 27)) == (
        "Quý I 2026 chưa mở: nhận báo cáo từ ngày 01/03/2026 đến hết ngày 25/03/2026.")
    assert window(2026, 1).refusal(date(2026, 3, 26)).startswith(
        "Quý I 2026 đã hết hạn nhận báo cáo (hạn cuối: hết ngày 25/03/2026)")
    assert window(2026, 0).refusal(date(2026, 12, 21)).startswith("Báo cáo năm 2026 đã hết hạn")
    assert window(2026, 1).refusal(date(2026, 3, 25)) is None


def test_december_takes_the_fourth_quarter_and_the_year_and_other_months_say_what_comes_next():
    assert [w.key for w in open_windows(date(2026, 12, 20))] == [(2026, 4), (2026, 0)]
    assert [w.key for w in open_windows(date(2026, 12, 22))] == [(2026, 4)]
    assert open_windows(date(2026, 11, 23)) == []
    assert next_window(date(2026, 11, 23)).key == (2026, 4)
    assert next_window(date(2026, 12, 26)).key == (2027, 1)
    assert current_quarter(date(2026, 11, 23)) == 4


def test_the_window_is_read_in_the_portals_time_zone(world, tasks):
    """23:30 on 25/03 in Hà Nội is 16:30 UTC: still open; 00:10 on 26/03 there (17:10 UTC on the 25th) is not."""
    with scope(province=world.province_a):
        report_submit(task=tasks[0], year=2026, quarter=1, value=Decimal("41.6"), account="Đạt 41,6 %.",
                      actor=world.officer_a1, now=at(2026, 3, 25, 23, 30))
        with pytest.raises(ValidationError, match="đã hết hạn"):
            report_submit(task=tasks[0], year=2026, quarter=1, value=Decimal(42), account="Đạt 42 %.",
                          actor=world.officer_a1, now=at(2026, 3, 26, 0, 10))


# --- services --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("moment", "message"), [
    ((2026, 2, 28), "Quý I 2026 chưa mở: nhận báo cáo từ ngày 01/03/2026"),
    ((2026, 3, 26), "Quý I 2026 đã hết hạn nhận báo cáo (hạn cuối: hết ngày 25/03/2026)"),
])
def test_a_report_for_a_quarter_not_yet_open_or_closed_is_refused_and_nothing_is_written(world, tasks, moment, message):
    with scope(province=world.province_a):
        with pytest.raises(ValidationError, match=message.replace("(", r"\(").replace(")", r"\)")):
            report_submit(task=tasks[0], year=2026, quarter=1, value=Decimal(10), account="Đạt 10 %.",
                          actor=world.officer_a1, now=at(*moment))
        assert not ProgressReport.objects.exists()
        assert not Entry.objects.filter(action__startswith="report.").exists()


def test_the_owner_submits_then_updates_within_the_window_with_one_audit_entry_each(world, tasks):
    with scope(province=world.province_a):
        report = report_submit(task=tasks[0], year=2026, quarter=1, value=Decimal("41.6"), account="Đạt 41,6 %.",
                               actor=world.officer_a1, now=at(2026, 3, 24))
        same = report_submit(task=tasks[0], year=2026, quarter=1, value=Decimal(45), account="Đạt 45 %.",
                             actor=world.officer_a1, now=at(2026, 3, 25, 23, 59))
        assert same.pk == report.pk and ProgressReport.objects.count() == 1
        entries = list(Entry.objects.filter(action__startswith="report.").order_by("pk"))
        assert [e.action for e in entries] == ["report.submitted", "report.updated"]
        assert entries[0].new["value"] == "41,6" and entries[0].target_label.startswith("Quý I 2026:")
        assert entries[1].old == {"value": "41,6", "account": "Đạt 41,6 %."}
        assert entries[1].new == {"value": "45", "account": "Đạt 45 %."}
        report_submit(task=tasks[0], year=2026, quarter=1, value=Decimal(45), account="Đạt 45 %.",
                      actor=world.officer_a1, now=at(2026, 3, 25))
        assert Entry.objects.filter(action__startswith="report.").count() == 2  # nothing changed: no entry


def test_the_yearly_report_is_taken_until_20_december(world, tasks):
    with scope(province=world.province_a):
        report_submit(task=tasks[0], year=2026, quarter=0, value=Decimal(48), account="Cả năm.",
                      actor=world.officer_a1, now=at(2026, 12, 20, 23, 0))
        with pytest.raises(ValidationError, match="Báo cáo năm 2026 đã hết hạn"):
            report_submit(task=tasks[0], year=2026, quarter=0, value=Decimal(49), account="Cả năm.",
                          actor=world.officer_a1, now=at(2026, 12, 21, 8, 0))


def test_another_owners_officer_or_the_agency_cannot_report_on_the_task(world, tasks):
    with scope(province=world.province_a):
        for person in (world.officer_a2, world.admin_a, world.officer_b1):
            with pytest.raises(PermissionDenied):
                report_submit(task=tasks[0], year=2026, quarter=1, value=Decimal(1), account="x",
                              actor=person, now=at(2026, 3, 10))
        assert not ProgressReport.objects.exists()


@pytest.mark.parametrize(("year", "value", "account", "message"), [
    (2028, Decimal(1), "x", "áp dụng từ năm 2022 đến năm 2027"),
    (2026, Decimal(-1), "x", "số không âm"),
    (2026, Decimal(10) ** 10, "x", "nhỏ hơn 10.000.000.000"),
    (2026, None, "x", "hãy nhập kết quả đạt được"),
    (2026, Decimal(1), "   ", "Hãy viết tình hình thực hiện"),
    (2026, Decimal(1), "x" * 5001, "dài 5001 ký tự; tối đa 5000"),
])
def test_out_of_range_or_missing_parts_are_refused(world, tasks, year, value, account, message):
    with scope(province=world.province_a):
        with pytest.raises(ValidationError, match=message):
            report_submit(task=tasks[0], year=year, quarter=1, value=value, account=account,
                          actor=world.officer_a1, now=at(year, 3, 10))
        assert not ProgressReport.objects.exists()


def test_a_task_without_a_numeric_target_may_be_reported_without_a_value(world, plan):
    with scope(province=world.province_a):
        task = plan.tasks.get(owner=world.unit_a1)
        task.targets.all().delete()
        report = report_submit(task=task, year=2026, quarter=2, value=None, account="Đã ban hành văn bản nhắc nhở.",
                               actor=world.officer_a1, now=at(2026, 6, 1))
        assert report.value is None


def _report(world, task):
    return report_submit(task=task, year=2026, quarter=1, value=Decimal(30), account="Đạt 30 %.",
                         actor=world.officer_a1, now=at(2026, 3, 10))


def test_evidence_is_checked_stored_and_audited(world, tasks):
    with scope(province=world.province_a):
        report = _report(world, tasks[0])
        evidence = report_evidence_add(report=report, upload=SimpleUploadedFile("../Báo cáo quý I.pdf", PDF),
                                       actor=world.officer_a1, now=at(2026, 3, 11))
        assert (evidence.original_name, evidence.content_type, evidence.size) == ("Báo cáo quý I.pdf", "application/pdf", len(PDF))
        assert evidence.file.read() == PDF and "Báo" not in evidence.file.name
        entry = Entry.objects.get(action="report.evidence_added")
        assert entry.new["name"] == "Báo cáo quý I.pdf" and entry.target_id == report.pk


@pytest.mark.parametrize(("name", "content", "message"), [
    ("rong.pdf", b"", r"rỗng \(0 byte\)"),
    ("bao-cao.pdf", "Đây là văn bản".encode(), "có đuôi .pdf nhưng nội dung là văn bản"),
    ("setup.pdf", b"MZ\x90\x00" + b"\x00" * 200, "nội dung là tệp chạy được"),
    ("lon.pdf", PDF + b"0" * 2048, "vượt giới hạn"),
])
def test_empty_disguised_executable_or_oversize_evidence_is_refused(world, tasks, name, content, message):
    with scope(province=world.province_a), override_settings(EVIDENCE_MAX_BYTES=1024):
        report = _report(world, tasks[0])
        with pytest.raises(EvidenceRefused, match=message):
            report_evidence_add(report=report, upload=SimpleUploadedFile(name, content), actor=world.officer_a1,
                                now=at(2026, 3, 11))
        assert not ReportEvidence.objects.exists()
        assert not Entry.objects.filter(action="report.evidence_added").exists()


def test_evidence_after_the_window_closed_is_refused(world, tasks):
    with scope(province=world.province_a):
        report = _report(world, tasks[0])
        with pytest.raises(ValidationError, match="đã hết hạn"):
            report_evidence_add(report=report, upload=SimpleUploadedFile("a.pdf", PDF), actor=world.officer_a1,
                                now=at(2026, 3, 26))
        with pytest.raises(PermissionDenied):
            report_evidence_add(report=report, upload=SimpleUploadedFile("a.pdf", PDF), actor=world.officer_a2,
                                now=at(2026, 3, 12))


def test_pages_open_on_this_year_while_a_plan_runs_else_on_the_last_plan_year():
    from national.reports import default_year

    assert default_year(date(2026, 11, 23), [2022, 2023, 2024, 2025]) == 2025
    assert default_year(date(2024, 5, 1), [2022, 2023, 2024, 2025]) == 2024
    assert default_year(date(2021, 5, 1), [2022, 2023]) == 2022
    assert default_year(date(2026, 5, 1), []) == 2026


def test_a_report_is_read_against_the_target_of_its_year_else_the_next_else_the_last_one_due():
    from types import SimpleNamespace

    from national.reports import target_for

    series = [SimpleNamespace(year=2023, value=50), SimpleNamespace(year=2025, value=80)]
    assert [target_for(series, y).year for y in (2022, 2023, 2024, 2025, 2026)] == [2023, 2023, 2025, 2025, 2025]
    assert target_for([], 2024) is None
