"""The official report from a publication snapshot: PDF (WeasyPrint) and workbook (openpyxl).

Pure renderers: they take the frozen snapshot and return bytes.
"""

import unicodedata
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from .charts import bar_chart
from .exporters import render_xlsx

FONTS = Path(settings.BASE_DIR) / "static" / "fonts"


def _d(value):
    return None if value in (None, "") else Decimal(value)


def _chart(table: dict) -> str:
    if table["by"] != "total":
        return ""
    rows = [SimpleNamespace(unit=r["unit"], total=_d(r["total"])) for r in table["rows"]]
    return bar_chart(rows, maximum=_d(table["max_total"]), width=680, label_width=260)


def report_html(snapshot: dict) -> str:
    """The report as HTML for print, every text NFC-normalised (Vietnamese composed forms)."""
    tables = []
    for table in snapshot["tables"]:
        tables.append(table | {"chart": mark_safe(_chart(table))})
    html = render_to_string("rankings/report_pdf.html", {
        "meta": snapshot["meta"], "tables": tables, "appendix": snapshot.get("appendix", []),
        "font_regular": (FONTS / "DejaVuSans.ttf").as_uri(), "font_bold": (FONTS / "DejaVuSans-Bold.ttf").as_uri(),
    })
    return unicodedata.normalize("NFC", html)


def render_pdf(snapshot: dict) -> bytes:
    from weasyprint import HTML

    return HTML(string=report_html(snapshot), base_url=str(settings.BASE_DIR)).write_pdf()


def render_workbook(snapshot: dict) -> bytes:
    """One sheet per table (numbers as numbers), then one per pillar ranking, then the detail."""
    sheets = []
    for table in snapshot["tables"]:
        header = ["Hạng", "Đơn vị", *(["Tổng điểm"] if table["by"] == "total" else []),
                  *[c["label"] for c in table["columns"]], "Chỉ số", "Xếp loại"]
        rows = []
        for r in table["rows"]:
            rows.append([r["rank"], r["unit"], *([_d(r["total"]) if r["total"] else "-"] if table["by"] == "total" else []),
                         *[(_d(r["parts"].get(c["key"])) if r["parts"].get(c["key"]) else "-") for c in table["columns"]],
                         _d(r["index"]) if r["index"] else "-", r["band"]])
        rows.append(["", "Giá trị trung bình", *([_d(table["total_average"])] if table["by"] == "total" else []),
                     *[_d(c["average"]) for c in table["columns"]], _d(table["index_average"]), ""])
        sheets.append((f"{table['kind']}", header, rows))
        for aggregate in table["aggregates"]:
            sheets.append((f"{aggregate['name']} ({table['kind_code']})", ["Hạng", "Đơn vị", "Điểm"],
                           [[r["rank"], r["unit"], _d(r["total"]) if r["total"] else "-"] for r in aggregate["rows"]]
                           + [["", "Giá trị trung bình", _d(aggregate["average"])]]))
    detail = [[unit["unit"], row["code"], row["name"], _d(row["max"]), _d(row["achieved"]) if row["achieved"] else None, row["reason"]]
              for unit in snapshot.get("appendix", []) for row in unit["rows"]]
    sheets.append(("Chi tiết chỉ tiêu", ["Đơn vị", "Mã", "Chỉ tiêu", "Điểm tối đa", "Điểm đạt", "Lý do mất điểm"], detail))
    return render_xlsx(sheets)
