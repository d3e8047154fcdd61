"""Ranking tables as rows, and rows as CSV or xlsx bytes (pure: no ORM, no request).

A table comes in its frozen form (`publication.snapshot_of`: plain JSON, Decimals as text), so the
ranking page's download, `manage.py export_ranking` and the published workbook write the same rows:

- xlsx: what the ranking page shows, with its Vietnamese headers: rank, unit, total (when ranked on
  points), one column per pillar, index, band, change against the previous year (when there is
  one), the average row; then one sheet per pillar ranking.
- CSV: the results file `import_results` reads (`kind`, `unit`, `rank`, `total`, one column per
  part named by its key, `index`, `band`; "-" for a unit that did not report), one table for any
  number of unit kinds, so an export imports back as it was.
"""

import csv
import io
from decimal import Decimal

import openpyxl
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from dti_portal.exports import csv_cell, sheet_title, xlsx_cell
from indicators.scoring import format_number

NOT_REPORTED = "-"
AVERAGE = "Giá trị trung bình"


def _d(value):
    return None if value in (None, "") else Decimal(value)


def _or_dash(value):
    return NOT_REPORTED if value in (None, "") else Decimal(value)


def ranking_header(table: dict) -> list[str]:
    """The ranking page's column headers for `table` (templates/rankings/ranking_detail.html)."""
    return ["Hạng", "Đơn vị", *(["Tổng điểm"] if table["by"] == "total" else []), *[c["label"] for c in table["columns"]],
            "Chỉ số", "Xếp loại", *(["Thay đổi"] if table.get("previous_year") else [])]


def ranking_rows(table: dict) -> list[list]:
    """The ranking page's rows, then its average row: numbers as Decimals, "-" where a unit did not report."""
    by_total, with_change = table["by"] == "total", bool(table.get("previous_year"))
    rows = []
    for r in table["rows"]:
        rows.append([NOT_REPORTED if r["rank"] is None else r["rank"], r["unit"],
                     *([_or_dash(r["total"])] if by_total else []),
                     *[_or_dash(r["parts"].get(c["key"])) for c in table["columns"]],
                     _or_dash(r["index"]), r["band"], *([_d(r["change"])] if with_change else [])])
    rows.append(["", AVERAGE, *([_d(table["total_average"])] if by_total else []),
                 *[_d(c["average"]) for c in table["columns"]], _d(table["index_average"]), "",
                 *([None] if with_change else [])])
    return rows


def ranking_sheets(table: dict, *, title: str = "Xếp hạng", suffix: str = "") -> list[tuple[str, list, list]]:
    """(title, header, rows) of the ranking and of each pillar ranking below it on the page; `suffix`
    tells sheets of several tables apart (sheet titles are unique in a workbook)."""
    sheets = [(title, ranking_header(table), ranking_rows(table))]
    for aggregate in table["aggregates"]:
        rows = [[NOT_REPORTED if r["rank"] is None else r["rank"], r["unit"], _or_dash(r["total"])] for r in aggregate["rows"]]
        sheets.append((aggregate["name"] + suffix, ["Hạng", "Đơn vị", "Điểm"], rows + [["", AVERAGE, _d(aggregate["average"])]]))
    return sheets


def results_file(tables: list[dict]) -> tuple[list[str], list[list]]:
    """One results table for any number of tables (unit kinds): the `import_results` format, with the
    union of their part columns (empty where a kind has no such part)."""
    parts: list[str] = []
    for table in tables:
        parts += [c["key"] for c in table["columns"] if c["key"] not in parts]
    header = ["kind", "unit", "rank", "total", *parts, "index", "band"]
    rows = []
    for table in tables:
        for r in table["rows"]:
            reported = r["total"] is not None or r["index"] is not None
            rows.append([table["kind_code"], r["unit"], r["rank"],
                         _d(r["total"]) if r["total"] is not None else (NOT_REPORTED if not reported else None),
                         *[_d(r["parts"].get(key)) if r["parts"].get(key) is not None else
                           (NOT_REPORTED if key in r["parts"] or not reported else None) for key in parts],
                         _d(r["index"]) if r["index"] is not None else (NOT_REPORTED if not reported else None),
                         r["band"]])
    return header, rows


def render_csv(header, rows) -> bytes:
    """UTF-8 CSV; Decimals written the Vietnamese way, exactly ("860,69", in quotes), as every
    importer of the portal reads them back."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([[format_number(v) if isinstance(v, Decimal) else csv_cell(v) for v in row] for row in rows])
    return out.getvalue().encode("utf-8")


def render_xlsx(sheets) -> bytes:
    """One sheet per (title, header, rows): numbers as numbers, bold frozen header, autofilter.

    Written in openpyxl's write-only mode (rows stream to the file, no cell objects kept), so a
    detail sheet of 22 500 rows costs little more than the cells themselves. `rows` may be any
    iterable. Only the header cells carry a style; the numbers keep Excel's General format.
    """
    book = openpyxl.Workbook(write_only=True)
    bold = Font(bold=True)
    titles: set[str] = set()
    for title, header, rows in sheets:
        sheet = book.create_sheet(sheet_title(title, titles))  # a pillar named "Trụ cột 1/2" included
        sheet.freeze_panes = "A2"  # must be set before the first row is written
        sheet.column_dimensions["B"].width = 45
        header_cells = []
        for value in header:
            cell = xlsx_cell(sheet, value)
            cell.font = bold
            header_cells.append(cell)
        sheet.append(header_cells)
        count, width = 1, len(header)
        for row in rows:
            sheet.append([float(v) if isinstance(v, Decimal) else xlsx_cell(sheet, v) if isinstance(v, str) else v for v in row])
            count += 1
            width = max(width, len(row))
        sheet.auto_filter.ref = f"A1:{get_column_letter(max(width, 1))}{count}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
