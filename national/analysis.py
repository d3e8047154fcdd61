"""Reads of the province's national results: the table of a year as published (pillars, criteria,
reasons, ranks "22/63") with the publication's defects flagged, and the lost-points analysis
(criteria by points lost, grouped by pillar, with the reason, the owners of the plan's tasks and the
change against the previous year where the criterion maps across catalogues).

Every selector costs the same number of queries whatever the number of criteria, tasks or years.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from assessments.models import Answer
from dti_portal.tenancy.models import Province
from indicators.models import Framework, Indicator
from indicators.scoring import format_number

from .models import NationalResult, Task

MAX_CLONE_STEPS = 10  # a catalogue cloned year after year: far more years than any comparison needs


def rank_text(rank: int | None, provinces: int) -> str:
    """ "22/63", or "-" when the rank was not entered."""
    return f"{rank}/{provinces}" if rank else "-"


@dataclass
class Row:
    """One indicator of the table: a pillar (depth 0), a criterion (1) or a sub-criterion (2+)."""

    indicator: Indicator
    depth: int
    achieved: Decimal | None = None  # the criterion's points; a group's sum of its criteria
    reason: str = ""
    note: str = ""  # a remark on the publication itself: shown as a flag
    printed: Decimal | None = None  # a pillar's points as printed
    rank: str = ""
    flag: str = ""  # the defect of the publication at this row, in Vietnamese
    previous: Decimal | None = None
    change: Decimal | None = None
    change_note: str = ""  # why there is no change to show
    owners: list[str] = field(default_factory=list)
    children: list["Row"] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.indicator.code

    @property
    def name(self) -> str:
        return self.indicator.name

    @property
    def max_points(self) -> Decimal:
        return self.indicator.max_points

    @property
    def lost(self) -> Decimal | None:
        return None if self.achieved is None else self.indicator.max_points - self.achieved

    @property
    def shown(self) -> Decimal | None:
        """The points the publication shows: a pillar's printed points, else the criterion's."""
        return self.printed if self.printed is not None else self.achieved


@dataclass
class ResultTable:
    result: NationalResult
    framework: Framework
    rows: list[Row]  # every indicator in catalogue order
    pillars: list[Row]
    computed_total: Decimal | None
    total_flag: str
    previous: NationalResult | None
    mapping_note: str  # why criteria cannot be compared with the previous year ("" when they can)

    @property
    def rank(self) -> str:
        return rank_text(self.result.rank, self.result.provinces)

    @property
    def max_total(self) -> Decimal:
        return sum((p.max_points for p in self.pillars), Decimal(0))

    @property
    def flags(self) -> list[Row]:
        return [r for r in self.rows if r.flag]


def results_of(province: Province) -> list[NationalResult]:
    """The results the tenant holds — its own and those of provinces merged into it (`lineage_ids`) —
    newest first, its own before a predecessor's of the same year; each with `rank_text`,
    `computed_total` and `predecessor` (the merged province whose result it is, None for its own)."""
    results = list(NationalResult.objects.filter(province_id__in=province.lineage_ids)
                   .select_related("assessment", "province"))
    results.sort(key=lambda r: (-r.year, r.province_id != province.pk, r.province.name))
    for result in results:
        result.rank_text = rank_text(result.rank, result.provinces)
        result.computed_total = result.assessment.final_total
        result.predecessor = result.province if result.province_id != province.pk else None
    return results


def result_of(province: Province, year: int) -> NationalResult | None:
    return (NationalResult.objects.filter(province=province, year=year)
            .select_related("assessment__framework", "assessment__unit", "assessment__period").first())


def _codes_back(framework: Framework, earlier: Framework) -> tuple[dict[str, str] | None, str]:
    """This year's code → the earlier catalogue's code, through clones' `code_map`s; None with the
    reason when `framework` does not descend from `earlier`."""
    if framework.pk == earlier.pk:
        return {i: i for i in framework.indicators.values_list("code", flat=True)}, ""
    back: dict[str, str] | None = None
    current = framework
    for _ in range(MAX_CLONE_STEPS):
        if current.cloned_from_id is None:
            break
        step = {new: old for old, new in (current.code_map or {}).items()}  # new code → parent's code
        back = step if back is None else {new: step_old for new, mid in back.items()
                                          if (step_old := step.get(mid)) is not None}
        if current.cloned_from_id == earlier.pk:
            return back, ""
        current = Framework.objects.only("pk", "cloned_from_id", "code_map").get(pk=current.cloned_from_id)
    return None, (f"Bộ chỉ số năm {framework.year} không được sao chép từ bộ chỉ số năm {earlier.year} nên không có "
                  "đối chiếu mã: không so sánh được từng chỉ số với năm trước.")


def result_table(result: NationalResult) -> ResultTable:
    """The year's table in catalogue order, the publication's defects flagged, owners and changes filled."""
    framework = result.assessment.framework
    indicators = list(framework.indicators.order_by("position", "pk"))
    children: dict[int | None, list[Indicator]] = defaultdict(list)
    for indicator in indicators:
        children[indicator.parent_id].append(indicator)
    answers = {a.indicator_id: a for a in Answer.objects.filter(assessment=result.assessment)}
    pillars_saved = {p.indicator_id: p for p in result.pillars.all()}

    previous = (NationalResult.objects.filter(province=result.province_id, year__lt=result.year)
                .select_related("assessment__framework").order_by("-year").first())
    back, mapping_note, before = None, "", {}
    if previous is not None:
        back, mapping_note = _codes_back(framework, previous.assessment.framework)
        before = _points_by_code(previous)
    owners = _owners(framework, previous, back)

    rows: list[Row] = []

    def build(indicator: Indicator, depth: int) -> Row:
        answer = answers.get(indicator.pk)
        row = Row(indicator=indicator, depth=depth, reason=answer.reason if answer else "",
                  note=answer.note if answer else "")
        rows.append(row)
        row.children = [build(kid, depth + 1) for kid in children.get(indicator.pk, [])]
        if row.children:
            parts = [k.achieved for k in row.children if k.achieved is not None]
            row.achieved = sum(parts, Decimal(0)) if parts else None
        else:
            row.achieved = answer.final_score if answer else None
        row.owners = sorted({name for k in [row, *row.children] for name in owners.get(k.indicator.pk, [])})
        if previous is not None and indicator.max_points:
            if back is None:
                row.change_note = "không đối chiếu được"
            elif indicator.code not in back or back[indicator.code] not in before:
                row.change_note = f"không có ở năm {previous.year}"
            else:
                row.previous = before[back[indicator.code]]
                if row.achieved is not None and row.previous is not None:
                    row.change = row.achieved - row.previous
        if row.note:
            row.flag = row.note
        return row

    pillars = [build(indicator, 0) for indicator in children.get(None, [])]
    for row in pillars:
        saved = pillars_saved.get(row.indicator.pk)
        if saved is None:
            continue
        row.printed, row.rank = saved.published_points, rank_text(saved.rank, result.provinces)
        if saved.published_points is not None and row.achieved is not None and saved.published_points != row.achieved:
            difference = saved.published_points - row.achieved
            row.flag = " ".join(filter(None, [
                f"Bản công bố ghi {format_number(saved.published_points)} điểm, nhưng các chỉ số của trụ cột cộng lại được "
                f"{format_number(row.achieved)} điểm (chênh {'+' if difference > 0 else ''}{format_number(difference)}): "
                "bảng hiển thị số công bố; các phân tích dùng tổng các chỉ số.", row.note]))
    parts = [p.achieved for p in pillars if p.achieved is not None]
    computed_total = sum(parts, Decimal(0)) if parts else None
    total_flag = ""
    if result.published_total is not None and computed_total is not None and result.published_total != computed_total:
        total_flag = (f"Tổng điểm công bố {format_number(result.published_total)} khác tổng các chỉ số "
                      f"{format_number(computed_total)}.")
    return ResultTable(result=result, framework=framework, rows=rows, pillars=pillars, computed_total=computed_total,
                       total_flag=total_flag, previous=previous, mapping_note=mapping_note)


def _points_by_code(result: NationalResult) -> dict[str, Decimal]:
    """Every indicator's points of a result by code (a group: the sum of its criteria)."""
    indicators = list(result.assessment.framework.indicators.values("pk", "parent_id", "code"))
    scores = dict(Answer.objects.filter(assessment=result.assessment, final_score__isnull=False)
                  .values_list("indicator_id", "final_score"))
    parent_of = {i["pk"]: i["parent_id"] for i in indicators}
    code_of = {i["pk"]: i["code"] for i in indicators}
    has_children = {i["parent_id"] for i in indicators if i["parent_id"]}
    points: dict[str, Decimal] = {}
    for pk, score in scores.items():
        if pk in has_children:
            continue
        node = pk
        steps = 0
        while node is not None and steps < 20:
            points[code_of[node]] = points.get(code_of[node], Decimal(0)) + score
            node, steps = parent_of.get(node), steps + 1
    return points


def _owners(framework: Framework, previous: NationalResult | None, back: dict[str, str] | None) -> dict[int, list[str]]:
    """Indicator pk → the owner organisations of plan tasks on it: tasks linked to this catalogue's
    criteria, or to the previous year's where its code maps to this year's."""
    frameworks = [framework.pk] + ([previous.assessment.framework_id] if previous is not None and back else [])
    tasks = Task.objects.filter(indicator__framework_id__in=frameworks).select_related("owner", "indicator")
    pk_of = dict(framework.indicators.values_list("code", "pk"))
    forward = {old: new for new, old in (back or {}).items()}
    found: dict[int, list[str]] = defaultdict(list)
    for task in tasks:
        if task.indicator.framework_id == framework.pk:
            pk = task.indicator_id
        else:
            pk = pk_of.get(forward.get(task.indicator.code, ""))
        if pk is not None and task.owner.name not in found[pk]:
            found[pk].append(task.owner.name)
    return found


@dataclass
class Analysis:
    table: ResultTable
    pillars: list[dict]  # {"row": pillar Row, "lost": Decimal, "criteria": [Row sorted by lost], "full": int}
    lost_total: Decimal


def lost_points(result: NationalResult) -> Analysis:
    """Criteria (children of the pillars; a criterion with sub-criteria counts as one) sorted by points
    lost, max − achieved, within each pillar; pillars in catalogue order; criteria with nothing lost or
    with no points to lose (pillar 9) only counted."""
    table = result_table(result)
    groups, lost_total = [], Decimal(0)
    for pillar in table.pillars:
        if not pillar.max_points:
            continue
        losing = [c for c in pillar.children if c.max_points and (c.lost is None or c.lost > 0)]
        losing.sort(key=lambda c: (c.lost is None, -(c.lost or 0), c.indicator.position))
        lost = sum((c.lost for c in losing if c.lost is not None), Decimal(0))
        lost_total += lost
        groups.append({"row": pillar, "lost": lost, "criteria": losing,
                       "full": sum(1 for c in pillar.children if c.max_points and c.lost == 0)})
    return Analysis(table=table, pillars=groups, lost_total=lost_total)
