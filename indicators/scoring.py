"""The scoring engine: how an indicator's rule turns an answer into points.

Pure Python (standard library only, no Django) so it can be tested and reasoned about on its own.
`indicators/RULES.md` is the contract for rule names, params and inputs.

Promises:
- all arithmetic is `Decimal`, never float; points are kept to `PLACES` decimals (ROUND_HALF_UP);
- a score is always within [0, max]; an input that would break this is refused with a
  `InputError` (message in Vietnamese, numbers with a decimal comma), never clipped silently;
- a rule that is badly defined, or that no answer could bring to its max, is refused with a
  `RuleDefinitionError`.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import (
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from itertools import pairwise
from typing import Any, Literal

__all__ = [
    "describe_params",
    "echo_number",
    "PLACES",
    "RULE_EXAMPLES",
    "RULE_LABELS",
    "InputError",
    "Rule",
    "RuleDefinitionError",
    "ScoringError",
    "format_number",
    "input_fields",
    "params_as_written",
    "parse_number",
    "score",
    "validate_params",
]


class Rule(enum.StrEnum):
    YES_NO = "yes_no"
    CHOICE = "choice"
    CHECKLIST = "checklist"
    STEPS = "steps"
    COUNT = "count"
    RATIO = "ratio"
    RATIO_TARGET = "ratio_target"
    RATIO_STEPS = "ratio_steps"
    SUM = "sum"
    MANUAL = "manual"
    COLLECTED = "collected"


RULE_LABELS: dict[Rule, str] = {
    Rule.YES_NO: "Có/Không",
    Rule.CHOICE: "Lựa chọn",
    Rule.CHECKLIST: "Danh mục kiểm",
    Rule.STEPS: "Theo bậc",
    Rule.COUNT: "Đếm số lượng",
    Rule.RATIO: "Tỷ lệ",
    Rule.RATIO_TARGET: "Tỷ lệ so với mục tiêu",
    Rule.RATIO_STEPS: "Tỷ lệ theo bậc",
    Rule.SUM: "Tổng các chỉ tiêu con",
    Rule.MANUAL: "Thẩm định viên chấm",
    Rule.COLLECTED: "Chỉ thu thập, không tính điểm",
}

PLACES = 4
_QUANTUM = Decimal(1).scaleb(-PLACES)
# Numbers from 10**15 up are refused: nothing in a DTI framework is that large, and the bound keeps
# every product and quotient well inside the working precision below.
_MAX_INTEGER_DIGITS = 15
# Our own context, so a caller's changes to the thread's decimal context cannot change a score.
_CONTEXT = Context(prec=34, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow])
_ZERO = Decimal(0)
_ONE = Decimal(1)


# --------------------------------------------------------------------------------------- errors


class ScoringError(ValueError):
    """A refusal to show to users: `message` is Vietnamese, `field` names the input or param."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


class RuleDefinitionError(ScoringError):
    """The rule itself is wrong: bad params, a bad max, or a max no answer can reach."""


class InputError(ScoringError):
    """The answer is wrong: given by a unit officer or an appraiser, refused as it is."""


# Labels of input and param names, used in messages and forms.
_LABELS: dict[str, str] = {
    "a": "Tử số (a)",
    "b": "Mẫu số (b)",
    "value": "Giá trị",
    "count": "Số lượng",
    "points": "Điểm chấm",
    "option": "Lựa chọn",
    "ticked": "Các mục đạt",
    "children": "Điểm các chỉ tiêu con",
    "max_points": "Điểm tối đa",
    "per_item": "Điểm mỗi đơn vị (per_item)",
    "target": "Mục tiêu (target)",
    "b_zero": "Cách xử lý mẫu số bằng 0 (b_zero)",
    "options": "Các lựa chọn (options)",
    "items": "Các mục (items)",
    "steps": "Các bậc (steps)",
}


def _label(field: str | None) -> str | None:
    return _LABELS.get(field, field) if field else None


def _with_label(label: str | None, text: str) -> str:
    """`text` as a sentence, or after "label: " with its first letter lowered."""
    if not label:
        return text
    return f"{label}: {_lower_first(text)}"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _quote(value: Any, limit: int = 40) -> str:
    text = str(value)
    return f"“{text if len(text) <= limit else text[: limit - 1] + '…'}”"


# -------------------------------------------------------------------------------------- numbers

# Spaces that may group thousands ("1 000", "1\u00a0000"): space, no-break, thin, narrow no-break.
_GROUP_SPACES = " \u00a0\u2009\u202f"
_EDGE_SPACES = re.compile(r"^\s+|\s+$")
# Typed text, the Vietnamese way: "," is the decimal mark; thousands are grouped by "." or by a
# space, in groups of three after a first group of one to three digits ("1.234.567,5", "12 345").
_VI_PLAIN = re.compile(r"[+-]?(?:\d+(?:,\d*)?|,\d+)", re.ASCII)
_VI_GROUPED = re.compile(
    rf"[+-]?[1-9]\d{{0,2}}(?:(?:\.\d{{3}})+|(?:[{_GROUP_SPACES}]\d{{3}})+)(?:,\d*)?"
)
# A lone decimal point ("41.6", "0.500", ".5"): the English way, refused with how to write it.
_DOT_DECIMAL = re.compile(r"([+-]?)(\d*)\.(\d*)", re.ASCII)
# Params are JSON: numbers are JSON numbers, or text as the engine stores it ("0.5", decimal point);
# a decimal comma ("0,5") is read too. No thousands separators in params.
_PARAM_TEXT = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)", re.ASCII)
# Text in params that reads as Vietnamese thousands ("1.000", "12.500") but that the engine never
# stores (it keeps no trailing zeros): refused rather than read as 1 or 12.5.
_PARAM_GROUPED = re.compile(r"[+-]?[1-9]\d{0,2}(?:\.\d{3})*\.\d\d0", re.ASCII)

Notation = Literal["vi", "params"]


def parse_number(
    value: Any, *, field: str | None = None, places: int = PLACES, allow_negative: bool = False
) -> Decimal:
    """A number typed by a person, read the Vietnamese way: "," is the decimal mark, "." (or a
    space) groups thousands: "41,6", "1.000" (= 1000), "2.000,5", "1 000". A "." that does not
    group thousands ("41.6", "1.5", "0.500") is refused with how to write it, never guessed.
    int, float and Decimal (JSON, spreadsheet cells) are taken as they are. The result is finite,
    has at most `places` decimals (trailing zeros do not count), is ≥ 0 unless `allow_negative`
    and below 10**15. Else `InputError` with a Vietnamese message."""
    return _parse(value, label=_label(field), field=field, places=places,
                  allow_negative=allow_negative, error=InputError)


def _parse(
    value: Any, *, label: str | None, field: str | None, places: int = PLACES,
    allow_negative: bool = False, error: type[ScoringError] = InputError, notation: Notation = "vi",
) -> Decimal:
    def fail(text: str) -> ScoringError:
        return error(_with_label(label, text), field)

    number = _to_decimal(value, fail, notation)
    if not number.is_finite():
        raise fail(f"{_quote(value)} không phải là số.")
    if number and number.adjusted() >= _MAX_INTEGER_DIGITS:
        raise fail(f"{_quote(value)} quá lớn.")
    number = _canonical(number)
    if number < 0 and not allow_negative:
        raise fail(f"{_quote(_shown(number))} không được là số âm.")
    if -number.as_tuple().exponent > places:
        if places == 0:
            raise fail(f"{_quote(_shown(number))} phải là số nguyên.")
        raise fail(f"{_quote(_shown(number))} có quá {places} chữ số thập phân.")
    return number


def _to_decimal(value: Any, fail: Callable[[str], ScoringError], notation: Notation = "vi") -> Decimal:
    if value is None:
        raise fail("Chưa nhập giá trị.")
    if isinstance(value, bool):  # a bool is an int in Python, never a number here
        raise fail(f"{_quote(value)} không phải là số.")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))  # the shortest text for the float, not its binary expansion
    if not isinstance(value, str):
        raise fail(f"{_quote(value)} không phải là số.")
    text = _EDGE_SPACES.sub("", unicodedata.normalize("NFC", value)).replace("\u2212", "-")
    if not text:
        raise fail("Chưa nhập giá trị.")
    if notation == "params":
        if _PARAM_GROUPED.fullmatch(text):  # "1.000": never stored so (no trailing zeros), so a person's 1000?
            raise fail(
                f"{_quote(text)} không rõ nghĩa trong tham số JSON: viết số không có dấu tách hàng nghìn (1000); "
                "số thập phân viết 0.5 hoặc 0,5."
            )
        if _PARAM_TEXT.fullmatch(text):
            return Decimal(text.replace(",", "."))
        raise fail(f"{_quote(text)} không phải là số.")
    if _VI_PLAIN.fullmatch(text):
        return Decimal(text.replace(",", "."))
    if _VI_GROUPED.fullmatch(text):
        return Decimal(re.sub(rf"[.{_GROUP_SPACES}]", "", text).replace(",", "."))
    dot = _DOT_DECIMAL.fullmatch(text)
    if dot and (dot[2] or dot[3]):
        sign, whole, decimals = dot.groups()
        written = f"{sign}{whole or '0'}" + (f",{decimals}" if decimals else "")
        raise fail(
            f"{_quote(text)} không rõ nghĩa: viết số thập phân bằng dấu phẩy ({written}); "
            "dấu chấm chỉ dùng để tách hàng nghìn (1.000)."
        )
    if "." in text:
        raise fail(
            f"{_quote(text)} không phải là số: dấu phẩy là dấu thập phân (41,6), "
            "dấu chấm chỉ dùng để tách hàng nghìn theo nhóm ba chữ số (1.000 hoặc 1.234.567,5)."
        )
    raise fail(f"{_quote(text)} không phải là số.")


def _canonical(number: Decimal) -> Decimal:
    """The same value without trailing zeros and without an exponent ("10", not "1E+1")."""
    exact = Context(prec=max(len(number.as_tuple().digits), 1))  # enough digits: nothing is rounded
    number = number.normalize(exact)
    return Decimal(f"{number:f}") if number.as_tuple().exponent > 0 else number


def format_number(value: Decimal | int | float, places: int | None = None, *, grouped: bool = False) -> str:
    """Vietnamese text for a number: decimal comma, which `parse_number` reads back as the same value.

    Without `places`: exact — every significant decimal, no trailing zeros — with thousands grouped
    by "." only when `grouped` ("2.000,5"; "2000,5" without). With `places`: rounded half-up to that
    many decimals, thousands always grouped ("1.234,50")."""
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        return str(number)
    if places is None:
        text = f"{_canonical(number):f}"
        if text == "-0":
            text = "0"
        if not grouped:
            return text.replace(".", ",")
    else:
        exact = Context(prec=max(number.adjusted(), 0) + places + 2)
        number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=exact)
        text = f"{number:f}"
    sign = "-" if text.startswith("-") else ""
    whole, _, decimals = text.lstrip("-").partition(".")
    grouped_whole = f"{int(whole):,}".replace(",", ".")
    return f"{sign}{grouped_whole},{decimals}" if decimals else f"{sign}{grouped_whole}"


def echo_number(value: Any, *, places: int = PLACES) -> str:
    """A typed or stored number shown back as the engine reads it, thousands grouped: "2000,5" →
    "2.000,5", "1.000" → "1.000", 41.6 → "41,6". "" for what is not a number (`parse_number`
    refuses it; its message says why). For pages that echo a saved answer."""
    try:
        return format_number(parse_number(value, places=places, allow_negative=True), grouped=True)
    except InputError:
        return ""


def _shown(number: Decimal) -> str:
    """A number in a message: exact, thousands grouped, as `parse_number` reads it."""
    return format_number(number, grouped=True)


def _plain(number: Decimal) -> str:
    """A Decimal as JSON-safe text with a decimal point ("0.5", "10")."""
    return f"{_canonical(number):f}"


# ------------------------------------------------------------------------- params: shared parts


def _param_number(value: Any, field: str, label: str | None = None, *, places: int = PLACES) -> Decimal:
    """A number in params: like `parse_number`, but refusals are `RuleDefinitionError`."""
    return _parse(value, label=label or _label(field), field=field, places=places, error=RuleDefinitionError,
                  notation="params")


def _required(params: Mapping, key: str, rule: Rule) -> Any:
    if params.get(key) is None:
        raise RuleDefinitionError(f"Cách tính “{RULE_LABELS[rule]}” cần tham số “{key}”.", key)
    return params[key]


def _check_keys(given: Mapping, allowed: tuple[str, ...], where: str, field: str | None) -> None:
    unknown = [k for k in given if k not in allowed]
    if unknown:
        usable = f"dùng được: {', '.join(allowed)}" if allowed else "không cần tham số nào"
        raise RuleDefinitionError(f"{where} không dùng “{unknown[0]}”; {usable}.", field)


_ENTRY_NAMES = {"options": "Lựa chọn", "items": "Mục", "steps": "Bậc"}


def _entries(params: Mapping, key: str, rule: Rule, allowed: tuple[str, ...]) -> list[Mapping]:
    """The list under `key` (options, items, steps): non-empty, objects with known keys only."""
    entries = _required(params, key, rule)
    name = _ENTRY_NAMES[key]
    if not isinstance(entries, list | tuple) or not entries:
        raise RuleDefinitionError(f"Tham số “{key}” phải là một danh sách có ít nhất một {name.lower()}.", key)
    for n, entry in enumerate(entries, start=1):
        if not isinstance(entry, Mapping):
            raise RuleDefinitionError(f"{name} thứ {n} phải là một đối tượng JSON {{…}}.", key)
        _check_keys(entry, allowed, f"{name} thứ {n}", key)
    return list(entries)


def _key(text: str) -> str:
    """How labels are compared: NFC, spacing collapsed, case folded."""
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


def _labels(params: Mapping | None, key: str, rule: Rule, allowed: tuple[str, ...]) -> list[tuple[str, Mapping]]:
    """(label, entry) for each option or item: labels present, NFC, stripped, unique."""
    seen: set[str] = set()
    labelled = []
    name = _ENTRY_NAMES[key]
    for n, entry in enumerate(_entries(_as_params(params), key, rule, allowed), start=1):
        label = entry.get("label")
        if not isinstance(label, str) or not label.strip():
            raise RuleDefinitionError(f"{name} thứ {n} thiếu nhãn (label).", key)
        label = " ".join(unicodedata.normalize("NFC", label).split())
        if _key(label) in seen:
            raise RuleDefinitionError(f"{name} “{label}” bị trùng.", key)
        seen.add(_key(label))
        labelled.append((label, entry))
    return labelled


def _as_params(params: Any) -> Mapping:
    if params is None:
        return {}
    if not isinstance(params, Mapping):
        raise RuleDefinitionError("Tham số phải là một đối tượng JSON {…}.")
    return params


_VULGAR = {"½": "1/2", "⅓": "1/3", "⅔": "2/3", "¼": "1/4", "¾": "3/4", "⅕": "1/5", "⅖": "2/5", "⅗": "3/5",
           "⅘": "4/5", "⅙": "1/6", "⅚": "5/6", "⅛": "1/8", "⅜": "3/8", "⅝": "5/8", "⅞": "7/8"}
_RATIO_TEXT = re.compile(r"(\d{1,6})\s*/\s*(\d{1,6})", re.ASCII)
_FRACTION_HOW = "một số từ 0 đến 1 (0,5), một phân số (1/2) hoặc phần trăm (50 %)"


def _share(value: Any, label: str, field: str) -> Decimal:
    """A share of a whole as decisions write it: 0.5 (JSON number or text), "1/2" or "½", "50 %".
    Exact (nothing rounded), ≥ 0; the caller checks the upper bound and the decimals it keeps."""
    text = _VULGAR.get(value.strip(), value.strip()) if isinstance(value, str) else None
    if text is not None and text.endswith("%"):
        try:
            percent = _parse(text[:-1], label=None, field=field, places=PLACES, error=RuleDefinitionError,
                             notation="params")
        except RuleDefinitionError:
            raise RuleDefinitionError(f"{label}: {_quote(value)} phải là {_FRACTION_HOW}.", field) from None
        return percent / 100
    if text is not None and (ratio := _RATIO_TEXT.fullmatch(text)) is not None:
        numerator, denominator = (int(g) for g in ratio.groups())
        if denominator == 0:
            raise RuleDefinitionError(f"{label}: {_quote(value)} phải là {_FRACTION_HOW}.", field)
        return Decimal(numerator) / Decimal(denominator)
    return _param_number(value, field, label, places=PLACES + 8)


def _fraction_of_max(value: Any, where: str, field: str) -> Decimal:
    """A share of the max, from 0 to 1, kept to `PLACES` decimals: a share that needs more ("1/3")
    is refused rather than rounded, since the decision's points would no longer add up."""
    fraction = _share(value, f"{where} (fraction)", field)
    if fraction > 1:
        raise RuleDefinitionError(
            f"{where}: fraction phải từ 0 đến 1 (đang là {format_number(fraction)}); ghi {_FRACTION_HOW}.", field
        )
    if fraction != fraction.quantize(_QUANTUM):
        raise RuleDefinitionError(
            f"{where}: phần {_quote(value)} của điểm tối đa không viết được chính xác với {PLACES} chữ số thập phân; "
            "hãy ghi số điểm (points) thay cho phần của điểm tối đa (fraction).",
            field,
        )
    return _canonical(fraction)


# -------------------------------------------------------------------------- inputs: shared parts


def _pick(labels: list[str], value: Any, field: str) -> int:
    """The index of the option a value names: its label (compared by `_key`) or its 0-based index."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InputError(_with_label(_label(field), "Chưa chọn."), field)
    if isinstance(value, str):
        keys = [_key(label) for label in labels]
        if _key(value) in keys:
            return keys.index(_key(value))
        if value.strip().isdigit() and value.strip().isascii():
            value = int(value.strip())
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(labels):
        return value
    valid = ", ".join(f"“{label}”" for label in labels)
    raise InputError(
        _with_label(_label(field), f"{_quote(value)} không có; hãy chọn một trong: {valid}."), field
    )


def _input(inputs: Mapping, field: str, **kwargs: Any) -> Decimal:
    return parse_number(inputs.get(field), field=field, **kwargs)


# -------------------------------------------------------------------------------- the rules


def _no_params(params: Mapping, max_points: Decimal) -> dict:
    return {}


# yes_no

_TRUE = {"có", "co", "yes", "true", "1", "x"}
_FALSE = {"không", "khong", "no", "false", "0", ""}


def _yes(value: Any) -> bool:
    """True/False for an answer to a yes/no question; anything unclear is refused."""
    if isinstance(value, bool):
        return value
    if value is None:
        raise InputError(_with_label(_label("value"), "Chưa nhập giá trị."), "value")
    text = _key(str(value))
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise InputError(f"Câu trả lời {_quote(value)} không hợp lệ; hãy trả lời “có” hoặc “không”.", "value")


def _score_yes_no(params: Mapping, max_points: Decimal, inputs: Mapping) -> Decimal:
    return max_points if _yes(inputs.get("value")) else _ZERO


# choice


def _validate_choice(params: Mapping, max_points: Decimal) -> dict:
    options = []
    for label, entry in _labels(params, "options", Rule.CHOICE, ("label", "points", "fraction")):
        where = f"Lựa chọn “{label}”"
        if ("points" in entry) == ("fraction" in entry):
            raise RuleDefinitionError(
                f"{where} phải có đúng một trong hai: points (số điểm) hoặc fraction (phần của điểm tối đa).",
                "options",
            )
        if "points" in entry:
            points = _param_number(entry["points"], "options", f"{where} (points)")
            _check_not_above_max(points, max_points, where, "options")
            options.append({"label": label, "points": points})
        else:
            options.append({"label": label, "fraction": _fraction_of_max(entry["fraction"], where, "options")})
    if max(_option_points(o, max_points) for o in options) < max_points:
        raise RuleDefinitionError(
            f"Không có lựa chọn nào đạt điểm tối đa {format_number(max_points)}; hãy cho ít nhất một "
            f"lựa chọn {format_number(max_points)} điểm (hoặc fraction = 1).",
            "options",
        )
    return {"options": options}


def _option_points(option: Mapping, max_points: Decimal) -> Decimal:
    return option["points"] if "points" in option else option["fraction"] * max_points


def _score_choice(params: Mapping, max_points: Decimal, inputs: Mapping) -> Decimal:
    options = params["options"]
    chosen = _pick([o["label"] for o in options], inputs.get("option"), "option")
    return _option_points(options[chosen], max_points)


def _fields_choice(params: Mapping | None) -> list[dict]:
    labels = [label for label, _ in _labels(params, "options", Rule.CHOICE, ("label", "points", "fraction"))]
    return [_field("option", "choice", choices=labels)]


# checklist


def _validate_checklist(params: Mapping, max_points: Decimal) -> dict:
    """Items in points or as fractions of max ("½ max + ½ max"), each > 0, adding up to the max."""
    items, total = [], _ZERO
    for label, entry in _labels(params, "items", Rule.CHECKLIST, ("label", "points", "fraction")):
        where = f"Mục “{label}”"
        if "points" in entry and "fraction" in entry:
            raise RuleDefinitionError(
                f"{where} phải có đúng một trong hai: points (số điểm) hoặc fraction (phần của điểm tối đa).",
                "items",
            )
        if "fraction" in entry:
            fraction = _fraction_of_max(entry["fraction"], where, "items")
            points = fraction * max_points
            items.append({"label": label, "fraction": fraction})
        else:
            points = _param_number(entry.get("points"), "items", f"{where} (points)")
            items.append({"label": label, "points": points})
        if points <= 0:
            raise RuleDefinitionError(f"{where} phải cho điểm lớn hơn 0 (đang là {format_number(points)}).", "items")
        total += points
    if total != max_points:
        raise RuleDefinitionError(
            f"Các mục của danh mục kiểm cộng lại được {format_number(total)} điểm, "
            f"khác điểm tối đa {format_number(max_points)}.",
            "items",
        )
    return {"items": items}


def _score_checklist(params: Mapping, max_points: Decimal, inputs: Mapping) -> Decimal:
    items = params["items"]
    ticked = inputs.get("ticked")
    if ticked is None:
        raise InputError(_with_label(_label("ticked"), "Chưa nhập giá trị."), "ticked")
    if not isinstance(ticked, list | tuple | set | frozenset):
        raise InputError(
            _with_label(_label("ticked"), "Phải là danh sách các mục (nhãn hoặc số thứ tự)."), "ticked"
        )
    labels = [i["label"] for i in items]
    chosen: set[int] = set()
    for value in ticked:
        index = _pick(labels, value, "ticked")
        if index in chosen:
            raise InputError(
                _with_label(_label("ticked"), f"Mục “{labels[index]}” được đánh dấu hai lần."), "ticked"
            )
        chosen.add(index)
    return sum((_option_points(items[i], max_points) for i in chosen), _ZERO)


def _fields_checklist(params: Mapping | None) -> list[dict]:
    labels = [label for label, _ in _labels(params, "items", Rule.CHECKLIST, ("label", "points", "fraction"))]
    return [_field("ticked", "multi", choices=labels)]


# steps, ratio_steps: points by thresholds, on a number typed by the unit or on a / b


@dataclass(frozen=True)
class _Step:
    n: int  # 1-based position as listed, for messages
    min: Decimal
    shown: str  # the threshold as messages show it ("4", "90 %")
    entry: dict  # as stored: min and points, or min and fraction of max
    points: Decimal


def _validate_step_list(
    params: Mapping, max_points: Decimal, rule: Rule,
    threshold: Callable[[Any, str], Decimal], shown: Callable[[Decimal], str],
) -> list[dict]:
    """The steps, lowest threshold first. Decisions list them either way, bottom-up ("1 meeting:
    5 points … 4 meetings: 20") or top-down ("≥ 90 %: max, ≥ 70 %: ½ max"), and give each step
    points or a fraction of max; thresholds strictly ordered, a higher step never gives fewer
    points, and the top step gives the max (else no unit could reach it)."""
    read: list[_Step] = []
    for n, entry in enumerate(_entries(params, "steps", rule, ("min", "points", "fraction")), start=1):
        minimum = threshold(entry.get("min"), f"Bậc {n} (min)")
        where = f"Bậc {n} (từ {shown(minimum)})"
        if "fraction" in entry:
            if "points" in entry:
                raise RuleDefinitionError(
                    f"{where} phải có đúng một trong hai: points (số điểm) hoặc fraction (phần của điểm tối đa).",
                    "steps",
                )
            fraction = _fraction_of_max(entry["fraction"], where, "steps")
            read.append(_Step(n, minimum, shown(minimum), {"min": minimum, "fraction": fraction},
                              fraction * max_points))
        else:
            points = _param_number(entry.get("points"), "steps", f"Bậc {n} (points)")
            _check_not_above_max(points, max_points, where, "steps")
            read.append(_Step(n, minimum, shown(minimum), {"min": minimum, "points": points}, points))
    top_down = len(read) > 1 and read[0].min > read[-1].min
    for before, step in pairwise(read):
        if top_down and step.min >= before.min:
            raise RuleDefinitionError(
                f"Ngưỡng các bậc ghi từ bậc cao xuống phải giảm dần: bậc {step.n} (từ {step.shown}) không nhỏ "
                f"hơn bậc {before.n} (từ {before.shown}).",
                "steps",
            )
        if not top_down and step.min <= before.min:
            raise RuleDefinitionError(
                f"Ngưỡng các bậc phải tăng dần: bậc {step.n} (từ {step.shown}) không lớn hơn bậc {before.n} "
                f"(từ {before.shown}).",
                "steps",
            )
    ordered = read[::-1] if top_down else read
    for lower, higher in pairwise(ordered):
        if higher.points < lower.points:
            raise RuleDefinitionError(
                f"Điểm các bậc không được giảm: bậc {higher.n} (từ {higher.shown}) cho "
                f"{format_number(higher.points)} điểm, ít hơn bậc {lower.n} ({format_number(lower.points)} điểm).",
                "steps",
            )
    top = ordered[-1]
    if top.points != max_points:
        raise RuleDefinitionError(
            f"Bậc cao nhất (từ {top.shown}) cho {format_number(top.points)} điểm, chưa bằng "
            f"điểm tối đa {format_number(max_points)}: không đơn vị nào đạt được điểm tối đa.",
            "steps",
        )
    return [step.entry for step in ordered]


def _step_points(step: Mapping, max_points: Decimal) -> Decimal:
    return step["points"] if "points" in step else step["fraction"] * max_points


def _reached(steps: list[Mapping], max_points: Decimal, passes: Callable[[Decimal], bool]) -> Decimal:
    """The points of the highest step whose threshold `passes`, else 0 (steps lowest first)."""
    reached = [s for s in steps if passes(s["min"])]
    return _step_points(reached[-1], max_points) if reached else _ZERO


def _validate_steps(params: Mapping, max_points: Decimal) -> dict:
    def threshold(value: Any, label: str) -> Decimal:
        return _param_number(value, "steps", label)

    return {"steps": _validate_step_list(params, max_points, Rule.STEPS, threshold, format_number)}


def _score_steps(params: Mapping, max_points: Decimal, inputs: Mapping) -> Decimal:
    value = _input(inputs, "value")
    return _reached(params["steps"], max_points, lambda minimum: minimum <= value)


def _ratio_threshold(value: Any, label: str) -> Decimal:
    """A threshold on a / b as decisions write it: a percentage with its sign ("90 %", "70,5%")
    or a fraction of 1 (0.9). A bare 90 is refused rather than guessed: 1 could be 1 % or 100 %."""
    if isinstance(value, str) and value.strip().endswith("%"):
        written = value.strip()
        try:  # 2 decimals of a percentage are the 4 of a fraction
            percent = _parse(written[:-1], label=None, field="steps", places=PLACES - 2, error=RuleDefinitionError,
                             notation="params")
        except RuleDefinitionError:
            percent = None
        if percent is None or percent > 100:
            raise RuleDefinitionError(
                f"{label}: {_quote(written)} phải là phần trăm từ 0 đến 100 %, tối đa {PLACES - 2} chữ số thập phân.",
                "steps",
            )
        return percent / 100
    fraction = _param_number(value, "steps", label)
    if fraction > 1:
        raise RuleDefinitionError(
            f"{label}: ngưỡng tỷ lệ phải từ 0 đến 1 hoặc ghi kèm dấu % (0,9 hoặc “90 %”); "
            f"đang là {format_number(fraction)}.",
            "steps",
        )
    return fraction


def _percent(fraction: Any) -> str:
    """0.9 → "90 %" (a stored threshold; text already ending in % is shown as written)."""
    if isinstance(fraction, str) and fraction.strip().endswith("%"):
        return fraction.strip()
    with localcontext(_CONTEXT):
        return f"{format_number(_to_decimal(fraction, RuleDefinitionError, 'params') * 100)} %"


def _validate_ratio_steps(params: Mapping, max_points: Decimal) -> dict:
    steps = _validate_step_list(params, max_points, Rule.RATIO_STEPS, _ratio_threshold, _percent)
    return {"steps": steps, **_validate_b_zero(params)}


def _score_ratio_steps(params: Mapping, max_points: Decimal, inputs: Mapping) -> Decimal:
    a, b = _ratio_inputs(params, inputs)
    if b == 0:
        return _when_b_is_zero(params) * max_points
    # a / b ≥ min compared as a ≥ min × b: exact (no rounded quotient), and b > 0 here.
    return _reached(params["steps"], max_points, lambda minimum: a >= minimum * b)


# count


def _validate_count(params: Mapping, max_points: Decimal) -> dict:
    per_item = _param_number(_required(params, "per_item", Rule.COUNT), "per_item")
    if per_item <= 0:
        raise RuleDefinitionError(f"{_label('per_item')} phải lớn hơn 0.", "per_item")
    return {"per_item": per_item}


def _score_count(params: Mapping, max_points: Decimal, inputs: Mapping) -> Decimal:
    count = _input(inputs, "count", allow_negative=True)
    if count < 0 or count != count.to_integral_value():
        raise InputError(
            _with_label(_label("count"), f"{_quote(_shown(count))} phải là số nguyên không âm."), "count"
        )
    return min(max_points, count * params["per_item"])


# ratio, ratio_target

_B_ZERO = {"refuse": "không nhận mẫu số 0", "zero": "tính 0 điểm", "full": "tính đủ điểm"}


def _validate_b_zero(params: Mapping) -> dict:
    if "b_zero" not in params:
        return {}
    choice = params["b_zero"]
    if not isinstance(choice, str) or choice not in _B_ZERO:
        valid = ", ".join(f"{k} ({v})" for k, v in _B_ZERO.items())
        raise RuleDefinitionError(
            f"{_label('b_zero')} phải là một trong: {valid}; đang là {_quote(choice)}.", "b_zero"
        )
    return {"b_zero": choice}


def _ratio_inputs(params: Mapping, inputs: Mapping) -> tuple[Decimal, Decimal]:
    """The answer's a and b, both ≥ 0, a ≤ b. With b = 0 the refusal names b = 0 (and what the
    rule does then), not a > b: a / b cannot be computed, so "a is above b" would mislead."""
    a, b = _input(inputs, "a"), _input(inputs, "b")
    if b == 0:
        _when_b_is_zero(params)  # refuses b = 0 unless b_zero says what it counts as
        if a:
            outcome = "0 điểm" if params.get("b_zero") == "zero" else "điểm tối đa"
            raise InputError(
                f"{_label('b')} bằng 0 nên {_lower_first(_label('a'))} cũng phải bằng 0 (đang là {_shown(a)}); "
                f"khi mẫu số bằng 0, chỉ tiêu này được {outcome}.",
                "a",
            )
    elif a > b:
        raise InputError(f"{_label('a')} = {_shown(a)} lớn hơn {_lower_first(_label('b'))} = {_shown(b)}.", "a")
    return a, b


def _when_b_is_zero(params: Mapping) -> Decimal:
    """What a / b counts as when b = 0 (0 or 1), as the params' b_zero says; refused by default."""
    handling = params.get("b_zero", "refuse")
    if handling == "refuse":
        raise InputError(f"{_label('b')} bằng 0 nên không tính được tỷ lệ: mẫu số phải lớn hơn 0.", "b")
    return _ONE if handling == "full" else _ZERO


def _fraction(params: Mapping, inputs: Mapping) -> Decimal:
    """a / b in [0, 1], after refusing a > b; b = 0 handled as the params' b_zero says."""
    a, b = _ratio_inputs(params, inputs)
    return _when_b_is_zero(params) if b == 0 else a / b


def _score_ratio(params: Mapping, max_points: Decimal, inputs: Mapping) -> Decimal:
    return _fraction(params, inputs) * max_points


def _validate_ratio_target(params: Mapping, max_points: Decimal) -> dict:
    target = _share(_required(params, "target", Rule.RATIO_TARGET), _label("target"), "target")
    if target != target.quantize(_QUANTUM):
        raise RuleDefinitionError(
            f"{_label('target')}: {_quote(params['target'])} có quá {PLACES} chữ số thập phân.", "target"
        )
    target = _canonical(target)
    if not 0 < target <= 1:
        raise RuleDefinitionError(
            f"{_label('target')} phải lớn hơn 0 và không quá 1 (ví dụ 0,1 cho 10 %); "
            f"đang là {format_number(target)}.",
            "target",
        )
    return {"target": target, **_validate_b_zero(params)}


def _score_ratio_target(params: Mapping, max_points: Decimal, inputs: Mapping) -> Decimal:
    return min(_ONE, _fraction(params, inputs) / params["target"]) * max_points


# sum


def _score_sum(params: Mapping, max_points: Decimal, inputs: Mapping) -> Decimal:
    children = inputs.get("children")
    if not isinstance(children, list | tuple):
        raise InputError(f"{_label('children')} phải là một danh sách số.", "children")
    total = sum(
        (_parse(c, label=f"Chỉ tiêu con thứ {n}", field="children") for n, c in enumerate(children, start=1)),
        _ZERO,
    )
    if total > max_points:
        raise InputError(
            f"Tổng điểm các chỉ tiêu con ({_shown(total)}) vượt điểm tối đa {_shown(max_points)}.",
            "children",
        )
    return total


# manual


def _score_manual(params: Mapping, max_points: Decimal, inputs: Mapping) -> Decimal:
    points = _input(inputs, "points")
    if points > max_points:
        raise InputError(
            f"{_label('points')} {_shown(points)} vượt điểm tối đa {_shown(max_points)}.", "points"
        )
    return points


# shared checks


def _check_not_above_max(points: Decimal, max_points: Decimal, where: str, field: str) -> None:
    if points > max_points:
        raise RuleDefinitionError(
            f"{where} cho {format_number(points)} điểm, vượt điểm tối đa {format_number(max_points)}.", field
        )


def _field(name: str, kind: str, label: str | None = None, choices: list[str] | None = None) -> dict:
    field = {"name": name, "label": label or _LABELS[name], "kind": kind}
    if choices is not None:
        field["choices"] = choices
    return field


def _static(*fields: tuple[str, str] | tuple[str, str, str]) -> Callable[[Mapping | None], list[dict]]:
    """A fields function for rules whose form does not depend on params."""
    return lambda params: [_field(*f) for f in fields]


# ---------------------------------------------------------------------------------- the table


@dataclass(frozen=True)
class _RuleKind:
    """What the engine knows of one rule: its params, how to check and apply them, its form."""

    params: tuple[str, ...]
    validate: Callable[[Mapping, Decimal], dict]
    score: Callable[[Mapping, Decimal, Mapping], Decimal]
    fields: Callable[[Mapping | None], list[dict]]
    max_points: Literal["positive", "any", "zero"] = "positive"


_RULES: dict[Rule, _RuleKind] = {
    Rule.YES_NO: _RuleKind((), _no_params, _score_yes_no, _static(("value", "bool", "Có/Không"))),
    Rule.CHOICE: _RuleKind(("options",), _validate_choice, _score_choice, _fields_choice),
    Rule.CHECKLIST: _RuleKind(("items",), _validate_checklist, _score_checklist, _fields_checklist),
    Rule.STEPS: _RuleKind(("steps",), _validate_steps, _score_steps, _static(("value", "number"))),
    Rule.COUNT: _RuleKind(("per_item",), _validate_count, _score_count, _static(("count", "integer"))),
    Rule.RATIO: _RuleKind(
        ("b_zero",), lambda p, m: _validate_b_zero(p), _score_ratio, _static(("a", "number"), ("b", "number"))
    ),
    Rule.RATIO_TARGET: _RuleKind(
        ("target", "b_zero"), _validate_ratio_target, _score_ratio_target, _static(("a", "number"), ("b", "number"))
    ),
    Rule.RATIO_STEPS: _RuleKind(
        ("steps", "b_zero"), _validate_ratio_steps, _score_ratio_steps, _static(("a", "number"), ("b", "number"))
    ),
    Rule.SUM: _RuleKind((), _no_params, _score_sum, _static(), max_points="any"),
    Rule.MANUAL: _RuleKind((), _no_params, _score_manual, _static(("points", "number"))),
    Rule.COLLECTED: _RuleKind(
        (), _no_params, lambda p, m, i: _ZERO, _static(("value", "text", "Số liệu thu thập")), max_points="zero"
    ),
}


# Each rule as a decision writes it and as params say it: for the catalogue form's help and the
# import template's guide sheet (one place, so they cannot disagree with the engine).
RULE_EXAMPLES: dict[Rule, tuple[str, str]] = {
    Rule.YES_NO: ("Có chuyên mục chuyển đổi số: có → điểm tối đa, không → 0", ""),
    Rule.CHOICE: (
        "Trưởng ban là Chủ tịch → điểm tối đa; Phó Chủ tịch → ½ điểm tối đa; chưa có → 0",
        '{"options": [{"label": "Chủ tịch", "fraction": 1}, {"label": "Phó Chủ tịch", "fraction": "1/2"}, '
        '{"label": "Chưa có", "points": 0}]}',
    ),
    Rule.CHECKLIST: (
        "Dự họp của tỉnh: ½ điểm tối đa; chủ trì họp riêng: ½ điểm tối đa (các mục cộng lại bằng điểm tối đa)",
        '{"items": [{"label": "Dự họp của tỉnh", "fraction": "50 %"}, {"label": "Chủ trì họp riêng", "points": 5}]}',
    ),
    Rule.STEPS: (
        "4 cuộc họp trở lên: 20 điểm; 3: 15; 2: 10; 1: 5; không họp: 0 (ghi từ bậc cao xuống hay từ bậc thấp lên đều được)",
        '{"steps": [{"min": 4, "points": 20}, {"min": 3, "points": 15}, {"min": 2, "points": 10}, {"min": 1, "points": 5}]}',
    ),
    Rule.COUNT: ("1 điểm cho mỗi văn bản chỉ đạo, không vượt điểm tối đa", '{"per_item": 1}'),
    Rule.RATIO: (
        "4 trên 10 dịch vụ dữ liệu được dùng → 4/10 điểm tối đa; mẫu số bằng 0 thì được điểm tối đa (b_zero: "
        "refuse — không nhận, zero — 0 điểm, full — điểm tối đa)",
        '{"b_zero": "full"}',
    ),
    Rule.RATIO_TARGET: (
        "Từ 10 % doanh nghiệp tham gia trở lên → điểm tối đa, ít hơn thì theo tỷ lệ", '{"target": "10 %"}',
    ),
    Rule.RATIO_STEPS: (
        "Từ 90 % hồ sơ trực tuyến → điểm tối đa; từ 70 % → ½ điểm tối đa; dưới 70 % → 0",
        '{"steps": [{"min": "90 %", "fraction": 1}, {"min": "70 %", "fraction": "1/2"}]}',
    ),
    Rule.SUM: ("Tổng điểm các chỉ tiêu con; điểm tối đa bằng tổng điểm tối đa các chỉ tiêu con", ""),
    Rule.MANUAL: ("Thẩm định viên chấm điểm, ghi lý do", ""),
    Rule.COLLECTED: ("Chỉ thu thập số liệu, không tính điểm (điểm tối đa 0)", ""),
}


def _rule(rule: Rule | str) -> Rule:
    try:
        return Rule(str(rule).strip())
    except ValueError:
        names = ", ".join(r.value for r in Rule)
        raise RuleDefinitionError(f"Cách tính điểm {_quote(rule)} không có; dùng một trong: {names}.") from None


def _max_points(rule: Rule, max_points: Any) -> Decimal:
    """The rule's max: a number ≥ 0; 0 only for sum and collected, and always 0 for collected."""
    value = _param_number(max_points, "max_points")
    policy = _RULES[rule].max_points
    if policy == "zero" and value != 0:
        raise RuleDefinitionError(
            f"Cách tính “{RULE_LABELS[rule]}” không cho điểm nên điểm tối đa phải là 0 "
            f"(đang là {format_number(value)}).",
            "max_points",
        )
    if policy == "positive" and value == 0:
        raise RuleDefinitionError(
            f"Điểm tối đa phải lớn hơn 0 với cách tính “{RULE_LABELS[rule]}”; chỉ chỉ tiêu "
            f"“{RULE_LABELS[Rule.SUM]}” hoặc “{RULE_LABELS[Rule.COLLECTED]}” mới có điểm tối đa 0.",
            "max_points",
        )
    return value


def _checked(rule: Rule | str, params: Mapping | None, max_points: Any) -> tuple[Rule, _RuleKind, Decimal, dict]:
    """The rule, its table entry, its max and its params with numbers as Decimals: all validated."""
    rule = _rule(rule)
    kind = _RULES[rule]
    with localcontext(_CONTEXT):
        maximum = _max_points(rule, max_points)
        params = _as_params(params)
        _check_keys(params, kind.params, f"Cách tính “{RULE_LABELS[rule]}”", None)
        return rule, kind, maximum, kind.validate(params, maximum)


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return _plain(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


# ---------------------------------------------------------------------------------- public API


def validate_params(rule: Rule | str, params: dict | None, max_points: Any) -> dict:
    """The params, normalised and JSON-safe (numbers as text with a decimal point, labels NFC and
    stripped), if the rule is well defined with this max and some answer can reach the max.
    Else `RuleDefinitionError`. Idempotent: normalised params validate to themselves."""
    return _jsonable(_checked(rule, params, max_points)[3])


def score(rule: Rule | str, params: dict | None, max_points: Any, inputs: Mapping | None) -> Decimal:
    """The points for an answer, quantized to `PLACES` decimals (half-up), within [0, max].
    Validates the rule first (`RuleDefinitionError`), then refuses a bad answer (`InputError`)."""
    rule, kind, maximum, checked = _checked(rule, params, max_points)
    if inputs is None or rule is Rule.COLLECTED:  # collected: whatever was collected, never scored
        inputs = {}
    if not isinstance(inputs, Mapping):
        raise InputError("Câu trả lời phải là một đối tượng {…}.")
    with localcontext(_CONTEXT):
        points = kind.score(checked, maximum, inputs).quantize(_QUANTUM, rounding=ROUND_HALF_UP)
    if not 0 <= points <= maximum:  # the last safety net, kept even under `python -O`
        raise AssertionError(f"{rule}: score {points} outside [0, {maximum}]")
    return points


def input_fields(rule: Rule | str, params: dict | None) -> list[dict]:
    """The inputs an answer needs, for building forms: name, label, kind ("number", "integer",
    "bool", "choice", "multi", "text") and, for choice/multi, the choices' labels. [] for sum."""
    return _RULES[_rule(rule)].fields(params)


def params_as_written(rule: Rule | str, params: Mapping | None) -> dict:
    """Stored params the way a decision writes them, for editing: ratio thresholds and targets as
    percentages ("90 %"), steps from the top one down. `validate_params` reads them back the same."""
    rule = _rule(rule)
    params = dict(_as_params(params))
    try:
        return _as_written(rule, params)
    except (ScoringError, KeyError, TypeError):  # not params the engine stored: shown as they are
        return params


def _as_written(rule: Rule, params: dict) -> dict:
    if rule is Rule.RATIO_STEPS and isinstance(params.get("steps"), list):
        params["steps"] = [{**s, "min": _percent(s["min"])} if isinstance(s, Mapping) and "min" in s else s
                           for s in reversed(params["steps"])]
    elif rule is Rule.STEPS and isinstance(params.get("steps"), list):
        params["steps"] = list(reversed(params["steps"]))
    elif rule is Rule.RATIO_TARGET and "target" in params:
        params["target"] = _percent(params["target"])
    return params


def describe_params(rule: Rule | str, params: Mapping | None) -> str:
    """The rule's parameters in words, for the catalogue page ("" when there is nothing to say)."""
    rule = _rule(rule)
    params = _as_params(params)

    def number(value: Any) -> str:
        return format_number(_to_decimal(value, lambda text: RuleDefinitionError(text), "params"))

    def share(entry: Mapping) -> str:
        if "points" in entry:
            return f"{number(entry['points'])} điểm"
        fraction = number(entry.get("fraction"))
        return "điểm tối đa" if fraction == "1" else f"{fraction} × điểm tối đa"

    if rule is Rule.CHOICE:
        return "; ".join(f"{o['label']}: {share(o)}" for o in params.get("options", []))
    if rule is Rule.CHECKLIST:
        return "; ".join(f"{i['label']}: {share(i)}" for i in params.get("items", []))

    step_points = share

    if rule is Rule.STEPS:
        return "; ".join(f"từ {number(s['min'])}: {step_points(s)}" for s in params.get("steps", []))
    if rule is Rule.COUNT:
        return f"{number(params.get('per_item', 1))} điểm cho mỗi đơn vị đếm, không vượt điểm tối đa"
    text = ""
    if rule is Rule.RATIO_STEPS:
        text = "; ".join(f"từ {_percent(s['min'])}: {step_points(s)}" for s in params.get("steps", []))
    if rule is Rule.RATIO_TARGET:
        target = _to_decimal(params.get("target", 1), lambda t: RuleDefinitionError(t), "params") * 100
        text = f"đạt điểm tối đa khi tỷ lệ từ {format_number(target)} % trở lên"
    if rule in (Rule.RATIO, Rule.RATIO_TARGET, Rule.RATIO_STEPS) and params.get("b_zero") in ("zero", "full"):
        when = "0 điểm" if params["b_zero"] == "zero" else "điểm tối đa"
        text = "; ".join(filter(None, [text, f"mẫu số bằng 0 thì được {when}"]))
    return text
