"""The event log as people read it: a Vietnamese label for each kind of event and its old → new
values written the way the pages write them (numbers with a decimal comma and grouped thousands,
choices by their labels, statuses by their names), never raw codes and dictionaries.

Pure functions over plain values, and one selector (`history_rows`) that reads an assessment's
events in one query; the history page and the CSV both print its rows.
"""

import re
from decimal import Decimal, InvalidOperation
from functools import cache

from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from dti_portal.audit.actions import action_label
from dti_portal.audit.models import Entry
from dti_portal.exports import csv_cell  # noqa: F401  (the history CSV's cells; re-exported for its tests)
from indicators.scoring import ScoringError, format_number, input_fields, parse_number

from .models import Assessment, Review

DASH = "—"
ARROW = " → "

DECISIONS = dict(Review.Decision.choices)
STATUSES = dict(Assessment.Status.choices)
# Keys of old/new shown by a generic line (events without a formatter of their own).
KEY_LABELS = {
    "status": "Trạng thái", "note": "Ghi chú", "self_score": "Điểm tự chấm", "score": "Điểm", "reason": "Lý do",
    "decision": "Quyết định", "explanation": "Giải trình", "until": "Gia hạn đến", "name": "Tên",
    "appraiser": "Thẩm định viên", "framework": "Bộ chỉ số", "inputs": "Số liệu",
    # periods, the team
    "year": "Năm", "self_assessment_start": "Tự đánh giá từ", "self_assessment_end": "Hạn tự đánh giá",
    "round1_end": "Hạn thẩm định lần 1", "explanation_end": "Hạn giải trình", "round2_end": "Hạn thẩm định lần 2",
    "publication_date": "Ngày công bố dự kiến", "lead": "Tổ trưởng", "unit": "Đơn vị", "group": "Nhóm chỉ tiêu",
    "assessments": "Số bản đánh giá",
    # the province, units, people
    "slug": "Mã tỉnh", "coordinating_agency": "Cơ quan chủ trì", "kind": "Loại đơn vị", "valid_from": "Hiệu lực từ",
    "valid_to": "Hiệu lực đến", "alias": "Tên gọi khác", "predecessors": "Đơn vị sáp nhập vào",
    "effective_date": "Ngày hiệu lực", "username": "Tên đăng nhập", "role": "Vai trò", "order": "Thứ tự", "code": "Mã",
    "province": "Tỉnh", "into": "Hợp nhất vào", "memberships": "Số vai trò chuyển sang",
    "memberships_joined": "Số vai trò trùng (gộp làm một)", "invitations": "Số lời mời chuyển sang",
    # the catalogue
    "decision_number": "Số quyết định", "decision_date": "Ngày quyết định", "issuer": "Cơ quan ban hành",
    "unit_kind": "Loại đơn vị", "precision": "Số chữ số thập phân", "bands_on": "Xếp loại theo",
    "non_reporting": "Đơn vị không báo cáo", "bands": "Mức xếp loại", "aggregates": "Nhóm tổng hợp",
    "max_points": "Điểm tối đa", "rule": "Cách tính điểm", "params": "Tham số", "guidance": "Hướng dẫn",
    "evidence_required": "Tài liệu kiểm chứng cần có", "data_source": "Nguồn số liệu",
    "verifying_agency": "Cơ quan xác minh", "parent": "Chỉ tiêu cha", "descendants": "Số chỉ tiêu con",
    "from": "Sao chép từ", "indicators": "Số chỉ tiêu",
    # imports, publication
    "file": "Tệp", "answers": "Số chỉ tiêu", "codes": "Mã chỉ tiêu", "units": "Số đơn vị", "source": "Nguồn",
    "signer": "Người ký", "error": "Lỗi",
}
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def key_label(key: str) -> str:
    """"framework:Sở, ban, ngành" (a period's framework per unit kind) → "Bộ chỉ số (Sở, ban, ngành)"."""
    if key.startswith("framework:"):
        return f"Bộ chỉ số ({key.split(':', 1)[1]})"
    return KEY_LABELS.get(key, key)


@cache
def _status_labels() -> dict[str, dict[str, str]]:
    """Status names by the kind of object an action moves (the first part of its code)."""
    from django.apps import apps

    return {prefix: dict(apps.get_model(model)._meta.get_field("status").choices) for prefix, model in (
        ("period", "assessments.Period"), ("framework", "indicators.Framework"), ("publication", "rankings.Publication"))}


# --- values --------------------------------------------------------------------------------
def _grouped(number: Decimal) -> str:
    """A number with a decimal comma and grouped thousands, every significant decimal kept."""
    exponent = number.normalize().as_tuple().exponent
    return format_number(number, places=max(0, -exponent) if isinstance(exponent, int) else 0)


def stored_number(value) -> str:
    """A number the portal stored ("12.5", a score): Vietnamese text; "—" for none."""
    if value in (None, ""):
        return DASH
    try:
        return _grouped(Decimal(str(value)))
    except InvalidOperation:
        return str(value)


def typed_number(value) -> str:
    """A number as a person typed it: read the Vietnamese way ("1.000" = 1000), else as stored
    text with a decimal point ("41.6"), else shown as typed between quotes."""
    if value in (None, ""):
        return DASH
    try:
        return _grouped(parse_number(value, allow_negative=True, places=12))
    except ScoringError:
        pass
    text = str(value).strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        return f"“{text}”"
    return _grouped(number) if number.is_finite() else f"“{text}”"


def _choice(value, choices: list[str]) -> str:
    """A chosen option by its label, whether it was stored as the label or as its index."""
    if isinstance(value, str) and value.strip().isdigit() and value.strip() not in choices:
        value = int(value.strip())
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(choices):
        return choices[value]
    return str(value) if value not in (None, "") else DASH


def input_value(value, spec: dict | None) -> str:
    """One input's value as the page writes it, by the kind of input the rule asks for."""
    kind = (spec or {}).get("kind", "")
    choices = (spec or {}).get("choices", [])
    if value in (None, "", []):
        return DASH
    if kind == "bool" or isinstance(value, bool):
        text = str(value).strip().lower()
        return "Có" if value is True or text in ("có", "co", "yes", "true", "1", "x") else "Không"
    if kind == "multi" or isinstance(value, list):
        items = value if isinstance(value, list) else [value]
        return ", ".join(_choice(v, choices) for v in items) or DASH
    if kind == "choice":
        return _choice(value, choices)
    if kind in ("number", "integer"):
        return typed_number(value)
    return str(value)


def _name(spec: dict, single: bool) -> str:
    """How an input is named in a change: nothing when the rule has one input; "a", "b" as the
    decisions write them; else its label."""
    if single:
        return ""
    return spec["name"] if len(spec["name"]) <= 2 else spec["label"]


def inputs_change(old: dict | None, new: dict | None, specs: list[dict] | None) -> str:
    """"a 850 → 1.000; b 1.000": each input of the rule in order, old → new where it changed."""
    old, new = old or {}, new or {}
    if specs is None:
        specs = [{"name": key, "label": KEY_LABELS.get(key, key), "kind": ""} for key in dict.fromkeys([*old, *new])]
    extra = [{"name": key, "label": key, "kind": ""} for key in dict.fromkeys([*old, *new]) if key not in {s["name"] for s in specs}]
    specs = [*specs, *extra]
    parts = []
    for spec in specs:
        name = spec["name"]
        if name not in old and name not in new:
            continue
        before, after = input_value(old.get(name), spec), input_value(new.get(name), spec)
        label = _name(spec, len(specs) == 1)
        shown = after if (before == after or not old) else f"{before}{ARROW}{after}"
        parts.append(f"{label} {shown}".strip())
    return "; ".join(parts)


def _quoted(text) -> str:
    return f"“{text}”" if text else DASH


def _change(label: str, before: str, after: str) -> str:
    return f"{label}: {after}" if before in (DASH, after) else f"{label}: {before}{ARROW}{after}"


def _status(value, action: str = "") -> str:
    return _status_labels().get(action.split(".")[0], STATUSES).get(value, value) if value else DASH


def _day(value) -> str:
    if not value:
        return DASH
    year, month, day = str(value)[:10].split("-")
    return f"{day}/{month}/{year}"


# --- one event -------------------------------------------------------------------------------
def describe(action: str, old: dict | None, new: dict | None, specs: list[dict] | None = None,
             framework: str = "") -> list[str]:
    """The lines that say what an event changed, in Vietnamese. `specs` are the indicator's inputs
    (`input_fields`), `framework` the name of the assessment's framework."""
    old = old if isinstance(old, dict) else {}
    new = new if isinstance(new, dict) else {}
    lines: list[str] = []
    if action == "answer.saved":
        if old.get("inputs") != new.get("inputs"):
            lines.append(f"Số liệu: {inputs_change(old.get('inputs'), new.get('inputs'), specs) or DASH}")
        if old.get("note", "") != new.get("note", ""):
            lines.append(f"Ghi chú: {_quoted(old.get('note'))}{ARROW}{_quoted(new.get('note'))}" if old.get("note")
                         else f"Ghi chú: {_quoted(new.get('note'))}")
        if old.get("self_score") != new.get("self_score"):
            lines.append(f"Điểm tự chấm: {stored_number(old.get('self_score'))}{ARROW}{stored_number(new.get('self_score'))}")
        return lines
    if action == "answers.carried_over":
        codes = new.get("codes") or []
        shown = ", ".join(codes[:10]) + (f" và {len(codes) - 10} chỉ tiêu khác" if len(codes) > 10 else "")
        return [f"Từ năm {new.get('year', DASH)}: {new.get('answers', len(codes))} chỉ tiêu"
                + (f" ({shown})" if shown else "") + f", {new.get('evidence', 0)} tài liệu (liên kết tới tệp năm trước)"]
    if action == "answer.carry_confirmed":
        lines = [f"Số liệu: {inputs_change({}, new.get('inputs'), specs) or DASH}"]
        return lines + ([f"Ghi chú: {_quoted(new['note'])}"] if new.get("note") else [])
    if action.startswith("assessment.round") and "decision" in new:
        if old.get("decision") and old["decision"] != new["decision"]:
            lines.append(f"Quyết định: {DECISIONS.get(old['decision'], old['decision'])}{ARROW}"
                         f"{DECISIONS.get(new['decision'], new['decision'])}")
        lines.append(_change("Điểm", stored_number(old.get("score")) if old else DASH, stored_number(new.get("score"))))
        inputs = new.get("inputs") or {}
        if inputs and set(inputs) != {"points"}:
            lines.append(f"Số liệu điều chỉnh: {inputs_change(old.get('inputs'), inputs, specs)}")
        return lines
    if action == "assessment.explanation.saved":
        return [f"Giải trình: {_quoted(old.get('explanation'))}{ARROW}{_quoted(new.get('explanation'))}" if old.get("explanation")
                else f"Giải trình: {_quoted(new.get('explanation'))}"]
    if action in ("evidence.added", "evidence.removed"):
        file = new if action == "evidence.added" else old
        size = f" ({filesizeformat(file['size'])})" if file.get("size") is not None else ""
        check = f", mã kiểm tra {file['sha256'][:12]}…" if file.get("sha256") else ""
        return [f"Tệp: {file.get('name', DASH)}{size}{check}"]
    if action == "assessment.extension":
        return [_change("Gia hạn đến", _day(old.get("until")), _day(new.get("until")) if new.get("until") else "bỏ gia hạn")]
    if action == "assessment.created":
        return [f"Bộ chỉ số: {framework}"] if framework else []
    if action == "assessment.signed":
        return []  # the signer is the event's actor
    if "status" in old or "status" in new:
        lines.append(f"Trạng thái: {_status(old.get('status'), action)}{ARROW}{_status(new.get('status'), action)}"
                     if old.get("status") else f"Trạng thái: {_status(new.get('status'), action)}")
    if old.get("signoffs"):
        lines.append("Chữ ký bị huỷ: " + "; ".join(str(s) for s in old["signoffs"]))
    if new.get("decision") and action == "assessment.published":
        lines.append(f"Quyết định công bố: {new['decision']}")
    shown = {"status", "signoffs", "decision"} if lines else set()
    for key in dict.fromkeys([*old, *new]):
        if key in shown:
            continue
        before, after = old.get(key), new.get(key)
        if before in EMPTY and after in EMPTY:
            continue  # "Đơn vị: —" says nothing
        lines.append(_change(key_label(key), _plain(before), _plain(after)))
    return lines


EMPTY = (None, "", [], {})


def _plain(value) -> str:
    if value in EMPTY:
        return DASH
    if isinstance(value, dict):
        return "; ".join(f"{key_label(k)} {_plain(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_plain(v) for v in value)
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, str) and ISO_DAY.match(value):
        return _day(value)
    return str(value)


# --- the selector ----------------------------------------------------------------------------
CSV_HEADER = ["Thời gian", "Người thực hiện", "Chỉ tiêu", "Việc", "Thay đổi", "Lý do / ghi chú"]


def history_rows(assessment: Assessment, code: str = "") -> list[dict]:
    """The assessment's entries, oldest first, as ready rows (`entry_rows`). One query whatever
    the number of entries."""
    entries = Entry.objects.filter(assessment=assessment).select_related("actor", "indicator")
    if code:
        entries = entries.filter(indicator__code=code)
    framework = str(assessment.framework) if "framework" in assessment._state.fields_cache else ""
    return entry_rows(entries, framework)


def entry_rows(entries, framework: str = "") -> list[dict]:
    """Audit entries (their actor and indicator selected with them) as ready rows: time, who,
    indicator, label, what it was done to, the lines of what changed and the reason. The inputs of
    each indicator are described once. The assessment's history and the province's log print these."""
    specs: dict[int, list[dict] | None] = {}
    rows = []
    for entry in entries:
        indicator = entry.indicator
        if indicator is not None and indicator.pk not in specs:
            try:
                specs[indicator.pk] = input_fields(indicator.rule, indicator.params)
            except ScoringError:
                specs[indicator.pk] = None
        actor = entry.actor
        rows.append({
            "at": timezone.localtime(entry.created_at).strftime("%d/%m/%Y %H:%M:%S"),
            "actor": (actor.full_name or actor.username) if actor else "hệ thống",
            "code": indicator.code if indicator else "",
            "action": entry.action,
            "label": action_label(entry.action),
            "target": entry.target_label,
            "assessment_id": entry.assessment_id,
            "changes": describe(entry.action, entry.old, entry.new, specs.get(indicator.pk) if indicator else None, framework),
            "reason": entry.reason,
        })
    return rows


def csv_rows(rows: list[dict]) -> list[list[str]]:
    """The history rows as CSV cells: the same labels and lines as the page, each cell safe."""
    return [[csv_cell(v) for v in (r["at"], r["actor"], r["code"], r["label"], "\n".join(r["changes"]), r["reason"])]
            for r in rows]
