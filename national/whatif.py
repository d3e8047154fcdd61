"""What-if of the improvement plan: the points each target would bring under the national catalogue's own
rules, and the pillar and total points (and the rank among provinces) if every target due in a year is met.

Pure functions over plain values (the same engine as every answer, `indicators.scoring.score`), plus one
selector, `plan_whatif`, that reads what they need in a fixed number of queries.

A target is a value in the criterion's own measure, turned into the rule's inputs by `target_inputs`:
a share in % for the ratio rules (50 % → a = 50, b = 100), a count, a step value, 1/0 for yes/no, and
points where the rule is points (manual, choice, checklist).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import combinations

from indicators.scoring import InputError, Rule, format_number, score

HUNDRED = Decimal(100)
ZERO = Decimal(0)

# What a target value is, per rule: shown beside the value field and on the task page.
MEASURES: dict[str, str] = {
    Rule.RATIO: "%", Rule.RATIO_TARGET: "%", Rule.RATIO_STEPS: "%",
    Rule.COUNT: "số lượng", Rule.STEPS: "giá trị", Rule.YES_NO: "1 = đạt, 0 = chưa đạt",
    Rule.MANUAL: "điểm", Rule.CHOICE: "điểm", Rule.CHECKLIST: "điểm",
}


def targetable(rule: str) -> bool:
    """Whether a target can be set on a criterion of this rule (a parent's sum or a collected figure cannot)."""
    return rule in MEASURES


def _share_points(entry: dict, max_points: Decimal) -> Decimal:
    if "points" in entry:
        return Decimal(str(entry["points"]))
    return Decimal(str(entry["fraction"])) * max_points


def target_inputs(rule: str, params: dict, max_points: Decimal, value: Decimal) -> dict:
    """The rule's inputs that the target `value` stands for, or `InputError` (Vietnamese) when no answer
    of the criterion could reach it: above 100 % for a share, above the max for points, not 0/1 for yes/no."""
    shown = format_number(value)
    if value < 0:
        raise InputError(f"Chỉ tiêu {shown} không được là số âm.", "value")
    if rule in (Rule.RATIO, Rule.RATIO_TARGET, Rule.RATIO_STEPS):
        if value > HUNDRED:
            raise InputError(
                f"Chỉ tiêu {shown} % vượt 100 %: chỉ số này tính theo tỷ lệ nên không thể vượt 100 %.", "value")
        return {"a": format_number(value), "b": "100"}
    if rule == Rule.COUNT:
        if value != value.to_integral_value():
            raise InputError(f"Chỉ tiêu {shown} phải là số nguyên: chỉ số này đếm số lượng.", "value")
        return {"count": format_number(value)}
    if rule == Rule.STEPS:
        return {"value": format_number(value)}
    if rule == Rule.YES_NO:
        if value not in (0, 1):
            raise InputError(f"Chỉ số này chấm Có/Không: ghi 1 (đạt) hoặc 0 (chưa đạt), không ghi {shown}.", "value")
        return {"value": value == 1}
    if rule in (Rule.MANUAL, Rule.CHOICE, Rule.CHECKLIST) and value > max_points:
        raise InputError(
            f"Chỉ tiêu {shown} điểm vượt điểm tối đa {format_number(max_points)} của chỉ số.", "value")
    if rule == Rule.MANUAL:
        return {"points": format_number(value)}
    if rule == Rule.CHOICE:
        options = params.get("options", [])
        for option in options:
            if _share_points(option, max_points) == value:
                return {"option": option["label"]}
        reachable = "; ".join(f"{format_number(_share_points(o, max_points))} ({o['label']})" for o in options)
        raise InputError(f"Chỉ số này chấm theo lựa chọn: chỉ tiêu phải là một trong các mức điểm {reachable}.", "value")
    if rule == Rule.CHECKLIST:
        items = params.get("items", [])
        for size in range(len(items) + 1):  # a checklist has a handful of items: every subset is cheap
            for chosen in combinations(items, size):
                if sum((_share_points(i, max_points) for i in chosen), ZERO) == value:
                    return {"ticked": [i["label"] for i in chosen]}
        raise InputError(f"Không có cách đánh dấu các mục của chỉ số này cho đúng {shown} điểm.", "value")
    raise InputError("Chỉ số này không chấm điểm trực tiếp (tổng các chỉ tiêu con hoặc chỉ thu thập số liệu): "
                     "hãy chọn một chỉ số thành phần.", "indicator")


def target_points(rule: str, params: dict, max_points: Decimal, inputs: dict) -> Decimal:
    """The points the criterion would get with these inputs: the engine every answer goes through."""
    return score(rule, params, max_points, inputs)


# ------------------------------------------------------------------------------------ projection


@dataclass(frozen=True)
class Criterion:
    """A leaf criterion of the national catalogue with its points in the base year."""

    id: int
    code: str
    name: str
    pillar_id: int
    max_points: Decimal
    rule: str
    params: dict
    base_points: Decimal  # 0 when the base result has no points for it


@dataclass(frozen=True)
class Pillar:
    id: int
    code: str
    name: str
    max_points: Decimal
    base_points: Decimal


@dataclass(frozen=True)
class TargetRow:
    """One target of one task, scored: `points` None when the engine refuses its inputs (shown, not hidden)."""

    task_id: int
    criterion_id: int
    year: int
    value: Decimal
    points: Decimal | None
    gain: Decimal  # how much above the base result's points of the criterion (never below 0)
    error: str = ""


def score_target(criterion: Criterion, task_id: int, year: int, value: Decimal, inputs: dict) -> TargetRow:
    try:
        points = target_points(criterion.rule, criterion.params, criterion.max_points, inputs)
    except InputError as error:  # the catalogue changed under a stored target: say so on the page
        return TargetRow(task_id, criterion.id, year, value, None, ZERO, error.message)
    return TargetRow(task_id, criterion.id, year, value, points, max(ZERO, points - criterion.base_points))


@dataclass
class PillarProjection:
    pillar: Pillar
    points: Decimal
    gain: Decimal


@dataclass
class YearProjection:
    year: int
    pillars: list[PillarProjection]
    base_total: Decimal
    total: Decimal
    gain: Decimal
    criteria: list[tuple[Criterion, Decimal]] = field(default_factory=list)  # criteria that gain, and by how much
    rank: int | None = None  # among the province and the peers entered for the year
    ranked: int | None = None  # how many provinces that rank is among


def targets_in_force(rows: list[TargetRow], year: int) -> list[TargetRow]:
    """Each task's target due in `year`, or its latest earlier one: a target met stays met."""
    latest: dict[int, TargetRow] = {}
    for row in rows:
        if row.year <= year and (row.task_id not in latest or row.year > latest[row.task_id].year):
            latest[row.task_id] = row
    return list(latest.values())


def project_year(year: int, criteria: dict[int, Criterion], pillars: list[Pillar], base_total: Decimal,
                 rows: list[TargetRow], peers: list[Decimal] | None = None) -> YearProjection:
    """Pillar and total points if every target in force in `year` is met: a target replaces its criterion's
    base points only when higher (several tasks on one criterion: the highest); and where other provinces'
    totals of the year are given, the rank among them (ties share a rank)."""
    best: dict[int, Decimal] = {}
    for row in targets_in_force(rows, year):
        if row.points is not None:
            best[row.criterion_id] = max(best.get(row.criterion_id, ZERO), row.gain)
    by_pillar: dict[int, Decimal] = defaultdict(lambda: ZERO)
    gaining = []
    for criterion_id, gain in best.items():
        if gain > 0:
            criterion = criteria[criterion_id]
            by_pillar[criterion.pillar_id] += gain
            gaining.append((criterion, gain))
    gaining.sort(key=lambda pair: (-pair[1], pair[0].code))
    projected = [PillarProjection(p, p.base_points + by_pillar[p.id], by_pillar[p.id]) for p in pillars]
    gain = sum(by_pillar.values(), ZERO)
    projection = YearProjection(year, projected, base_total, base_total + gain, gain, gaining)
    if peers:
        projection.rank, projection.ranked = rank_among(projection.total, peers)
    return projection


def rank_among(total: Decimal, peers: list[Decimal]) -> tuple[int, int]:
    """(rank, out of): 1 + the provinces with more points; a tie shares the rank."""
    return 1 + sum(1 for peer in peers if peer > total), len(peers) + 1


# ------------------------------------------------------------------------------------ the selector


def national_catalogue(province, year: int):
    """The national catalogue (922/QĐ-BTTTT) the province's result of `year` answers: the framework of its
    `NationalResult`, else the province's own-unit (kind "tinh") catalogue of that year, active first."""
    from indicators.models import Framework

    from .models import NationalResult

    result = NationalResult.objects.filter(province=province, year=year).select_related("assessment__framework").first()
    if result is not None:
        return result.assessment.framework
    frameworks = Framework.objects.filter(province=province, year=year, unit_kind__code="tinh")
    return (frameworks.filter(status=Framework.Status.ACTIVE).order_by("-pk").first()
            or frameworks.order_by("-pk").first())


@dataclass
class PlanWhatIf:
    """Everything the plan's pages show of the what-if, read in a fixed number of queries."""

    framework: object | None
    criteria: dict[int, Criterion]
    pillars: list[Pillar]
    base_total: Decimal
    base_published: bool  # the base total is the ministry's published one (else the sum of criterion points)
    tasks: list  # Task rows, each with `.target_rows` (TargetRow list, by year)
    projections: list[YearProjection]


def catalogue_points(framework, year: int) -> tuple[dict[int, Criterion], list[Pillar], Decimal, bool]:
    """The catalogue's leaf criteria and pillars with their points in `year` (the province's national result:
    its final answers; pillars and total as published where entered)."""
    from assessments.models import Answer, Assessment
    from indicators.models import Indicator

    from .models import NationalResult, PillarResult

    nodes = list(Indicator.objects.filter(framework=framework).order_by("position", "pk")
                 .values("id", "parent_id", "code", "name", "max_points", "rule", "params"))
    result = NationalResult.objects.filter(province_id=framework.province_id, year=year).first()
    if result is not None:
        assessment_id = result.assessment_id
    else:
        assessment_id = (Assessment.objects.filter(framework=framework, status__in=["final", "published"])
                         .order_by("-pk").values_list("pk", flat=True).first())
    achieved = dict(Answer.objects.filter(assessment_id=assessment_id, final_score__isnull=False)
                    .values_list("indicator_id", "final_score")) if assessment_id else {}
    published = dict(PillarResult.objects.filter(result=result, published_points__isnull=False)
                     .values_list("indicator_id", "published_points")) if result else {}
    by_id = {n["id"]: n for n in nodes}
    parents = {n["parent_id"] for n in nodes}

    def pillar_of(node) -> int:
        while node["parent_id"] is not None:
            node = by_id[node["parent_id"]]
        return node["id"]

    criteria = {
        n["id"]: Criterion(n["id"], n["code"], n["name"], pillar_of(n), n["max_points"], n["rule"], n["params"] or {},
                           achieved.get(n["id"], ZERO))
        for n in nodes if n["id"] not in parents and targetable(n["rule"])
    }
    summed: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for n in nodes:
        if n["id"] not in parents and n["id"] in achieved:
            summed[pillar_of(n)] += achieved[n["id"]]
    pillars = [Pillar(n["id"], n["code"], n["name"], n["max_points"], published.get(n["id"], summed[n["id"]]))
               for n in nodes if n["parent_id"] is None and n["max_points"] > 0]  # not a collected-only pillar
    if result is not None and result.published_total is not None:
        return criteria, pillars, result.published_total, True
    return criteria, pillars, sum((p.base_points for p in pillars), ZERO), False


def plan_whatif(plan) -> PlanWhatIf:
    """The plan's what-if: each task's targets scored, and the projection of every year of the plan."""
    from .models import PeerTotal, Task

    framework = national_catalogue(plan.province, plan.base_year)
    tasks = list(Task.objects.filter(plan=plan).select_related("owner", "indicator")
                 .prefetch_related("targets", "collaborators").order_by("position", "pk"))
    if framework is None:
        for task in tasks:
            task.target_rows = []
        return PlanWhatIf(None, {}, [], ZERO, False, tasks, [])
    criteria, pillars, base_total, published = catalogue_points(framework, plan.base_year)
    rows: list[TargetRow] = []
    for task in tasks:
        criterion = criteria.get(task.indicator_id)
        task.criterion = criterion
        task.target_rows = [score_target(criterion, task.pk, t.year, t.value, t.inputs) for t in task.targets.all()
                            ] if criterion else []
        rows += task.target_rows
    years = range(plan.first_year, plan.last_year + 1)
    peers: dict[int, list[Decimal]] = defaultdict(list)
    own = plan.province.name.casefold()
    for year, name, total in (PeerTotal.objects.filter(result__province=plan.province, result__year__in=list(years))
                              .values_list("result__year", "name", "total")):
        if name.casefold() != own:  # the province's own row, if someone entered it, is not a peer
            peers[year].append(total)
    projections = [project_year(y, criteria, pillars, base_total, rows, peers.get(y)) for y in years]
    return PlanWhatIf(framework, criteria, pillars, base_total, published, tasks, projections)
