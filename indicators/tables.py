"""Reading and writing catalogue files (xlsx, csv) as plain records: no ORM here.

A catalogue workbook has the indicator rows on its first sheet and, optionally, a sheet
"Thông tin" of key/value pairs describing the framework (name, decision, year, bands...).
"""

import csv
import io
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

import openpyxl
import tablib
from import_export.formats.base_formats import CSV
from openpyxl.utils import get_column_letter

from dti_portal.exports import as_text, csv_cell, csv_text

from .catalogue import COLUMN_LABELS, REQUIRED_COLUMNS, Problem, column_key, clean_code
from .scoring import format_number

META_SHEET = "Thông tin"
GUIDE_SHEET = "Hướng dẫn"
MAX_IMPORT_BYTES = 5 * 1024 * 1024
# A catalogue has at most a few hundred rows of about a dozen columns: limits far above that, far
# below what a hostile or broken file would cost to read.
MAX_ROWS = 2000  # rows with content
MAX_SCANNED_ROWS = 20000  # rows read, empty ones included (formatting often runs past the data)
MAX_COLUMNS = 40
MAX_MEMBERS = 200
MAX_UNZIPPED = 60 * 1024 * 1024
MAX_SHEET_XML = 16 * 1024 * 1024  # one sheet's XML: 2000 rows × 40 cells of text fit in a few MB

# Key, Vietnamese label of the framework facts kept on the META_SHEET.
META_KEYS = [
    ("name", "Tên bộ chỉ số"),
    ("decision_number", "Số quyết định"),
    ("decision_date", "Ngày ban hành (dd/mm/yyyy)"),
    ("issuer", "Cơ quan ban hành"),
    ("year", "Năm đánh giá"),
    ("unit_kind", "Mã loại đơn vị áp dụng"),
    ("precision", "Số chữ số thập phân hiển thị"),
    ("bands_on", "Xếp loại theo (points/index)"),
    ("non_reporting", "Đơn vị không báo cáo (last: xếp cuối / unranked: không xếp hạng)"),
    ("bands", "Xếp loại (nhãn:ngưỡng dưới|...)"),
    ("aggregates", "Nhóm xếp hạng (tên|...)"),
]


@dataclass
class Table:
    records: list[dict] = field(default_factory=list)  # keyed by canonical column keys
    meta: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


def load_table(filename: str, content: bytes) -> Table:
    """Read an uploaded catalogue. Problems say, in Vietnamese, why a file cannot be read."""
    table = Table()
    name = (filename or "").lower()
    if not content:
        table.problems.append(Problem(None, "", "tệp rỗng, không có dữ liệu."))
        return table
    if len(content) > MAX_IMPORT_BYTES:
        table.problems.append(Problem(None, "", f"tệp lớn hơn {MAX_IMPORT_BYTES // (1024 * 1024)} MB."))
        return table
    if name.endswith(".xlsx"):
        dataset = _read_xlsx(content, table)
    elif name.endswith(".csv"):
        dataset = _read_csv(content, table)
    else:
        table.problems.append(Problem(None, "", "chỉ nhận tệp Excel (.xlsx) hoặc CSV (.csv)."))
        return table
    if dataset is None:
        return table
    _collect_records(dataset, table, unquote=name.endswith(".csv"))
    return table


def _read_xlsx(content: bytes, table: Table):
    """The first sheet as a dataset, read in read-only mode within limits checked as early as they can be:
    the archive's members and unzipped size before opening it, the sheet's declared size before reading
    it, then rows as they stream. A 71 KB file of 200 000 rows or a 1.5 KB one whose only cell is
    XFD1048576 is refused in well under a second instead of taking minutes and gigabytes."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile:
        table.problems.append(Problem(None, "", "tệp .xlsx không phải bảng tính Excel (có thể là tệp khác bị đổi đuôi)."))
        return None
    if (len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > MAX_UNZIPPED
            or any(m.filename.startswith("xl/worksheets/") and m.file_size > MAX_SHEET_XML for m in members)):
        table.problems.append(Problem(None, "", "tệp Excel giải nén ra quá lớn so với một bộ chỉ số; hãy lưu lại "
                                                "chỉ trang chỉ tiêu dưới dạng .xlsx rồi thử lại."))
        return None
    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True, keep_links=False)
    except Exception:  # noqa: BLE001 - any unreadable workbook gets the same plain message
        table.problems.append(Problem(None, "", "không đọc được tệp Excel; hãy lưu lại dưới dạng .xlsx rồi thử lại."))
        return None
    try:
        rows = _sheet_rows(book.active, table)
        if rows is None:
            return None
        if META_SHEET in book.sheetnames:
            labels = {label: key for key, label in META_KEYS}
            for row in book[META_SHEET].iter_rows(min_row=2, max_row=2 + 4 * len(META_KEYS), max_col=2, values_only=True):
                if row and row[0] is not None:
                    key = labels.get(str(row[0]).strip(), str(row[0]).strip())
                    value = row[1] if len(row) > 1 else None
                    table.meta[key] = "" if value is None else str(value).strip()
    except Exception:  # noqa: BLE001 - a damaged sheet inside a valid zip
        table.problems.append(Problem(None, "", "không đọc được tệp Excel; hãy lưu lại dưới dạng .xlsx rồi thử lại."))
        return None
    finally:
        book.close()
    dataset = tablib.Dataset()
    if not rows:
        return dataset
    headers = list(rows[0])
    while headers and headers[-1] in (None, ""):
        headers.pop()
    dataset.headers = headers
    width = len(headers)
    for values in rows[1:]:
        dataset.append((list(values) + [None] * width)[:width])
    return dataset


def _sheet_rows(sheet, table: Table) -> list[tuple] | None:
    """The rows of the indicator sheet up to its last non-empty one, or None with a problem."""
    declared_columns, declared_rows = sheet.max_column or 0, sheet.max_row or 0
    if declared_columns > MAX_COLUMNS or declared_rows > MAX_SCANNED_ROWS:
        last = f"{get_column_letter(declared_columns)}{declared_rows}" if declared_columns else str(declared_rows)
        table.problems.append(Problem(None, "", f"trang chỉ tiêu kéo dài đến ô {last}; một bộ chỉ số có tối đa {MAX_ROWS} dòng "
                                                f"và {MAX_COLUMNS} cột (hãy xóa các dòng, cột thừa rồi lưu lại)."))
        return None
    rows, last_filled, filled = [], 0, 0
    for number, values in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
        if number > MAX_SCANNED_ROWS or filled > MAX_ROWS:
            table.problems.append(Problem(None, "", f"trang chỉ tiêu có quá nhiều dòng; một bộ chỉ số có tối đa {MAX_ROWS} dòng."))
            return None
        rows.append(values)
        if any(v not in (None, "") for v in values):
            last_filled, filled = number, filled + 1
    return rows[:last_filled]


def _read_csv(content: bytes, table: Table):
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        table.problems.append(Problem(None, "", "tệp CSV phải mã hóa UTF-8 (trong Excel: Lưu thành › CSV UTF-8)."))
        return None
    if "\x00" in text:
        table.problems.append(Problem(None, "", "tệp .csv không phải văn bản (có thể là tệp khác bị đổi đuôi)."))
        return None
    try:
        return CSV(encoding="utf-8").create_dataset(text)
    except (csv.Error, tablib.InvalidDimensions) as error:
        table.problems.append(Problem(None, "", f"tệp CSV không hợp lệ: số cột các dòng không khớp ({error})."))
        return None


def _collect_records(dataset, table: Table, *, unquote: bool = False) -> None:
    headers = list(dataset.headers or [])
    keys = [column_key(h) if h is not None else None for h in headers]
    table.ignored_columns = [str(h) for h, k in zip(headers, keys) if h not in (None, "") and k is None]
    missing = [COLUMN_LABELS[c] + f" ({c})" for c in REQUIRED_COLUMNS if c not in keys]
    if missing:
        table.problems.append(Problem(None, "", "thiếu cột: " + ", ".join(missing) + "."))
        return
    for values in dataset:
        record = {}
        if unquote:  # what the portal's own CSV export quoted (dti_portal.exports.csv_cell), read back
            values = [csv_text(v) for v in values]
        for key, value in zip(keys, values):
            if key is not None:
                record[key] = clean_code(value) if key in ("code", "parent_code") else value
        table.records.append(record)
    if not any(str(v).strip() for r in table.records for v in r.values() if v is not None):
        table.problems.append(Problem(None, "", "tệp không có dòng chỉ tiêu nào."))


def render_csv(dataset: tablib.Dataset) -> bytes:
    """CSV in UTF-8 with a BOM, so that Excel on an office PC shows Vietnamese correctly; numbers
    written the Vietnamese way ("2,5"), as the import reads them back."""
    rows = tablib.Dataset(headers=dataset.headers)
    for row in dataset:
        rows.append([format_number(v) if isinstance(v, Decimal) else csv_cell(v) for v in row])
    return rows.export("csv").encode("utf-8-sig")


def render_xlsx(dataset: tablib.Dataset, meta: dict[str, str], guide: list[tuple[str, str]] = ()) -> bytes:
    """The indicator sheet first (frozen header, filter), then framework facts, then a guide."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Chỉ tiêu"
    sheet.append(list(dataset.headers))
    for row in dataset:
        sheet.append(list(row))
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            as_text(cell)  # a name or guidance beginning with "=" stays text, never a formula
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    widths = {"A": 10, "B": 10, "C": 70, "D": 12, "E": 14, "F": 30, "G": 40, "H": 40}
    for column, width in widths.items():
        sheet.column_dimensions[column].width = width
    for cell in sheet["D"][1:]:
        cell.number_format = "0.####"
    info = book.create_sheet(META_SHEET)
    info.append(["Mục", "Giá trị"])
    for key, label in META_KEYS:
        info.append([label, meta.get(key, "")])
    info.column_dimensions["A"].width = 36
    info.column_dimensions["B"].width = 60
    if guide:
        sheet_guide = book.create_sheet(GUIDE_SHEET)
        sheet_guide.append(["Cột / cách tính", "Ý nghĩa"])
        for row in guide:
            sheet_guide.append(list(row))
        sheet_guide.column_dimensions["A"].width = 28
        sheet_guide.column_dimensions["B"].width = 110
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
