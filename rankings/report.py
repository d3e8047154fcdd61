"""The publication's documents from frozen data: the official report (PDF), each unit's scorecard
(PDF), the workbook (xlsx) and the bundle of scorecards (zip).

Pure renderers: they take the snapshot or a scorecard's frozen rows and return bytes.
"""

import io
import unicodedata
import zipfile
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from .charts import bar_chart
from .exporters import ranking_sheets, render_xlsx

FONTS = Path(settings.BASE_DIR) / "static" / "fonts"
# Above this many number columns a ranking table gets the narrow style (smaller type, wrapped headers).
WIDE_TABLE_COLUMNS = 7
# Bars per chart image: 36 bars of 17 px are 164 mm, within a landscape A4 page's 180 mm.
CHART_ROWS_PER_PAGE = 36


def _d(value):
    return None if value in (None, "") else Decimal(value)


def pdf_fonts() -> dict:
    """The bundled DejaVu fonts as file URIs, for every PDF the portal renders (Vietnamese glyphs, no CDN)."""
    return {"font_regular": (FONTS / "DejaVuSans.ttf").as_uri(), "font_bold": (FONTS / "DejaVuSans-Bold.ttf").as_uri()}


def _charts(table: dict) -> list[str]:
    """The table's bar chart in parts that each fit a landscape page (an image never breaks across pages)."""
    if table["by"] != "total":
        return []
    rows = [SimpleNamespace(unit=r["unit"], total=_d(r["total"])) for r in table["rows"]]
    return [mark_safe(bar_chart(rows[start:start + CHART_ROWS_PER_PAGE], maximum=_d(table["max_total"]), width=680,
                                bar=11, label_width=260))
            for start in range(0, len(rows), CHART_ROWS_PER_PAGE)]


def _pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=unicodedata.normalize("NFC", html), base_url=str(settings.BASE_DIR)).write_pdf()


def report_html(snapshot: dict) -> str:
    """The official report as HTML for print: general information, ranking tables with bands and
    averages, pillar tables, charts, change against the previous year. No per-criterion appendix:
    each unit's scorecard is its own document."""
    tables = []
    for table in snapshot["tables"]:
        number_columns = len(table["columns"]) + (3 if table["by"] == "total" else 2) + (1 if table["previous_year"] else 0)
        tables.append(table | {"charts": _charts(table), "wide": number_columns > WIDE_TABLE_COLUMNS})
    return render_to_string("rankings/report_pdf.html", {"meta": snapshot["meta"], "tables": tables, **pdf_fonts()})


def render_pdf(snapshot: dict) -> bytes:
    return _pdf(report_html(snapshot))


def scorecard_html(meta: dict, scorecard: dict) -> str:
    """One unit's scorecard (phiếu điểm): every criterion with its maximum, the points achieved and
    the reason points were lost, like the appendix of seed 004."""
    top = [r for r in scorecard["rows"] if r["depth"] == 0 and r["achieved"] is not None]
    total = sum((Decimal(r["achieved"]) for r in top), Decimal(0)) if top else None
    maximum = sum((Decimal(r["max"]) for r in scorecard["rows"] if r["depth"] == 0 and r["max"]), Decimal(0))
    return render_to_string("rankings/scorecard_pdf.html", {
        "meta": meta, "card": scorecard, "total": total, "maximum": maximum, **pdf_fonts()})


def render_scorecard(meta: dict, scorecard: dict) -> bytes:
    return _pdf(scorecard_html(meta, scorecard))


def render_bundle(files: list[tuple[str, bytes]]) -> bytes:
    """The scorecards in one zip. PDFs are already compressed: stored as they are, which is fast."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as bundle:
        for name, content in files:
            bundle.writestr(name, content)
    return out.getvalue()


def workbook_sheets(snapshot: dict, details: list[dict] | None = None) -> list[tuple]:
    """The workbook's sheets as (title, header, rows): one per table (numbers as numbers), one per
    pillar ranking, then the detail of every criterion of every unit (`details`: scorecards as
    {"unit", "rows"}; the snapshot's own appendix for publications made before scorecards were separate)."""
    sheets = []
    for table in snapshot["tables"]:  # the ranking page's columns (rankings/exporters.py)
        sheets += ranking_sheets(table, title=table["kind"], suffix=f" ({table['kind_code']})")
    details = snapshot.get("appendix", []) if details is None else details
    detail = ([unit["unit"], row["code"], row["name"], _d(row["max"]), _d(row["achieved"]) if row["achieved"] else None, row["reason"]]
              for unit in details for row in unit["rows"])
    sheets.append(("Chi tiết chỉ tiêu", ["Đơn vị", "Mã", "Chỉ tiêu", "Điểm tối đa", "Điểm đạt", "Lý do mất điểm"], detail))
    return sheets


def render_workbook(snapshot: dict, details: list[dict] | None = None) -> bytes:
    return render_xlsx(workbook_sheets(snapshot, details))
