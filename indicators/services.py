"""Writes to the catalogue: import, edit, activate, retire, clone. Reads are in selectors.

A framework used by an assessment is frozen: every write below checks `_guard_unused` first.
Each write leaves one entry in the tenant's audit log; status changes are moves of the one
transitions table (`dti_portal.audit.transitions`).
"""

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import tablib
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dti_portal.audit import transitions
from dti_portal.audit.services import changes, record
from dti_portal.tenancy.models import Province, Unit, UnitKind

from .catalogue import Problem, Row, achieved_differences, check_rows, depth_order, read_rows
from .models import Aggregate, Band, Framework, Indicator
from .resources import IndicatorResource
from .scoring import RULE_LABELS, ScoringError, format_number, parse_number
from .tables import load_table


def to_json(params: dict) -> dict:
    """Params as stored: Decimals become strings, so that JSON keeps them exact."""
    return json.loads(json.dumps(params or {}, default=str))


# --- framework facts ----------------------------------------------------------------------
@dataclass
class FrameworkMeta:
    name: str
    year: int
    unit_kind: UnitKind
    decision_number: str = ""
    decision_date: date | None = None
    issuer: str = ""
    precision: int = 2
    bands_on: str = Framework.BandsOn.POINTS
    non_reporting: str = Framework.NonReporting.RANKED_LAST
    bands: list[tuple[str, Decimal]] = field(default_factory=list)
    aggregates: list[str] = field(default_factory=list)


def parse_meta(province: Province, values: dict) -> tuple[FrameworkMeta | None, list[Problem]]:
    """Framework facts from a file's info sheet, a form or the command line (all text)."""
    problems = []

    def fail(message):
        problems.append(Problem(None, "", message))

    text = {k: ("" if v is None else str(v).strip()) for k, v in values.items()}
    name = text.get("name", "")
    if not name:
        fail("thiếu tên bộ chỉ số.")
    year = None
    try:
        year = int(Decimal(text.get("year", "")))
        if not 2000 <= year <= 2100:
            raise ValueError
    except (ValueError, ArithmeticError):
        fail(f"năm đánh giá “{text.get('year', '')}” không hợp lệ (ví dụ: 2024).")
    kind = UnitKind.objects.filter(province=province, code=text.get("unit_kind", "")).first()
    if kind is None:
        codes = ", ".join(UnitKind.objects.filter(province=province).values_list("code", flat=True))
        fail(f"loại đơn vị “{text.get('unit_kind', '')}” không có trong tỉnh (có: {codes}).")
    decision_date = None
    if text.get("decision_date"):
        raw = text["decision_date"][:10]
        for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
            try:
                decision_date = datetime.strptime(raw, fmt).date()
                break
            except ValueError:
                continue
        else:
            fail(f"ngày ban hành “{text['decision_date']}” không hợp lệ (dd/mm/yyyy).")
    precision = 2
    if text.get("precision"):
        try:
            precision = int(text["precision"])
            if not 0 <= precision <= 4:
                raise ValueError
        except ValueError:
            fail("số chữ số thập phân hiển thị phải từ 0 đến 4.")
    bands_on = text.get("bands_on") or Framework.BandsOn.POINTS
    if bands_on not in Framework.BandsOn.values:
        fail("xếp loại theo “points” (tổng điểm) hoặc “index” (chỉ số).")
    non_reporting = text.get("non_reporting") or Framework.NonReporting.RANKED_LAST
    if non_reporting not in Framework.NonReporting.values:
        fail(f"đơn vị không báo cáo “{non_reporting}”: ghi “last” (xếp sau các đơn vị có báo cáo) "
             "hoặc “unranked” (không xếp hạng).")
    bands = []
    for part in filter(None, (p.strip() for p in text.get("bands", "").split("|"))):
        label, _, bound = part.rpartition(":")
        try:
            bands.append((label.strip(), parse_number(bound, field=f"Ngưỡng xếp loại {label.strip()}")))
            if not label.strip():
                raise ScoringError("thiếu nhãn xếp loại.")
        except ScoringError as error:
            fail(f"xếp loại “{part}”: {error.message}")
    aggregates = [a.strip() for a in text.get("aggregates", "").split("|") if a.strip()]
    if problems:
        return None, problems
    return FrameworkMeta(
        name=name, year=year, unit_kind=kind, decision_number=text.get("decision_number", ""),
        decision_date=decision_date, issuer=text.get("issuer", ""), precision=precision,
        bands_on=bands_on, non_reporting=non_reporting, bands=bands, aggregates=aggregates,
    ), []


def meta_values(framework: Framework) -> dict[str, str]:
    """The inverse of `parse_meta`, for the info sheet of an export."""
    return {
        "name": framework.name,
        "decision_number": framework.decision_number,
        "decision_date": framework.decision_date.strftime("%d/%m/%Y") if framework.decision_date else "",
        "issuer": framework.issuer,
        "year": str(framework.year),
        "unit_kind": framework.unit_kind.code,
        "precision": str(framework.precision),
        "bands_on": framework.bands_on,
        "non_reporting": framework.non_reporting,
        "bands": "|".join(f"{b.label}:{format_number(b.lower_bound)}" for b in framework.bands.all()),
        "aggregates": "|".join(a.name for a in framework.aggregates.all()),
    }


# --- import -------------------------------------------------------------------------------
@dataclass
class ImportReport:
    dry_run: bool
    framework: Framework | None = None
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)  # line, code, name, status
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def saved(self) -> bool:
        return self.ok and not self.dry_run and self.framework is not None


@transaction.atomic
def framework_import(
    *,
    province: Province,
    filename: str,
    content: bytes,
    meta: dict | None = None,
    dry_run: bool = False,
    result_unit: Unit | None = None,
    result_period_name: str = "",
    actor,
) -> ImportReport:
    """Import a whole framework from an xlsx/csv file, or nothing.

    `meta` (name, year, unit_kind code, decision...) overrides the file's info sheet. With
    `dry_run` the report is the preview and nothing stays. When the file has achieved points
    and `result_unit` is given, they become that unit's final result for the framework's year.
    """
    report = ImportReport(dry_run=dry_run)
    table = load_table(filename, content)
    report.problems += table.problems
    report.ignored_columns = table.ignored_columns
    merged = table.meta | {k: v for k, v in (meta or {}).items() if v not in (None, "")}
    framework_meta, meta_problems = parse_meta(province, merged)
    report.problems += meta_problems
    if table.problems:
        return report
    rows, row_problems = read_rows(table.records)
    report.problems += row_problems + check_rows(rows)
    if any(p.kind == "tree" for p in report.problems):
        return report  # a cycle or a tree deeper than any catalogue: nothing below can walk it
    report.notes = achieved_differences(rows)
    if result_unit is not None and not any(r.achieved is not None for r in rows):
        report.problems.append(Problem(None, "", "tệp không có cột điểm đạt được để ghi làm kết quả của đơn vị."))
    if framework_meta is None:
        return report

    framework = _framework_from_meta(province, framework_meta)
    ordered = depth_order(rows)
    dataset = tablib.Dataset(headers=["line", "code"])
    for row in ordered:
        dataset.append([row.line, row.code])
    resource = IndicatorResource(framework, rows, report.problems)
    result = resource.import_data(dataset, dry_run=False, use_transactions=False)
    for error in result.base_errors:
        report.problems.append(Problem(None, "", f"lỗi khi nhập: {error.error}"))
    for number, errors in result.row_errors():
        row = ordered[number - 1]
        report.problems += [Problem(row.line, row.code, f"không lưu được: {e.error}") for e in errors]
    invalid = {ordered[r.number - 1].line for r in result.invalid_rows}
    for row in rows:
        status = "lỗi" if row.line in invalid else ("mới" if row.code in resource.saved else "bỏ qua")
        report.rows.append({"line": row.line, "code": row.code, "name": row.name, "status": status,
                            "rule": RULE_LABELS.get(row.rule, row.rule), "suggested": row.rule_suggested,
                            "max_points": row.max_points})
    if report.ok:
        _save_bands_and_aggregates(framework, framework_meta, rows, resource.saved)
        record("framework.imported", actor=actor, target=framework,
               new={"file": filename, "indicators": len(resource.saved), **_framework_values(framework)})
        if result_unit is not None:
            _save_result(framework, rows, resource.saved, result_unit, result_period_name, actor)
    if report.ok and not dry_run:
        report.framework = framework
    else:
        transaction.set_rollback(True)
    report.problems.sort(key=lambda p: (p.line or 0))
    return report


def _framework_from_meta(province: Province, meta: FrameworkMeta, **extra) -> Framework:
    return Framework.objects.create(
        province=province, name=meta.name, year=meta.year, unit_kind=meta.unit_kind,
        decision_number=meta.decision_number, decision_date=meta.decision_date, issuer=meta.issuer,
        precision=meta.precision, bands_on=meta.bands_on, non_reporting=meta.non_reporting, **extra,
    )


def _save_bands_and_aggregates(framework, meta: FrameworkMeta, rows: list[Row], saved: dict[str, Indicator]):
    for label, bound in meta.bands:
        Band.objects.create(framework=framework, label=label, lower_bound=bound)
    names = list(meta.aggregates)
    for row in rows:
        names += [n for n in row.aggregates if n not in names]
    aggregates = {name: Aggregate.objects.create(framework=framework, name=name, position=i) for i, name in enumerate(names)}
    for row in rows:
        for name in row.aggregates:
            aggregates[name].indicators.add(saved[row.code])


def _save_result(framework, rows: list[Row], saved: dict[str, Indicator], unit: Unit, period_name: str, actor):
    from assessments.models import Answer, Assessment, Period

    period, created = Period.objects.get_or_create(
        province=framework.province, year=framework.year,
        name=period_name or f"Kết quả {framework.name} năm {framework.year}",
    )
    if created:
        record("period.created", actor=actor, target=period, new={"name": period.name, "year": period.year})
    assessment = transitions.create("assessment.imported", Assessment(period=period, unit=unit, framework=framework),
                                    actor=actor, new={"framework": framework.pk})
    parents = {row.parent_code for row in rows}
    Answer.objects.bulk_create(
        Answer(assessment=assessment, indicator=saved[row.code], final_score=row.achieved, reason=row.reason)
        for row in rows
        if row.code not in parents and row.achieved is not None
    )
    from assessments.totals import refresh_totals

    refresh_totals([assessment.pk])  # the result's final total, read by the rankings


# --- lifecycle ----------------------------------------------------------------------------
def _guard_unused(framework: Framework) -> None:
    used = framework.assessments.select_related("unit", "period")
    count = used.count()
    if count:
        first = used.first()
        raise ValidationError(
            f"Bộ chỉ số đã được dùng cho {count} bản đánh giá (ví dụ: {first.unit} – {first.period}), "
            "nên không thể sửa hoặc xóa: kết quả đã chấm phải giữ nguyên. "
            "Hãy sao chép thành bộ chỉ số mới để chỉnh sửa."
        )


def rows_of(framework: Framework) -> list[Row]:
    indicators = framework.indicators.select_related("parent").order_by("position", "pk")
    return [
        Row(line=None, code=i.code, name=i.name, max_points=i.max_points, parent_code=i.parent.code if i.parent_id else "",
            rule=i.rule, params=dict(i.params))
        for i in indicators
    ]


def framework_problems(framework: Framework) -> list[Problem]:
    """Every reason the draft cannot be activated. Checked once per change of its tree, not per page view:
    cached under the framework's `updated_at`, which every edit of its indicators moves (`_tree_changed`)."""
    key = f"framework-problems:{framework.pk}:{framework.updated_at.timestamp()}"
    problems = cache.get(key)
    if problems is None:
        problems = check_rows(rows_of(framework))
        cache.set(key, problems, timeout=24 * 3600)
    return problems


def _tree_changed(framework: Framework) -> None:
    """The framework's tree changed: its `updated_at` moves, so its cached check is stale."""
    framework.updated_at = timezone.now()
    Framework.objects.filter(pk=framework.pk).update(updated_at=framework.updated_at)


def _framework_values(framework: Framework) -> dict[str, str]:
    """A framework's facts as its audit entries show them (the unit kind by its name)."""
    return meta_values(framework) | {"unit_kind": framework.unit_kind.name, "bands_on": framework.get_bands_on_display(),
                                     "non_reporting": framework.get_non_reporting_display()}


@transaction.atomic
def framework_create(*, province: Province, meta: FrameworkMeta, actor) -> Framework:
    framework = _framework_from_meta(province, meta)
    for label, bound in meta.bands:
        Band.objects.create(framework=framework, label=label, lower_bound=bound)
    record("framework.created", actor=actor, target=framework, new=_framework_values(framework))
    return framework


@transaction.atomic
def framework_update(*, framework: Framework, meta: FrameworkMeta, actor) -> Framework:
    _guard_unused(framework)
    before = _framework_values(framework)
    for attr in ("name", "year", "unit_kind", "decision_number", "decision_date", "issuer", "precision", "bands_on",
                 "non_reporting"):
        setattr(framework, attr, getattr(meta, attr))
    framework.save()
    framework.bands.all().delete()
    for label, bound in meta.bands:
        Band.objects.create(framework=framework, label=label, lower_bound=bound)
    old, new = changes(before, _framework_values(framework))
    if new:
        record("framework.updated", actor=actor, target=framework, old=old, new=new)
    return framework


@transaction.atomic
def framework_delete(*, framework: Framework, actor) -> None:
    """A draft nobody answered may go; its entries stay, naming it as it was."""
    _guard_unused(framework)
    record("framework.deleted", actor=actor, target=framework,
           old=_framework_values(framework) | {"indicators": framework.indicators.count()})
    framework.delete()


@transaction.atomic
def framework_activate(*, framework: Framework, actor) -> Framework:
    problems = check_rows(rows_of(framework))  # always afresh: the stored check is for the page only
    if not framework.indicators.exists():
        raise ValidationError("Bộ chỉ số chưa có chỉ tiêu nào.")
    if problems:
        raise ValidationError([str(p) for p in problems])
    transitions.move("framework.activated", framework, actor=actor, fields={"updated_at": timezone.now()})
    return framework


@transaction.atomic
def framework_retire(*, framework: Framework, actor) -> Framework:
    transitions.move("framework.retired", framework, actor=actor, fields={"updated_at": timezone.now()})
    return framework


@transaction.atomic
def framework_clone(*, framework: Framework, year: int, name: str = "", actor, unit_kind=None) -> Framework:
    """A draft copy for another year; `code_map` maps every old code to its (same) new code.

    With `unit_kind` (of another province: a framework of a province merged into the tenant, copied into the
    tenant), the copy belongs to that kind's province."""
    kind = unit_kind or framework.unit_kind
    clone = Framework.objects.create(
        province_id=kind.province_id, name=name or framework.name, year=year, unit_kind=kind,
        decision_number="", decision_date=None, issuer=framework.issuer, precision=framework.precision,
        bands_on=framework.bands_on, non_reporting=framework.non_reporting, cloned_from=framework,
    )
    copies: dict[int, Indicator] = {}
    for old in framework.indicators.order_by("position", "pk"):
        copies[old.pk] = Indicator.objects.create(
            framework=clone, parent=copies.get(old.parent_id), code=old.code, name=old.name,
            max_points=old.max_points, rule=old.rule, params=old.params, guidance=old.guidance,
            evidence_required=old.evidence_required, data_source=old.data_source,
            verifying_agency=old.verifying_agency, position=old.position,
        )
    for band in framework.bands.all():
        Band.objects.create(framework=clone, label=band.label, lower_bound=band.lower_bound)
    for aggregate in framework.aggregates.prefetch_related("indicators"):
        copy = Aggregate.objects.create(framework=clone, name=aggregate.name, position=aggregate.position)
        copy.indicators.set([copies[i.pk] for i in aggregate.indicators.all()])
    clone.code_map = {i.code: i.code for i in copies.values()}
    clone.save(update_fields=["code_map"])
    record("framework.cloned", actor=actor, target=clone,
           new={"from": str(framework), "year": year, "name": clone.name, "indicators": len(copies)})
    return clone


INDICATOR_FIELDS = (
    "code", "name", "max_points", "rule", "params", "guidance", "evidence_required", "data_source", "verifying_agency",
)


@transaction.atomic
def indicator_save(*, framework: Framework, indicator: Indicator | None, parent: Indicator | None, data: dict,
                   actor) -> Indicator:
    """Create or edit one indicator; refused (with every reason) if the tree would break.

    A draft may stay unbalanced (a sum parent whose max differs from its children's total)
    while it is being edited; activation refuses that.
    """
    _guard_unused(framework)
    if parent is not None and parent.framework_id != framework.pk:
        raise ValidationError({"parent": "Chỉ tiêu cha không thuộc bộ chỉ số này."})
    indicator = indicator or Indicator(framework=framework, position=_next_position(framework))
    before = _indicator_values(Indicator.objects.select_related("parent").get(pk=indicator.pk)) if indicator.pk else {}
    for name in INDICATOR_FIELDS:
        setattr(indicator, name, data[name])
    indicator.parent = parent
    old_code = _original_code(indicator) if indicator.pk else None
    rows = [r for r in rows_of(framework) if r.code != old_code]
    for row in rows:  # children follow a renamed parent
        if old_code and row.parent_code == old_code:
            row.parent_code = indicator.code
    rows.append(Row(line=None, code=indicator.code, name=indicator.name, max_points=indicator.max_points,
                    parent_code=parent.code if parent else "", rule=indicator.rule, params=dict(indicator.params)))
    errors = [p for p in check_rows(rows) if p.kind != "balance"]
    if errors:
        raise ValidationError([str(p) for p in errors])
    indicator.params = to_json(rows[-1].params)
    indicator.save()
    if old_code and old_code != indicator.code:
        _follow_codes(framework, {old_code: indicator.code})
    if "aggregates" in data:
        _set_aggregates(indicator, data["aggregates"])
    _tree_changed(framework)
    old, new = changes(before, _indicator_values(indicator))
    if not before or new:
        record("indicator.updated" if before else "indicator.created", actor=actor, target=indicator, old=old, new=new)
    return indicator


def _indicator_values(indicator: Indicator) -> dict:
    """An indicator as its audit entries show it: its fields as text and its parent's code."""
    values = {name: getattr(indicator, name) for name in INDICATOR_FIELDS}
    values["max_points"] = format_number(indicator.max_points) if indicator.max_points is not None else None
    values["rule"] = RULE_LABELS.get(indicator.rule, indicator.rule)
    values["parent"] = indicator.parent.code if indicator.parent_id else ""
    return to_json(values)


def _follow_codes(framework: Framework, renamed: dict[str, str | None]) -> None:
    """Keep a clone's `code_map` (last year's code → this year's) on its indicators when one is
    renumbered (`renamed` old → new) or deleted (old → None): last year's answers are copied
    (assessments.carry_over) by this map, never into a criterion that merely took a freed code."""
    if framework.cloned_from_id is None:
        return
    code_map = Framework.objects.filter(pk=framework.pk).values_list("code_map", flat=True).get() or {}
    followed = {old: renamed.get(new, new) for old, new in code_map.items()}
    followed = {old: new for old, new in followed.items() if new is not None}
    if followed != code_map:
        Framework.objects.filter(pk=framework.pk).update(code_map=followed)
        framework.code_map = followed


def _set_aggregates(indicator: Indicator, names: list[str]) -> None:
    """Put `indicator` in exactly the aggregates `names` of its framework, creating new ones."""
    framework = indicator.framework
    chosen = []
    for name in names:
        aggregate = framework.aggregates.filter(name=name).first()
        if aggregate is None:
            aggregate = Aggregate.objects.create(framework=framework, name=name, position=framework.aggregates.count())
        chosen.append(aggregate)
    indicator.aggregates.set(chosen)
    framework.aggregates.filter(indicators__isnull=True).delete()


def _original_code(indicator: Indicator) -> str:
    return Indicator.objects.filter(pk=indicator.pk).values_list("code", flat=True).first() or ""


def _next_position(framework: Framework) -> int:
    last = framework.indicators.order_by("-position").values_list("position", flat=True).first()
    return (last or 0) + 1


@transaction.atomic
def indicator_delete(*, indicator: Indicator, actor) -> None:
    _guard_unused(indicator.framework)
    gone, found = {indicator.pk}, True
    tree = list(indicator.framework.indicators.values_list("pk", "parent_id", "code"))
    while found:  # the indicator and every descendant go
        found = {pk for pk, parent, _ in tree if parent in gone and pk not in gone}
        gone |= found
    _follow_codes(indicator.framework, {code: None for pk, _, code in tree if pk in gone})
    record("indicator.deleted", actor=actor, target=indicator,
           old={"code": indicator.code, "name": indicator.name, "descendants": len(gone) - 1})
    indicator.delete()
    _tree_changed(indicator.framework)
