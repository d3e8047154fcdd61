"""The unit's offline workbook (bảng tính nhập liệu): written for one assessment, read back when filled.

- `workbook_layout(assessment)` reads what the workbook shows (indicators in tree order, answers);
  `render_workbook(layout)` turns it into xlsx bytes (write-only mode: rows stream to the file).
- `read_workbook(upload, layout)` checks a filled workbook and reads every row through the answer
  form of its indicator (`answer_forms.answer_form`: the same parsing as the entry page), then says
  what would change and what is refused. Nothing is saved here; `preview_dump`/`preview_load` carry
  the result, signed, from the preview to the confirmation, and the view saves it with
  `services.answers_save_bulk` (all or nothing, one event per changed answer).

Layout of the sheet "Chỉ tiêu": one row per indicator (groups as headings, without inputs); columns
code, name, max, rule in words, guidance, then one pair of columns per input (its label, locked, and
its value, unlocked), note, current score. A checklist gets one input per item ("Có"/"Không");
choices and yes/no get a drop-down list. Input cells are text cells: what the officer types is read
the Vietnamese way, as on the entry page ("1.000" = 1000, "41,6"); a number cell is read as the
number it holds. The very hidden sheet "_dti" holds the signed identity of the workbook (assessment,
unit, period) and the drop-down lists; a workbook of another unit or period is refused.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from copy import copy
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import openpyxl
from django import forms
from django.conf import settings
from django.core import signing
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from dti_portal.exports import xlsx_cell
from indicators.display import points, rule_text
from indicators.scoring import ScoringError, format_number, parse_number, score

from .answer_forms import NO as NO_VALUE
from .answer_forms import YES as YES_VALUE
from .answer_forms import YesNoField, answer_form
from .models import Answer, Assessment
from .selectors import entry_sheet

DATA_SHEET = "Chỉ tiêu"
META_SHEET = "_dti"
SALT = "assessments.workbook"
PREVIEW_SALT = "assessments.workbook.preview"
PREVIEW_MAX_AGE = 2 * 3600  # seconds a preview may wait for its confirmation
MAX_BYTES_DEFAULT = 5 * 1024 * 1024
MAX_UNZIPPED = 60 * 1024 * 1024  # a 5 MB workbook never holds more; a zip bomb does
MAX_MEMBERS = 200
EXTRA_ROWS = 200  # rows below the last indicator that may hold stray content before we give up
EXTRA_COLUMNS = 20  # columns right of the last one that are looked at for stray content
YES, NO = "Có", "Không"
_TICK = YesNoField(required=False, choices=[("", "—"), (YES_VALUE, YES), (NO_VALUE, NO)])
HEADER_ROW, FIRST_ROW = 2, 3  # row 1: the title (unit, period), never read back
FIXED = ["Mã", "Chỉ tiêu", "Điểm tối đa", "Cách tính điểm", "Hướng dẫn, tài liệu kiểm chứng"]
TAIL = ["Ghi chú", "Điểm hiện có"]


def max_bytes() -> int:
    """The largest workbook accepted: the evidence limit, at most 5 MB (the `WORKBOOK_MAX_BYTES` setting)."""
    evidence = int(getattr(settings, "EVIDENCE_MAX_BYTES", MAX_BYTES_DEFAULT))
    return int(getattr(settings, "WORKBOOK_MAX_BYTES", min(evidence, MAX_BYTES_DEFAULT)))


class WorkbookRefused(ValueError):
    """The file as a whole cannot be read as this assessment's workbook (message in Vietnamese)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- what the workbook shows ------------------------------------------------------------------
@dataclass(frozen=True)
class Slot:
    """One input cell of a row: a form field, or one item of a checklist (`choice` set)."""

    label: str
    name: str
    kind: str  # number, integer, text, bool, choice, tick
    choices: tuple[str, ...] = ()
    choice: str = ""  # for a tick: the checklist item it stands for


@dataclass
class Line:
    indicator: object
    slots: list[Slot]
    answer: Answer | None

    @property
    def answerable(self) -> bool:
        return bool(self.slots)


@dataclass
class Layout:
    assessment: Assessment
    lines: list[Line]
    width: int  # input pairs per row

    @property
    def header(self) -> list[str]:
        pairs = []
        for n in range(1, self.width + 1):
            pairs += [f"Nội dung {n}", f"Số liệu {n}"]
        return FIXED + pairs + TAIL

    @property
    def note_column(self) -> int:  # 0-based
        return len(FIXED) + 2 * self.width


def _slots(fields: list[dict]) -> list[Slot]:
    slots = []
    for spec in fields:
        kind, label, name = spec["kind"], spec["label"], spec["name"]
        if kind == "multi":
            slots += [Slot(label=c, name=name, kind="tick", choices=(YES, NO), choice=c) for c in spec["choices"]]
        elif kind == "bool":
            slots.append(Slot(label=label, name=name, kind="bool", choices=(YES, NO)))
        elif kind == "choice":
            slots.append(Slot(label=label, name=name, kind="choice", choices=tuple(spec["choices"])))
        else:
            slots.append(Slot(label=label, name=name, kind=kind))
    return slots


def workbook_layout(assessment: Assessment) -> Layout:
    """Every indicator of the assessment in tree order with its inputs and current answer
    (the entry page's reads: a fixed number of queries whatever the size of the framework)."""
    lines = []
    for item in entry_sheet(assessment).items:
        # Every leaf with inputs, collected-only data too (as on the entry page); groups are headings.
        lines.append(Line(item.indicator, _slots(item.fields) if item.is_leaf else [], item.answer))
    width = max((len(line.slots) for line in lines), default=0)
    return Layout(assessment=assessment, lines=lines, width=max(width, 1))


def identity(assessment: Assessment) -> dict:
    return {"a": assessment.pk, "u": assessment.unit_id, "p": assessment.period_id, "f": assessment.framework_id,
            "unit": assessment.unit.name, "period": assessment.period.name}


# --- writing --------------------------------------------------------------------------------
def _number_text(value) -> str:
    """A stored number as the officer would type it ("41,6"); text kept as typed if it is not one."""
    if value is None or value == "":
        return ""
    try:
        return format_number(parse_number(value, allow_negative=True))
    except ScoringError:
        return str(value)


def _yes_no(value) -> str:
    """A stored yes/no as the cell shows it ("Có", "Không"), read by the answer form's field."""
    if value is None or value == "":
        return ""
    try:
        return YES if _TICK.clean(value) == YES_VALUE else NO
    except forms.ValidationError:
        return str(value)


def slot_value(slot: Slot, inputs: dict) -> str:
    """What a cell shows for the stored inputs of its answer."""
    value = inputs.get(slot.name)
    if slot.kind == "tick":
        if value is None:
            return ""
        ticked = {str(v).strip().casefold() for v in value} if isinstance(value, list | tuple) else set()
        return YES if slot.choice.casefold() in ticked else NO
    if slot.kind == "bool":
        return _yes_no(value)
    if slot.kind in ("number", "integer"):
        return _number_text(value)
    if slot.kind == "choice" and isinstance(value, int) and 0 <= value < len(slot.choices):
        return slot.choices[value]
    return "" if value is None else str(value)


def render_workbook(layout: Layout) -> bytes:
    """The xlsx bytes of a layout (pure: reads no database)."""
    book = openpyxl.Workbook(write_only=True)
    title = workbook_title(layout.assessment)
    book.properties.title, book.properties.creator = title, "Cổng DTI"
    sheet = book.create_sheet(DATA_SHEET)
    meta = book.create_sheet(META_SHEET)
    meta.sheet_state = "veryHidden"
    header = layout.header
    sheet.freeze_panes = f"C{FIRST_ROW}"
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.page_setup.orientation, sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = "landscape", 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    widths = {1: 9, 2: 48, 3: 9, 4: 36, 5: 40}
    for n in range(layout.width):
        widths[len(FIXED) + 2 * n + 1] = 22
        widths[len(FIXED) + 2 * n + 2] = 14
    widths[len(header) - 1], widths[len(header)] = 30, 11
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.protection.sheet = True
    # Locked for typing, free for reading comfortably: widen columns, resize rows, filter.
    sheet.protection.formatColumns = sheet.protection.formatRows = sheet.protection.autoFilter = False
    sheet.protection.selectLockedCells = False

    # A cell's style set attribute by attribute costs a lookup per attribute in the workbook's
    # style tables; the few combinations the sheet uses are made once and copied (a third of the time).
    bold, wrap, top = Font(bold=True), Alignment(wrap_text=True, vertical="top"), Alignment(vertical="top")
    grey, blue = PatternFill("solid", fgColor="F2F2F2"), PatternFill("solid", fgColor="DDEBF7")
    unlocked = Protection(locked=False)
    head = _style(sheet, font=bold, alignment=wrap, fill=grey)
    text, group = _style(sheet, alignment=wrap), _style(sheet, font=bold, alignment=wrap, fill=blue)
    label, blank, group_blank = _style(sheet, alignment=wrap, fill=grey), _style(sheet, fill=grey), _style(sheet, fill=blue)
    typed = _style(sheet, protection=unlocked, number_format="@", alignment=top)
    note_style = _style(sheet, protection=unlocked, alignment=wrap)
    sheet.append([_cell(sheet, title, _style(sheet, font=Font(bold=True, size=13)))])  # what this file is, at a glance
    sheet.append([_cell(sheet, name, head) for name in header])

    meta.append([signing.dumps(identity(layout.assessment), salt=SALT)])
    lists: dict[tuple[str, ...], str] = {}  # choices → the _dti range that lists them
    validations: dict[str, list[str]] = {}  # range formula → cells

    def list_range(choices: tuple[str, ...]) -> str:
        if choices not in lists:
            row = len(lists) + 2
            meta.append(list(choices))
            lists[choices] = f"{quote_sheetname(META_SHEET)}!$A${row}:${get_column_letter(len(choices))}${row}"
        return lists[choices]

    first_input = len(FIXED) + 1
    for number, line in enumerate(layout.lines, start=FIRST_ROW):
        indicator, answer = line.indicator, line.answer
        inputs = answer.inputs if answer else {}
        guidance = indicator.guidance.strip()
        if indicator.evidence_required.strip():
            guidance = "\n".join(filter(None, [guidance, f"Tài liệu kiểm chứng: {indicator.evidence_required.strip()}"]))
        fixed = [indicator.code, indicator.name, indicator.max_points,  # numbers as numbers where nothing is typed
                 rule_text(indicator) if indicator.rule != "sum" else "", guidance]
        if not line.answerable:  # a group: a heading across the row, nothing to type
            sheet.append([_cell(sheet, v, group) for v in fixed] + [_cell(sheet, None, group_blank)] * (2 * layout.width + 2))
            continue
        cells = [_cell(sheet, v, text) for v in fixed]
        for n in range(layout.width):
            if n >= len(line.slots):
                cells += [_cell(sheet, None, blank), _cell(sheet, None, blank)]
                continue
            slot = line.slots[n]
            cells += [_cell(sheet, slot.label, label), _cell(sheet, slot_value(slot, inputs), typed)]
            if slot.choices:
                validations.setdefault(list_range(slot.choices), []).append(f"{get_column_letter(first_input + 2 * n + 1)}{number}")
        cells += [_cell(sheet, (answer.note if answer else "") or None, note_style),
                  answer.self_score if answer else None]
        sheet.append(cells)

    for formula, refs in validations.items():
        rule = DataValidation(type="list", formula1=f"={formula}", allow_blank=True, showErrorMessage=True,
                              errorTitle="Giá trị không có trong danh sách", error="Hãy chọn một giá trị trong danh sách.")
        rule.sqref = " ".join(refs)
        sheet.data_validations.append(rule)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _style(sheet, **attributes):
    cell = WriteOnlyCell(sheet)
    for name, value in attributes.items():
        setattr(cell, name, value)
    return cell._style


def _cell(sheet, value, style) -> WriteOnlyCell:
    cell = xlsx_cell(sheet, value)  # text stays text: a name or note beginning with "=" is never a formula
    cell._style = copy(style)
    return cell


def workbook_title(assessment: Assessment) -> str:
    return f"Bảng tính nhập liệu – {assessment.unit.name} – {assessment.period.name}"


def workbook_filename(assessment: Assessment) -> str:
    return f"bang-tinh-{assessment.period.year}-don-vi-{assessment.unit_id}.xlsx"


# --- reading --------------------------------------------------------------------------------
@dataclass
class Change:
    row: int
    indicator: object
    old: str
    new: str
    old_score: str
    new_score: str
    inputs: dict
    note: str


@dataclass
class Refusal:
    row: int
    code: str
    message: str


@dataclass
class Reading:
    changes: list[Change] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)
    unchanged: int = 0


def _column_name(index: int, header: list[str]) -> str:
    return f"cột {get_column_letter(index + 1)} ({header[index]})"


def _open(upload) -> openpyxl.Workbook:
    """The workbook in read-only mode, after the checks that cost nothing: size, zip, unzipped size."""
    size = upload.size
    if not size:
        raise WorkbookRefused("Tệp rỗng (0 byte): hãy chọn bảng tính đã điền số liệu.")
    limit = max_bytes()
    if size > limit:
        raise WorkbookRefused(f"Tệp quá lớn ({megabytes(size)}); bảng tính nhập liệu chỉ được tối đa {megabytes(limit)}.")
    upload.seek(0)
    content = upload.read()
    not_xlsx = WorkbookRefused("Tệp không phải bảng tính Excel (.xlsx). Hãy dùng bảng tính tải về từ trang nhập liệu "
                               "và lưu lại dưới dạng Excel Workbook (.xlsx).")
    if not zipfile.is_zipfile(io.BytesIO(content)):
        raise not_xlsx
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile:
        raise not_xlsx from None
    if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > MAX_UNZIPPED:
        raise WorkbookRefused("Tệp giải nén ra quá lớn so với một bảng tính nhập liệu; hãy dùng bảng tính tải về từ trang nhập liệu.")
    if "xl/workbook.xml" not in {m.filename for m in members}:
        raise not_xlsx
    try:
        return openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=False, keep_links=False)
    except Exception:  # noqa: BLE001 - any unreadable workbook gets the same plain message
        raise WorkbookRefused("Không đọc được tệp Excel; hãy mở lại bằng Excel, lưu dưới dạng .xlsx rồi tải lên lại.") from None


def megabytes(size: int) -> str:
    return f"{format_number(Decimal(size) / (1024 * 1024), 1)} MB"


def _check_identity(book, assessment: Assessment) -> None:
    names = book.sheetnames
    if META_SHEET not in names or DATA_SHEET not in names:
        raise WorkbookRefused("Đây không phải bảng tính nhập liệu tải về từ cổng (thiếu trang “Chỉ tiêu” hoặc thông tin "
                              "nhận dạng). Hãy tải bảng tính của đơn vị về, điền rồi tải lên.")
    extra = [n for n in names if n not in (DATA_SHEET, META_SHEET)]
    if extra:
        raise WorkbookRefused(f"Bảng tính có thêm trang {', '.join(f'“{n}”' for n in extra)}. Hãy xoá trang thêm, "
                              "chỉ điền vào trang “Chỉ tiêu” rồi tải lên lại.")
    token = next(book[META_SHEET].iter_rows(min_row=1, max_row=1, max_col=1, values_only=True), (None,))[0]
    try:
        found = signing.loads(str(token or ""), salt=SALT)
    except signing.BadSignature:
        raise WorkbookRefused("Thông tin nhận dạng của bảng tính bị thiếu hoặc đã bị sửa. Hãy tải bảng tính mới "
                              "từ trang nhập liệu rồi điền lại.") from None
    expected = identity(assessment)
    if found.get("a") == expected["a"] and found.get("f") == expected["f"]:
        return
    if found.get("u") != expected["u"]:
        raise WorkbookRefused(f"Bảng tính này là của đơn vị “{found.get('unit')}” ({found.get('period')}), không phải "
                              f"của {expected['unit']}. Hãy tải bảng tính của đơn vị mình.")
    raise WorkbookRefused(f"Bảng tính này là của kỳ “{found.get('period')}”, không phải kỳ “{expected['period']}”. "
                          "Hãy tải bảng tính của kỳ này.")


def _cell_value(cell):
    """A cell's value as a form reads it: text stripped, numbers and booleans as they are (the form
    reads a number cell as the number it holds), a date as dd/mm/yyyy text, "" for nothing."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool | int | float | Decimal):
        return value
    return str(value).strip()


def _cell_text(cell) -> str:
    value = _cell_value(cell)
    return format_number(Decimal(repr(value))) if isinstance(value, float) else str(value)


def _is_formula(cell) -> bool:
    return getattr(cell, "data_type", None) == "f" or (isinstance(cell.value, str) and cell.value.startswith("="))


def read_workbook(upload, layout: Layout) -> Reading:
    """What a filled workbook would change. `WorkbookRefused` when the file as a whole is not
    this assessment's workbook; otherwise each row's problems are refusals in the result."""
    book = _open(upload)
    try:
        _check_identity(book, layout.assessment)
        sheet = book[DATA_SHEET]
        expected_rows = len(layout.lines) + HEADER_ROW
        if (sheet.max_row or 0) > expected_rows + EXTRA_ROWS or (sheet.max_column or 0) > len(layout.header) + EXTRA_COLUMNS:
            raise WorkbookRefused(f"Trang “{DATA_SHEET}” có quá nhiều dòng hoặc cột ({sheet.max_row} dòng, "
                                  f"{sheet.max_column} cột); bảng tính của đơn vị có {expected_rows} dòng.")
        return _read_rows(sheet, layout)
    finally:
        book.close()


def _read_rows(sheet, layout: Layout) -> Reading:
    header = layout.header
    width = len(header)
    reading = Reading()
    rows = sheet.iter_rows(min_row=HEADER_ROW, max_row=len(layout.lines) + HEADER_ROW + EXTRA_ROWS, max_col=width + EXTRA_COLUMNS)
    first = list(next(rows, ()))
    head = [_cell_text(c) for c in first[:width]]
    head += [""] * (width - len(head))
    if head != header:
        column = next(n for n, (a, b) in enumerate(zip(head, header)) if a != b)
        raise WorkbookRefused(f"Dòng tên cột (dòng {HEADER_ROW}) đã bị sửa: cột {get_column_letter(column + 1)} phải là “{header[column]}” "
                              f"(đang là “{head[column]}”). Hãy dùng bảng tính tải về, không thêm, bớt hay đổi cột.")
    lines = iter(layout.lines)
    for number, cells in enumerate([first, *rows], start=HEADER_ROW):
        cells = [c if c is not None else _BLANK for c in cells]
        stray = [n for n, c in enumerate(cells[width:], start=width) if c.value not in (None, "")]
        if stray:
            reading.refusals.append(Refusal(number, "", f"Có nội dung ngoài bảng, ở cột "
                                            f"{', '.join(get_column_letter(n + 1) for n in stray)}; hãy xoá nội dung đó."))
        if number == HEADER_ROW:
            continue
        cells = cells[:width] + [_BLANK] * (width - len(cells))
        line = next(lines, None)
        if line is None:
            if any(c.value not in (None, "") for c in cells):
                reading.refusals.append(Refusal(number, "", "Dòng thêm ngoài danh sách chỉ tiêu; hãy xoá dòng này."))
            continue
        _read_line(number, cells, line, layout, reading)
    return reading


class _Blank:
    value = None
    data_type = "n"


_BLANK = _Blank()


def _read_line(number: int, cells: list, line: Line, layout: Layout, reading: Reading) -> None:
    """One row: its code checked, its cells read by the indicator's answer form, compared with the answer."""
    header = layout.header
    indicator, answer = line.indicator, line.answer
    code = indicator.code
    found = _cell_text(cells[0])
    if found != code:
        reading.refusals.append(Refusal(number, code, f"Mã chỉ tiêu đã bị sửa thành “{found}” (phải là “{code}”); "
                                                      "không đổi, thêm hay xoá dòng trong bảng tính."))
        return
    inputs_at = [len(FIXED) + 2 * n + 1 for n in range(len(line.slots))]
    formulas = [index for index in [*inputs_at, layout.note_column] if _is_formula(cells[index])]
    if formulas:
        where = ", ".join(_column_name(i, header) for i in formulas)
        reading.refusals.append(Refusal(number, code, f"Ô ở {where} chứa công thức; hãy nhập giá trị "
                                                      "(hoặc dán đặc biệt › chỉ giá trị)."))
        return
    if not line.answerable:
        return
    values = [_cell_value(cells[i]) for i in inputs_at]
    note = _cell_value(cells[layout.note_column])
    old_inputs, old_note = (answer.inputs, answer.note or "") if answer else ({}, "")
    if all(v == "" for v in values):
        if old_inputs:
            reading.refusals.append(Refusal(number, code, "Các ô số liệu đã bị xoá trống. Bảng tính không xoá số liệu "
                                                          "đã nhập; hãy điền lại, hoặc sửa trên trang nhập liệu."))
        elif str(note).strip() != old_note.strip():
            reading.refusals.append(Refusal(number, code, "Có ghi chú nhưng chưa nhập số liệu."))
        else:
            reading.unchanged += 1
        return
    data, problems = {"note": note}, []
    for slot, value, index in zip(line.slots, values, inputs_at):
        if slot.kind == "tick":  # one checklist item per cell: Có / Không, read by the form's yes/no field
            data.setdefault(slot.name, [])
            try:
                ticked = _TICK.clean(value) if value != "" else NO_VALUE
            except forms.ValidationError:
                problems.append(f"C{_column_name(index, header)[1:]}: chỉ nhập “{YES}” hoặc “{NO}” (đang là “{value}”).")
                continue
            if ticked == YES_VALUE:
                data[slot.name].append(slot.choice)
        else:
            data[slot.name] = value
    if problems:
        reading.refusals.append(Refusal(number, code, " ".join(problems)))
        return
    form = answer_form(indicator, data=data)
    if not form.is_valid():
        reading.refusals.append(Refusal(number, code, " ".join(form.error_list())))
        return
    inputs, note = form.inputs(), form.note_text()
    try:
        new_score = score(indicator.rule, indicator.params, indicator.max_points, inputs)
    except ScoringError as error:
        reading.refusals.append(Refusal(number, code, error.message))
        return
    if inputs == _as_form_reads(indicator, old_inputs, old_note) and note == old_note.strip():
        reading.unchanged += 1
        return
    reading.changes.append(Change(
        row=number, indicator=indicator, old=inputs_text(line.slots, old_inputs, old_note.strip()),
        new=inputs_text(line.slots, inputs, note),
        old_score=points(answer.self_score) if answer and answer.self_score is not None else "",
        new_score=points(new_score), inputs=inputs, note=note,
    ))


def _as_form_reads(indicator, inputs: dict, note: str) -> dict:
    """Stored inputs as the form would give them now ("4" and "4,0" are the same answer)."""
    if not inputs:
        return {}
    form = answer_form(indicator, data={**inputs, "note": note})
    return form.inputs() if form.is_valid() else inputs


def inputs_text(slots: list[Slot], inputs: dict, note: str = "") -> str:
    """"Tử số (a): 4 · Mẫu số (b): 10" — an answer as the preview shows it ("" when empty)."""
    if not inputs and not note:
        return ""
    parts, ticked_done = [], set()
    for slot in slots:
        if slot.kind == "tick":
            if slot.name in ticked_done:
                continue
            ticked_done.add(slot.name)
            chosen = [s.choice for s in slots if s.name == slot.name and slot_value(s, inputs) == YES]
            parts.append("Các mục đạt: " + (", ".join(chosen) if chosen else "không mục nào"))
        else:
            parts.append(f"{slot.label}: {slot_value(slot, inputs) or '—'}")
    if note:
        parts.append(f"Ghi chú: {note}")
    return " · ".join(parts)


# --- carrying the preview to the confirmation ---------------------------------------------------
def preview_dump(assessment: Assessment, user, reading: Reading) -> str:
    """The changes, signed for this assessment and this user, with the answers they were compared to."""
    changes = {}
    for change in reading.changes:
        changes[str(change.indicator.pk)] = {"inputs": change.inputs, "note": change.note}
    return signing.dumps({"a": assessment.pk, "user": user.pk, "changes": changes,
                          "before": _fingerprint(assessment, [c.indicator.pk for c in reading.changes])},
                         salt=PREVIEW_SALT, compress=True)


def preview_load(token: str, assessment: Assessment, user) -> dict[int, tuple[dict, str]]:
    """The signed changes back ({indicator pk: (inputs, note)}), if they are this user's for this
    assessment, recent, and the answers have not changed since the preview; else `WorkbookRefused`."""
    try:
        payload = signing.loads(token, salt=PREVIEW_SALT, max_age=PREVIEW_MAX_AGE)
    except signing.SignatureExpired:
        raise WorkbookRefused("Bản xem trước đã quá 2 giờ; hãy tải bảng tính lên lại.") from None
    except signing.BadSignature:
        raise WorkbookRefused("Bản xem trước không hợp lệ; hãy tải bảng tính lên lại.") from None
    if payload.get("a") != assessment.pk or payload.get("user") != user.pk:
        raise WorkbookRefused("Bản xem trước không thuộc bản đánh giá này; hãy tải bảng tính lên lại.")
    changes = {int(pk): (value["inputs"], value["note"]) for pk, value in payload["changes"].items()}
    if _fingerprint(assessment, list(changes)) != payload["before"]:
        raise WorkbookRefused("Số liệu đã được sửa ở nơi khác sau khi xem trước; hãy tải bảng tính lên lại để xem "
                              "các thay đổi mới nhất.")
    return changes


def _fingerprint(assessment: Assessment, indicator_ids: list[int]) -> str:
    answers = Answer.objects.filter(assessment=assessment, indicator__in=indicator_ids).order_by("indicator_id")
    rows = [[a.indicator_id, a.inputs, a.note, a.updated_at.isoformat()] for a in answers]
    return hashlib.sha256(json.dumps(rows, sort_keys=True, default=str).encode()).hexdigest()
