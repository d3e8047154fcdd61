"""Importing published results (reference/results_*.csv and the like), all or nothing.

Columns: `kind`, `unit`, then any of `total`/`total_YYYY`, `index`/`index_YYYY`, `rank`/`rank_YYYY`,
`band`, and one column per part (pillar or aggregate) named like the framework's, e.g.
`nhan_thuc_so` for "Nhận thức số". "-" means the unit did not report (that part, or at all).
"""

import csv
import re
from dataclasses import dataclass, field
from decimal import Decimal

import tablib
from django.db import transaction

from dti_portal.audit.services import record
from dti_portal.exports import csv_text
from dti_portal.imports import ModelResource
from dti_portal.tenancy.models import Province, UnitKind
from dti_portal.tenancy.selectors import find_units_by_name
from indicators.catalogue import Problem
from indicators.models import Framework
from indicators.totals import part_key  # noqa: F401  (re-exported: results name their columns by it)
from indicators.scoring import ScoringError, format_number, parse_number

from .models import ImportedResult, Publication

NOT_REPORTED = "-"
_SPECIAL = re.compile(r"^(total|index|rank)(?:_(\d{4}))?$")



# A results file has one row per unit and one column per published figure: far below these.
MAX_ROWS = 1000
MAX_COLUMNS = 60


def framework_parts(framework: Framework | None) -> dict[str, tuple[str, Decimal]]:
    """Part key → (display name, max) for the framework's aggregates and top-level indicators."""
    if framework is None:
        return {}
    found = {}
    for indicator in framework.indicators.filter(parent__isnull=True):
        found[part_key(indicator.name)] = (indicator.name, indicator.max_points)
    for aggregate in framework.aggregates.prefetch_related("indicators"):
        total = sum((i.max_points for i in aggregate.indicators.all()), Decimal(0))
        found[part_key(aggregate.name)] = (aggregate.name, total)
    return found


@dataclass
class ResultsReport:
    dry_run: bool
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    imported: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


class ImportedResultResource(ModelResource):
    """Rows already checked and resolved by `results_import`; the resource saves them."""

    class Meta:
        model = ImportedResult
        fields = ["unit"]
        import_id_fields = ["unit"]
        skip_diff = True
        use_transactions = False

    def __init__(self, prepared: dict[int, dict]):
        super().__init__()
        self.prepared = prepared

    def get_queryset(self):
        return ImportedResult.objects.none()

    def import_instance(self, instance, row, **kwargs):
        for name, value in self.prepared[int(row["line"])].items():
            setattr(instance, name, value)

    def get_or_init_instance(self, instance_loader, row):
        return self.init_instance(row), True


def _number(value, label, line, unit, problems) -> Decimal | None | str:
    # Text is read the Vietnamese way ("860,69", "1.234,5"); a spreadsheet's number cell as it is.
    text = "" if value is None else str(value).strip()
    if text == "":
        return None
    if text == NOT_REPORTED:
        return NOT_REPORTED
    try:
        return parse_number(value if isinstance(value, int | float | Decimal) else text, field=label, places=6)
    except ScoringError as error:
        problems.append(Problem(line, unit, error.message))
        return None


@transaction.atomic
def results_import(*, province: Province, year: int, filename: str, content: bytes, dry_run: bool = False,
                   source: str = "", actor) -> ResultsReport:
    report = ResultsReport(dry_run=dry_run)
    published = Publication.objects.filter(province=province, year=year).exclude(status=Publication.Status.FAILED).first()
    if published:
        state = "đã được công bố" if published.status == Publication.Status.PUBLISHED else "đang được công bố"
        report.problems.append(Problem(None, "", f"kết quả năm {year} {state} (quyết định {published.decision_number}); "
                                                 "không nhập lại kết quả của năm này."))
        return report
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        report.problems.append(Problem(None, "", "tệp phải là CSV mã hóa UTF-8."))
        return report
    if not text.strip():
        report.problems.append(Problem(None, "", "tệp rỗng, không có dữ liệu."))
        return report
    try:
        dataset = tablib.Dataset().load(text, format="csv")
    except (csv.Error, tablib.InvalidDimensions):
        report.problems.append(Problem(None, "", "tệp CSV không hợp lệ: số cột của các dòng không khớp với dòng tiêu đề "
                                                 "(số có dấu phẩy thập phân phải nằm trong ngoặc kép, ví dụ \"738,08\")."))
        return report
    headers = [h.strip() for h in dataset.headers or []]
    if len(dataset) > MAX_ROWS or len(headers) > MAX_COLUMNS:
        report.problems.append(Problem(None, "", f"tệp có {len(dataset)} dòng và {len(headers)} cột; tối đa {MAX_ROWS} dòng "
                                                 f"(mỗi đơn vị một dòng) và {MAX_COLUMNS} cột."))
        return report
    missing = [c for c in ("kind", "unit") if c not in headers]
    if missing:
        report.problems.append(Problem(None, "", "thiếu cột: " + ", ".join(missing) + "."))
        return report

    kinds = {k.code: k for k in UnitKind.objects.filter(province=province)}
    frameworks = {f.unit_kind_id: f for f in Framework.objects.filter(province=province, year=year).order_by("-status")}
    prepared: dict[int, dict] = {}
    seen: dict[int, int] = {}
    for offset, values in enumerate(dataset, start=2):
        cells = dict(zip(headers, (csv_text(v) for v in values)))  # the portal's own export, read back
        name, kind = (cells.get("unit") or "").strip(), kinds.get((cells.get("kind") or "").strip())
        if kind is None:
            report.problems.append(Problem(offset, "", name + ": " + f"loại đơn vị “{cells.get('kind')}” không có (có: {', '.join(kinds)})."))
            continue
        units = find_units_by_name(province, name, kind=kind)
        if len(units) != 1:
            report.problems.append(Problem(offset, "", name + ": " + "không tìm thấy đơn vị này (kể cả theo tên gọi khác)."
                                           if not units else "tên khớp nhiều đơn vị; hãy sửa tên gọi khác."))
            continue
        unit = units[0]
        if unit.pk in seen:
            report.problems.append(Problem(offset, "", name + ": " + f"đơn vị xuất hiện hai lần (dòng {seen[unit.pk]} và {offset})."))
            continue
        seen[unit.pk] = offset
        framework = frameworks.get(kind.pk)
        limits = framework_parts(framework)
        row = {"province": province, "year": year, "unit_kind": kind, "unit": unit, "framework": framework,
               "source": source or filename, "parts": {}}
        for header, raw in cells.items():
            special = _SPECIAL.match(header)
            if header in ("kind", "unit"):
                continue
            if header == "band":
                row["published_band"] = (raw or "").strip()
                continue
            value = _number(raw, header, offset, name, report.problems)
            if special:
                what = special.group(1)
                if what == "rank":
                    row["published_rank"] = int(value) if isinstance(value, Decimal) else None
                elif value == NOT_REPORTED:
                    row["reported"] = False
                else:
                    row[what] = value
                continue
            if value is None:
                continue
            if limits and header not in limits:
                report.problems.append(Problem(offset, "", name + ": " + f"cột “{header}” không khớp trụ cột hay nhóm nào của bộ chỉ số {framework}."))
                continue
            row["parts"][header] = None if value == NOT_REPORTED else f"{value.normalize():f}"
            if isinstance(value, Decimal) and header in limits and value > limits[header][1]:
                report.problems.append(Problem(offset, "", name + ": " + f"{limits[header][0]}: {format_number(value)} điểm vượt tối đa {format_number(limits[header][1])}."))
        total = row.get("total")
        if isinstance(total, Decimal) and framework is not None:
            maximum = sum(i.max_points for i in framework.indicators.filter(parent__isnull=True))
            if total > maximum:
                report.problems.append(Problem(offset, "", name + ": " + f"tổng {format_number(total)} điểm vượt tối đa {format_number(maximum)}."))
        summable = _summable_keys(framework)
        parts = [Decimal(v) for k, v in row["parts"].items() if v is not None and k in summable]
        if isinstance(total, Decimal) and parts and sum(parts) != total:
            report.notes.append(Problem(offset, "", name + ": " + f"tổng công bố {format_number(total)} khác tổng các trụ cột "
                                                      f"{format_number(sum(parts))}; giữ số công bố và ghi nhận sai lệch."))
        if not row.get("reported", True):
            row["total"] = None
        prepared[offset] = row
    if report.problems:
        transaction.set_rollback(True)
        return report
    ImportedResult.objects.filter(province=province, year=year, unit__in=[r["unit"] for r in prepared.values()]).delete()
    data = tablib.Dataset(headers=["line", "unit"])
    for line, row in prepared.items():
        data.append([line, row["unit"].pk])
    result = ImportedResultResource(prepared).import_data(data, use_transactions=False)
    for number, errors in result.row_errors():
        report.problems += [Problem(None, "", f"không lưu được: {e.error}") for e in errors]
    report.imported = len(prepared)
    record("results.imported", actor=actor, target=province, label=f"Kết quả năm {year}",
           new={"year": year, "file": filename, "units": len(prepared), **({"source": source} if source else {})})
    if dry_run or report.problems:
        transaction.set_rollback(True)
    return report


def _summable_keys(framework: Framework | None) -> set[str]:
    """Part keys whose values add up to the total: the top-level indicators, or else the
    aggregates when they do not share any indicator (Đắk Lắk's three huyện pillars)."""
    if framework is None:
        return set()
    tops = {part_key(i.name) for i in framework.indicators.filter(parent__isnull=True)}
    aggregates = list(framework.aggregates.prefetch_related("indicators"))
    members = [i.pk for a in aggregates for i in a.indicators.all()]
    disjoint = len(members) == len(set(members))
    return tops | ({part_key(a.name) for a in aggregates} if disjoint else set())
