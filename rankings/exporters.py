"""A ranking table as rows, and those rows as CSV or xlsx bytes (pure: no ORM, no request)."""

import csv
import io
from decimal import Decimal

import openpyxl
from openpyxl.styles import Font

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


def render_xlsx(sheets: list[tuple[str, list[str], list[list]]]) -> bytes:
    """One sheet per table: numbers as numbers, frozen header, autofilter."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title[:31])
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([float(v) if isinstance(v, Decimal) else v for v in row])
        for column in sheet.iter_cols(min_row=2):
            for cell in column:
                if isinstance(cell.value, float):
                    cell.number_format = "0.00###"
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
        sheet.column_dimensions["B"].width = 45
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
