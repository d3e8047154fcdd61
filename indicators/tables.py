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
from import_export.formats.base_formats import CSV, XLSX

from .catalogue import COLUMN_LABELS, REQUIRED_COLUMNS, Problem, column_key, clean_code
from .scoring import format_number

META_SHEET = "Thông tin"
GUIDE_SHEET = "Hướng dẫn"
MAX_IMPORT_BYTES = 5 * 1024 * 1024

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
    _collect_records(dataset, table)
    return table


def _read_xlsx(content: bytes, table: Table):
    if not zipfile.is_zipfile(io.BytesIO(content)):
        table.problems.append(Problem(None, "", "tệp .xlsx không phải bảng tính Excel (có thể là tệp khác bị đổi đuôi)."))
        return None
    try:
        dataset = XLSX().create_dataset(content)
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any unreadable workbook gets the same plain message
        table.problems.append(Problem(None, "", "không đọc được tệp Excel; hãy lưu lại dưới dạng .xlsx rồi thử lại."))
        return None
    if META_SHEET in book.sheetnames:
        labels = {label: key for key, label in META_KEYS}
        for row in book[META_SHEET].iter_rows(min_row=2, values_only=True):
            if row and row[0] is not None:
                key = labels.get(str(row[0]).strip(), str(row[0]).strip())
                value = row[1] if len(row) > 1 else None
                table.meta[key] = "" if value is None else str(value).strip()
    book.close()
    return dataset


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


def _collect_records(dataset, table: Table) -> None:
    headers = list(dataset.headers or [])
    keys = [column_key(h) if h is not None else None for h in headers]
    table.ignored_columns = [str(h) for h, k in zip(headers, keys) if h not in (None, "") and k is None]
    missing = [COLUMN_LABELS[c] + f" ({c})" for c in REQUIRED_COLUMNS if c not in keys]
    if missing:
        table.problems.append(Problem(None, "", "thiếu cột: " + ", ".join(missing) + "."))
        return
    for values in dataset:
        record = {}
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
        rows.append([format_number(v) if isinstance(v, Decimal) else v for v in row])
    return rows.export("csv").encode("utf-8-sig")


def render_xlsx(dataset: tablib.Dataset, meta: dict[str, str], guide: list[tuple[str, str]] = ()) -> bytes:
    """The indicator sheet first (frozen header, filter), then framework facts, then a guide."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Chỉ tiêu"
    sheet.append(list(dataset.headers))
    for row in dataset:
        sheet.append(list(row))
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
