"""Checking a whole catalogue before anything is saved: pure functions over plain rows.

Import (file → rows) and the model-level services both go through `check_rows`, so that a
rule about the tree lives in one place: codes unique, parents present, a `sum` parent's max
equals its children's total, no child above its parent, every rule able to reach its max,
achieved points within [0, max].
"""

import json
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from .scoring import RULE_EXAMPLES, RULE_LABELS, Rule, ScoringError, format_number, parse_number, validate_params

# Canonical column keys, and the headers people write for them (matched case-insensitively).
COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("code", "mã", "mã số", "stt"),
    "parent_code": ("parent_code", "mã cha"),
    "name": ("name", "tên chỉ tiêu", "chỉ số đánh giá", "tên"),
    "max_points": ("max_points", "điểm tối đa"),
    "rule": ("rule", "cách tính điểm"),
    "params": ("params", "tham số"),
    "guidance": ("guidance", "cách xác định và tính điểm"),
    "evidence_required": ("evidence_required", "tài liệu kiểm chứng"),
    "data_source": ("data_source", "nguồn số liệu"),
    "verifying_agency": ("verifying_agency", "cơ quan thẩm định"),
    "aggregates": ("aggregates", "nhóm xếp hạng"),
    "achieved": ("achieved", "điểm đạt được"),
    "reason": ("reason", "reason_points_lost", "lý do mất điểm"),
}
REQUIRED_COLUMNS = ("code", "name", "max_points")
COLUMN_LABELS = {
    "code": "Mã", "parent_code": "Mã cha", "name": "Tên chỉ tiêu", "max_points": "Điểm tối đa",
    "rule": "Cách tính điểm", "params": "Tham số", "guidance": "Cách xác định và tính điểm",
    "evidence_required": "Tài liệu kiểm chứng", "data_source": "Nguồn số liệu",
    "verifying_agency": "Cơ quan thẩm định", "aggregates": "Nhóm xếp hạng",
    "achieved": "Điểm đạt được", "reason": "Lý do mất điểm",
}
_ACHIEVED_YEAR = re.compile(r"^achieved_(\d{4})$")


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", str(text or "")).strip().casefold()


_HEADER_TO_KEY = {_fold(alias): key for key, aliases in COLUMNS.items() for alias in aliases}


def column_key(header: str) -> str | None:
    """The canonical key of a header ("Điểm tối đa" → "max_points"), None if unknown.

    `achieved_2021` (the reference CSV's column) is read as `achieved`.
    """
    folded = _fold(header)
    if _ACHIEVED_YEAR.match(folded):
        return "achieved"
    return _HEADER_TO_KEY.get(folded)


# The rule column takes the rule's code ("steps") or its Vietnamese name ("Theo bậc").
_RULE_NAMES = {_fold(name): rule.value for rule, name in RULE_LABELS.items()} | {rule.value: rule.value for rule in Rule}


def rule_code(text: str) -> str:
    """ "Theo bậc", "theo bậc", "steps" → "steps"; anything else as written (refused later)."""
    return _RULE_NAMES.get(_fold(text), str(text or "").strip())


# What the import template's guide sheet says of the columns and of each rule: the rules' lines
# come from the engine's examples, so the template cannot disagree with what the engine accepts.
COLUMN_GUIDE = [
    ("code", "Mã chỉ tiêu (văn bản, duy nhất): 1, 1.2, 1.2.3…"),
    ("parent_code", "Mã chỉ tiêu cha; để trống thì lấy theo dấu chấm (5.12.1 → 5.12)."),
    ("name", "Tên chỉ tiêu."),
    ("max_points", "Điểm tối đa; chỉ tiêu cha bằng tổng điểm tối đa các chỉ tiêu con. Số viết kiểu Việt Nam: "
                   "dấu phẩy là dấu thập phân (2,5), dấu chấm tách hàng nghìn (1.000); “2.5” bị từ chối."),
    ("rule", "Cách tính điểm: mã (steps) hoặc tên (Theo bậc); để trống thì cổng đề xuất theo cách diễn đạt "
             "(Tỷ lệ… → ratio, Số lượng… → count…)."),
    ("params", "Tham số dạng JSON, xem các dòng dưới. Phần của điểm tối đa (fraction) ghi như quyết định: "
               "0.5, \"1/2\", \"½\" hoặc \"50 %\"; các bậc ghi từ bậc cao xuống hay từ bậc thấp lên đều được; "
               "ngưỡng tỷ lệ ghi \"90 %\" hoặc 0.9. Trong JSON, số thập phân ghi bằng dấu chấm (0.5) như JSON."),
    ("aggregates", "Tên các nhóm xếp hạng mà chỉ tiêu thuộc về, cách nhau bởi |."),
    ("achieved / reason", "Tùy chọn: điểm đạt được và lý do mất điểm của một đơn vị (kết quả đã có)."),
]


def rule_guide() -> list[tuple[str, str]]:
    """The guide sheet's lines: the columns, then each rule with an example as a decision writes it."""
    rules = []
    for rule in Rule:
        words, params = RULE_EXAMPLES[rule]
        text = f"{RULE_LABELS[rule]}. Ví dụ: {words}."
        rules.append((rule.value, text + (f" Tham số: {params}" if params else " Không cần tham số.")))
    return COLUMN_GUIDE + rules


def template_rows() -> list[list]:
    """Example indicators for the import template (EXPORT_COLUMNS order), one per kind of rule
    a decision commonly uses, written the way the decision writes them; they import as they are."""
    def row(code, name, max_points, rule, guidance="", evidence=""):
        return [code, code.rpartition(".")[0], name, max_points, rule.value, RULE_EXAMPLES[rule][1], guidance, evidence,
                "", "", ""]

    return [
        ["1", "", "Nhận thức số", 75, Rule.SUM.value, "", "", "", "", "", ""],
        row("1.1", "Có chuyên mục về chuyển đổi số trên cổng thông tin", 5, Rule.YES_NO, evidence="Ảnh chụp chuyên mục"),
        row("1.2", "Người đứng đầu là Trưởng ban chỉ đạo chuyển đổi số", 10, Rule.CHOICE),
        row("1.3", "Tham gia các cuộc họp về chuyển đổi số", 10, Rule.CHECKLIST),
        row("1.4", "Số cuộc họp chuyên đề về chuyển đổi số do người đứng đầu chủ trì", 20, Rule.STEPS),
        row("1.5", "Số văn bản chỉ đạo về chuyển đổi số", 10, Rule.COUNT, "1 điểm/văn bản"),
        row("1.6", "Tỷ lệ hồ sơ giải quyết trực tuyến", 20, Rule.RATIO_STEPS),
    ]


def parent_of(code: str) -> str:
    """The parent code implied by a dotted code: "5.12.1" → "5.12", "5" → ""."""
    return code.rsplit(".", 1)[0] if "." in code else ""


def clean_code(value) -> str:
    """Codes are text. A spreadsheet may hand over numbers: 1.0 → "1", 6.2 → "6.2"."""
    if isinstance(value, float):
        value = repr(value)
        return value[:-2] if value.endswith(".0") else value
    return unicodedata.normalize("NFC", str(value if value is not None else "")).strip()


def suggest_rule(name: str, max_points: Decimal | None, has_children: bool) -> tuple[str, dict]:
    """A rule read from the indicator's wording, for files that do not state one.

    Max 0 → collected only; a parent → sum; "Tỷ lệ…/Tỷ trọng…" → ratio; "Số lượng…/Số …" →
    count (1 point per item); "Ban hành/Triển khai/Có…" → yes/no; otherwise the appraisers
    set the points (manual).
    """
    text = unicodedata.normalize("NFC", name or "").strip()
    lowered = text.casefold()
    if max_points is not None and max_points == 0:
        return Rule.COLLECTED.value, {}
    if has_children:
        return Rule.SUM.value, {}
    if lowered.startswith(("tỷ lệ", "tỉ lệ", "tỷ trọng", "tỉ trọng")):
        return Rule.RATIO.value, {}
    if lowered.startswith(("số lượng", "số ")):
        return Rule.COUNT.value, {"per_item": "1"}
    if lowered.startswith(("ban hành", "triển khai", "có ", "nghị quyết", "kế hoạch", "tổ chức")) or re.search(
        r"\bcó (chuyên mục|chuyên trang|chức năng|bộ phận)", lowered
    ):
        return Rule.YES_NO.value, {}
    return Rule.MANUAL.value, {}


@dataclass
class Row:
    """One indicator as read from a file or a form. `line` is the spreadsheet line (header = 1)."""

    line: int
    code: str
    name: str
    max_points: Decimal | None
    parent_code: str = ""
    rule: str = ""
    params: dict = field(default_factory=dict)
    guidance: str = ""
    evidence_required: str = ""
    data_source: str = ""
    verifying_agency: str = ""
    aggregates: list[str] = field(default_factory=list)
    achieved: Decimal | None = None
    reason: str = ""
    rule_suggested: bool = False


@dataclass
class Problem:
    line: int | None
    code: str
    message: str
    # "balance": a sum parent whose max differs from its children's total. A draft being
    # edited node by node may be unbalanced for a while; activation and import refuse it.
    kind: str = "error"

    def __str__(self) -> str:
        if self.line:
            where = f"Dòng {self.line}" + (f", mã “{self.code}”" if self.code else "")
        elif self.code:
            where = f"Mã “{self.code}”"
        else:
            return self.message[:1].upper() + self.message[1:]
        return f"{where}: {self.message}"


def _text(record: dict, key: str) -> str:
    value = record.get(key)
    return "" if value is None else unicodedata.normalize("NFC", str(value)).strip()


# Limits of a well-formed catalogue: far above any decision's, far below what breaks a page.
MAX_DEPTH = 8  # levels of the tree: pillar → group → criterion → sub-criterion is 4
MAX_PARAMS_LENGTH = 20_000  # characters of one indicator's params
MAX_PARAMS_NESTING = 6  # {"steps": [{"at": …}]} is 3


class ParamsTooLarge(ValueError):
    """Params refused before they are parsed: too long or nested too deep."""


def load_params(text: str) -> dict:
    """An indicator's params from JSON text: a dict, or ValueError (`ParamsTooLarge` with a
    Vietnamese message when the text is too long or too deeply nested to be parsed at all)."""
    if len(text) > MAX_PARAMS_LENGTH:
        raise ParamsTooLarge(f"tham số dài {len(text)} ký tự; tối đa {MAX_PARAMS_LENGTH}.")
    if _nesting(text) > MAX_PARAMS_NESTING:
        raise ParamsTooLarge(f"tham số lồng nhau quá {MAX_PARAMS_NESTING} cấp {{ … [ … ] … }}.")
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError("params must be a JSON object")
    return value


def _nesting(text: str) -> int:
    """How deep `{` and `[` nest in JSON text, outside strings; counted without parsing."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def read_rows(records: list[dict], *, first_line: int = 2) -> tuple[list[Row], list[Problem]]:
    """Turn records keyed by canonical column keys into Rows, with a problem per bad cell."""
    rows, problems = [], []
    for offset, record in enumerate(records):
        line = first_line + offset
        code = clean_code(record.get("code"))
        if not code and not any(_text(record, k) for k in record):
            continue  # a blank line
        if not code:
            problems.append(Problem(line, "", "thiếu mã chỉ tiêu."))
            continue
        name = _text(record, "name")
        if not name:
            problems.append(Problem(line, code, "thiếu tên chỉ tiêu."))
        max_points = _number(record.get("max_points"), "Điểm tối đa", line, code, problems, required=True)
        achieved = _number(record.get("achieved"), "Điểm đạt được", line, code, problems, required=False)
        params: dict = {}
        raw_params = _text(record, "params")
        if raw_params:
            try:
                params = load_params(raw_params)
            except ParamsTooLarge as error:
                problems.append(Problem(line, code, str(error)))
            except ValueError:
                problems.append(Problem(line, code, f"tham số “{raw_params[:80]}” không phải đối tượng JSON, ví dụ {{\"per_item\": 1}}."))
        rows.append(
            Row(
                line=line, code=code, name=name, max_points=max_points,
                parent_code=clean_code(record.get("parent_code")) or parent_of(code),
                rule=rule_code(_text(record, "rule")), params=params,
                guidance=_text(record, "guidance"), evidence_required=_text(record, "evidence_required"),
                data_source=_text(record, "data_source"), verifying_agency=_text(record, "verifying_agency"),
                aggregates=[a.strip() for a in _text(record, "aggregates").split("|") if a.strip()],
                achieved=achieved, reason=_text(record, "reason"),
            )
        )
    return rows, problems


def _number(value, label, line, code, problems, *, required) -> Decimal | None:
    if value is None or str(value).strip() == "":
        if required:
            problems.append(Problem(line, code, f"thiếu {label.lower()}."))
        return None
    try:
        return parse_number(value, field=label)
    except ScoringError as error:
        problems.append(Problem(line, code, error.message))
        return None


def check_rows(rows: list[Row]) -> list[Problem]:
    """Every reason the catalogue cannot be saved as it is. Fills in suggested rules."""
    problems: list[Problem] = []
    by_code: dict[str, Row] = {}
    for row in rows:
        if row.code in by_code:
            first = by_code[row.code]
            where = f"dòng {first.line}" if first.line else "một chỉ tiêu khác"
            problems.append(Problem(
                row.line, row.code,
                f"mã bị trùng với {where}. Mã là văn bản: “6.20” khác “6.2” — "
                "hãy kiểm tra bảng tính có tự đổi mã thành số không.",
            ))
        else:
            by_code[row.code] = row

    # Every row counts under its parent, duplicates included: a duplicated code is reported
    # once, not again as a parent whose children fall short of its max.
    children: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        if row.parent_code:
            if row.parent_code == row.code:
                problems.append(Problem(row.line, row.code, "chỉ tiêu không thể là cha của chính nó."))
            elif row.parent_code not in by_code:
                problems.append(Problem(row.line, row.code, f"mã cha “{row.parent_code}” không có trong tệp."))
            else:
                children[row.parent_code].append(row)

    shape = tree_problems(rows, by_code)
    if shape:  # the checks below walk the tree: not on a cycle or a tree deeper than any catalogue
        return sorted(problems + shape, key=lambda p: (p.line or 0, p.message))
    for row in rows:
        kids = children.get(row.code, []) if by_code.get(row.code) is row else []
        if not row.rule:
            row.rule, row.params = suggest_rule(row.name, row.max_points, bool(kids))
            row.rule_suggested = True
        problems += _check_node(row, kids)
    return sorted(problems, key=lambda p: (p.line or 0, p.message))


def tree_problems(rows: list[Row], by_code: dict[str, Row] | None = None) -> list[Problem]:
    """A parent that is its own descendant, or a tree deeper than MAX_DEPTH (kind "tree"). Each row
    walks up at most MAX_DEPTH parents: linear in rows, never recursive."""
    by_code = by_code if by_code is not None else {row.code: row for row in rows}
    found, cycles, too_deep = [], set(), False
    for row in rows:
        chain, node = [row.code], row
        while node.parent_code and node.parent_code != node.code and node.parent_code in by_code:
            if node.parent_code in chain:
                cycle = chain[chain.index(node.parent_code):]
                if frozenset(cycle) not in cycles:
                    cycles.add(frozenset(cycle))
                    found.append(Problem(row.line, row.code, "chỉ tiêu cha – con tạo thành vòng lặp: "
                                         + " → ".join(f"“{c}”" for c in [*cycle, cycle[0]])
                                         + " (mỗi mã là con của mã đứng sau).", kind="tree"))
                break
            chain.append(node.parent_code)
            if len(chain) > MAX_DEPTH:
                if not too_deep:
                    too_deep = True
                    found.append(Problem(row.line, row.code, f"cây chỉ tiêu sâu quá {MAX_DEPTH} cấp (mã “{row.code}” "
                                         f"nằm dưới {MAX_DEPTH} cấp cha trở lên).", kind="tree"))
                break
            node = by_code[node.parent_code]
    return found


def _check_node(row: Row, kids: list[Row]) -> list[Problem]:
    found = []
    if row.max_points is None:
        return found
    try:
        rule = Rule(row.rule)
    except ValueError:
        names = ", ".join(r.value for r in Rule)
        return [Problem(row.line, row.code, f"cách tính điểm “{row.rule}” không có; dùng một trong: {names}.")]
    if kids and rule not in (Rule.SUM, Rule.COLLECTED):
        found.append(Problem(row.line, row.code, "chỉ tiêu có chỉ tiêu con phải tính theo tổng (sum)."))
    try:
        row.params = validate_params(rule, row.params, row.max_points)
    except ScoringError as error:
        found.append(Problem(row.line, row.code, error.message))
    for kid in kids:
        if kid.max_points is not None and kid.max_points > row.max_points:
            found.append(Problem(
                kid.line, kid.code,
                f"điểm tối đa {format_number(kid.max_points)} lớn hơn điểm tối đa "
                f"{format_number(row.max_points)} của chỉ tiêu cha “{row.code}”.",
            ))
        if rule == Rule.COLLECTED and kid.rule and kid.rule != Rule.COLLECTED:
            found.append(Problem(kid.line, kid.code, f"chỉ tiêu cha “{row.code}” chỉ thu thập số liệu nên chỉ tiêu con cũng vậy."))
    if kids and rule == Rule.SUM and all(k.max_points is not None for k in kids):
        total = sum((k.max_points for k in kids), Decimal(0))
        if total != row.max_points:
            found.append(Problem(
                row.line, row.code,
                f"điểm tối đa {format_number(row.max_points)} khác tổng điểm tối đa các chỉ tiêu con "
                f"({format_number(total)}).",
                kind="balance",
            ))
    if row.achieved is not None:
        if row.achieved > row.max_points:
            found.append(Problem(
                row.line, row.code,
                f"điểm đạt {format_number(row.achieved)} lớn hơn điểm tối đa {format_number(row.max_points)}.",
            ))
    return found


def achieved_differences(rows: list[Row]) -> list[Problem]:
    """Parents whose published achieved points differ from the sum of their children's.

    Not a reason to refuse a file: totals are computed, never typed, and the difference is
    reported (e.g. seed 004's pillar 5 is published as 54, its criteria add up to 55,47).
    """
    by_code = {row.code: row for row in rows}
    children: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        if row.parent_code in by_code:
            children[row.parent_code].append(row)

    def computed(code: str) -> Decimal | None:
        kids = children.get(code)
        if not kids:
            return by_code[code].achieved
        parts = [computed(k.code) for k in kids]
        known = [p for p in parts if p is not None]
        return sum(known, Decimal(0)) if known else None

    notes = []
    for row in rows:
        if children.get(row.code) and row.achieved is not None:
            total = computed(row.code)
            if total is not None and total != row.achieved:
                notes.append(Problem(
                    row.line, row.code,
                    f"điểm đạt công bố {format_number(row.achieved)} khác tổng các chỉ tiêu con "
                    f"{format_number(total)}; cổng dùng số tính được.",
                ))
    return notes


def depth_order(rows: list[Row]) -> list[Row]:
    """Rows with every parent before its children, otherwise in file order."""
    by_code = {row.code: row for row in rows}

    def depth(row: Row, seen=()) -> int:
        parent = by_code.get(row.parent_code)
        if parent is None or parent.code in seen:
            return 0
        return 1 + depth(parent, seen + (row.code,))

    return sorted(rows, key=lambda r: (depth(r), r.line))
