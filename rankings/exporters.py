"""A ranking table as rows, and those rows as CSV or xlsx bytes (pure: no ORM, no request)."""

import csv
import io
from decimal import Decimal

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .ranking import rounded


def ranking_rows(table) -> tuple[list[str], list[list]]:
    """Header and rows: rank, unit, total, one column per aggregate, index, band ("-" for no report)."""
    aggregates = table.aggregates
    header = ["rank", "unit", "total", *[a.name for a in aggregates], "index", "band"]
    values = {a.name: {r.unit: r.total for r in a.rows} for a in aggregates}
    rows = []
    for row in table.rows:
        rows.append([
            row.rank, row.unit, rounded(row.total) if row.total is not None else "-",
            *[(rounded(values[a.name].get(row.unit)) if values[a.name].get(row.unit) is not None else "-") for a in aggregates],
            round(row.index, 5) if row.index is not None else "-", row.band,
        ])
    return header, rows


def render_csv(header, rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([[f"{v:f}" if isinstance(v, Decimal) else ("" if v is None else v) for v in row] for row in rows])
    return out.getvalue().encode("utf-8")


def render_xlsx(sheets) -> bytes:
    """One sheet per (title, header, rows): numbers as numbers, bold frozen header, autofilter.

    Written in openpyxl's write-only mode (rows stream to the file, no cell objects kept), so a
    detail sheet of 22 500 rows costs little more than the cells themselves. `rows` may be any
    iterable. Only the header cells carry a style; the numbers keep Excel's General format.
    """
    book = openpyxl.Workbook(write_only=True)
    bold = Font(bold=True)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title[:31])
        sheet.freeze_panes = "A2"  # must be set before the first row is written
        sheet.column_dimensions["B"].width = 45
        header_cells = []
        for value in header:
            cell = WriteOnlyCell(sheet, value=value)
            cell.font = bold
            header_cells.append(cell)
        sheet.append(header_cells)
        count, width = 1, len(header)
        for row in rows:
            sheet.append([float(v) if isinstance(v, Decimal) else v for v in row])
            count += 1
            width = max(width, len(row))
        sheet.auto_filter.ref = f"A1:{get_column_letter(max(width, 1))}{count}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
