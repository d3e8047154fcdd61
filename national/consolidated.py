"""The consolidated progress report (báo cáo tổng hợp) the coordinating agency sends to the ministry:
every task of the plans running in a year with its owner, target, value reached and account, for one
quarter or the whole year.

`consolidated(...)` reads the rows once (national.reports.period_overview); the renderers are pure
functions of that plain dict, as the published report's are (rankings/report.py, rankings/exporters.py):
the PDF through WeasyPrint with the portal's embedded DejaVu fonts, the workbook through the shared
xlsx writer (numbers as numbers, text kept as text by dti_portal.exports, frozen header, filters).
"""

import unicodedata
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from rankings.exporters import render_xlsx
from rankings.report import pdf_fonts

from .reports import QUARTER_NAMES, period_overview

HEADER = ["STT", "Mã chỉ số", "Nhiệm vụ", "Đơn vị chủ trì", "Đơn vị tính", "Chỉ tiêu", "Năm của chỉ tiêu",
          "Kết quả đạt được", "Tình hình thực hiện", "Tài liệu kiểm chứng", "Tình trạng", "Ngày báo cáo"]


def consolidated(province, year: int, quarter: int, now: datetime | None = None, *, plan_id: int | None = None) -> dict:
    """The report as plain data: `meta` (title, province, agency, period, dates) and `rows`."""
    overview = period_overview(year, quarter, now, plan_id=plan_id)
    w = overview["window"]
    period = f"{QUARTER_NAMES[quarter]} năm {year}" if quarter else f"năm {year}"
    rows = []
    for r in overview["rows"]:
        report = r.report
        rows.append({
            "number": r.number, "code": r.task.indicator.code, "task": r.task.title, "owner": r.task.owner.name,
            "unit_of_measure": r.task.unit_of_measure,
            "target": r.target.value if r.target else None, "target_year": r.target.year if r.target else None,
            "value": report.value if report else None, "account": report.account if report else "",
            "evidence": report.evidence_count if report else 0, "status": r.status_label,
            "reported_on": report.submitted_at if report else None,
        })
    generated = timezone.localtime(now or timezone.now())
    return {
        "meta": {
            "title": f"BÁO CÁO TỔNG HỢP KẾT QUẢ THỰC HIỆN KẾ HOẠCH NÂNG CAO CHỈ SỐ DTI {period.upper()}",
            "province": province.name, "agency": province.coordinating_agency, "period": period,
            "year": year, "quarter": quarter, "owners_deadline": w.closes, "ministry_deadline": w.agency_deadline,
            "generated": generated, "total": overview["total"], "reported": overview["counts"]["reported"],
            "late": overview["counts"]["late"],
        },
        "rows": rows,
    }


def file_name(report: dict, extension: str) -> str:
    meta = report["meta"]
    period = "nam" if meta["quarter"] == 0 else f"quy-{meta['quarter']}"
    return f"bao-cao-tong-hop-dti-{period}-{meta['year']}.{extension}"


def report_html(report: dict) -> str:
    return render_to_string("national/report_consolidated_pdf.html", {"meta": report["meta"], "rows": report["rows"],
                                                                     **pdf_fonts()})


def render_pdf(report: dict) -> bytes:
    """A4 landscape, numbered pages, Vietnamese text in NFC with the embedded fonts."""
    from weasyprint import HTML

    return HTML(string=unicodedata.normalize("NFC", report_html(report)), base_url=str(settings.BASE_DIR)).write_pdf()


def sheet_rows(report: dict) -> list[list]:
    """The table's rows for a spreadsheet: numbers as Decimals, dates as dd/mm/yyyy text."""
    return [[r["number"], r["code"], r["task"], r["owner"], r["unit_of_measure"], _d(r["target"]), r["target_year"],
             _d(r["value"]), r["account"], r["evidence"], r["status"],
             timezone.localtime(r["reported_on"]).strftime("%d/%m/%Y") if r["reported_on"] else ""]
            for r in report["rows"]]


def render_workbook(report: dict) -> bytes:
    """The tasks' sheet, then a sheet of the general information (title, province, agency, period, counts)."""
    meta = report["meta"]
    info = [["Tiêu đề", meta["title"]], ["Tỉnh", meta["province"]], ["Cơ quan thường trực", meta["agency"]],
            ["Kỳ báo cáo", meta["period"]],
            ["Hạn đơn vị chủ trì báo cáo", f"{meta['owners_deadline']:%d/%m/%Y}"],
            ["Hạn báo cáo Bộ", f"{meta['ministry_deadline']:%d/%m/%Y}"],
            ["Số nhiệm vụ", meta["total"]], ["Đã báo cáo", meta["reported"]], ["Quá hạn chưa báo cáo", meta["late"]],
            ["Lập lúc", f"{meta['generated']:%d/%m/%Y %H:%M}"]]
    return render_xlsx([(f"Tổng hợp {meta['period']}", HEADER, sheet_rows(report)),
                        ("Thông tin chung", ["Mục", "Nội dung"], info)])


def _d(value):
    return None if value is None else Decimal(value)
