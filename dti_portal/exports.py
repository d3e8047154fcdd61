"""What every CSV and xlsx the portal writes shares: cells a spreadsheet will not run, and sheet titles
Excel accepts. Used by every download and command that writes a table (rankings, publications, the
catalogue, the unit's workbook, the history) and by the importers that read the portal's own files back.

- CSV: text that begins with =, +, -, @, a tab or a carriage return gets a leading apostrophe, as OWASP
  advises against formula injection; only a lone "-" (a unit that did not report) stays as it is. Numbers
  are written by the caller (the Vietnamese way) and never pass through here. `csv_text` reads a cell back.
- xlsx: text is always stored as text (openpyxl would otherwise store "=…" as a formula); numbers stay numbers.
- Sheet titles: at most 31 characters, without : \\ / ? * [ ], unique within the workbook.
"""

import re

from openpyxl.cell import WriteOnlyCell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")


def csv_cell(value) -> str:
    """A CSV cell a spreadsheet will not run: text with a risky start gets a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) and text != "-" else text


def csv_text(value):
    """What `csv_cell` wrote, read back: the apostrophe it added before a risky start is dropped."""
    if isinstance(value, str) and value.startswith("'") and value[1:2] and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def xlsx_cell(sheet, value) -> WriteOnlyCell:
    """A write-only cell holding `value`; text stays text even when it begins with "="."""
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def as_text(cell) -> None:
    """For a cell of an ordinary (not write-only) workbook, after its value is set."""
    if isinstance(cell.value, str):
        cell.data_type = "s"


def sheet_title(title: str, taken: set[str]) -> str:
    """`title` as Excel accepts it, unique among `taken` (compared ignoring case, as Excel does), added to it."""
    base = _BAD_TITLE.sub("-", str(title)).strip("' ") or "Trang"
    candidate, n = base[:31], 1
    while candidate.lower() in taken:
        n += 1
        suffix = f" ({n})"
        candidate = base[: 31 - len(suffix)] + suffix
    taken.add(candidate.lower())
    return candidate
