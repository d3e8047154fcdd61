"""Year over year across frameworks (issue 13 part 3): this year's assessment against the unit's
previous result, even when the two years used different catalogues.

- When this year's framework was cloned from the previous result's framework (`Framework.cloned_from`,
  with `code_map` {last year's code: this year's code}, kept through renumbering and deletions), the
  criteria are compared one by one through the map (1.3 last year may be 1.4 now), and the totals on
  the *common subset* — the criteria present on both sides — are compared with their maxima on each
  side, labelled "trên phần chung N/M điểm". Criteria new this year and criteria dropped are listed.
- Otherwise (no clone link, an empty map, or a side without criterion points, e.g. a result imported
  as totals only) only the index (total / the framework's maximum) is compared, and the result says so.

`compare` is a pure function over plain values (`Side`); `comparisons_for` is the one selector: it
finds the unit's latest earlier result (an assessment of an earlier period, or an imported result) —
or, when the unit has none, each of its predecessors' (tenancy `UnitLineage`), listed one by one and
never averaged — and reads everything in a fixed number of queries whatever the size of the catalogues.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from dti_portal.tenancy.models import UnitLineage
from indicators.models import Framework, Indicator
from indicators.scoring import format_number

from .models import Answer, Assessment

ZERO = Decimal(0)
NOT_ANSWERED_RULES = ("sum", "collected")  # leaves nobody scores (as assessments.totals)
INDEX_ONLY = "Không có bảng đối chiếu mã: chỉ so sánh chỉ số (điểm / điểm tối đa)"
NOTHING = "Chưa có kết quả năm trước để so sánh: đây là năm đánh giá đầu tiên của đơn vị."
NOT_AVERAGED = ("Đơn vị được hình thành từ các đơn vị trước đây; năm trước đơn vị chưa có kết quả riêng. "
                "Kết quả của từng đơn vị tiền thân được liệt kê riêng, không cộng gộp hay lấy trung bình.")


@dataclass
class Criterion:
    code: str
    name: str
    max_points: Decimal


@dataclass
class Side:
    """One year's result as the comparison needs it (plain values, no ORM)."""

    year: int
    unit: str
    framework_id: int | None
    framework_name: str
    total: Decimal | None
    maximum: Decimal | None  # the framework's maximum (sum of its top-level groups)
    basis: str = ""  # "điểm chính thức", "điểm tự đánh giá", "kết quả công bố"
    criteria: list[Criterion] = field(default_factory=list)  # scored leaves, in catalogue order
    points: dict[str, Decimal | None] = field(default_factory=dict)  # code → points (leaves answered)
    index: Decimal | None = None  # a published index, used when there is no maximum

    @property
    def has_points(self) -> bool:
        return bool(self.criteria) and any(v is not None for v in self.points.values())

    @property
    def index_value(self) -> Decimal | None:
        if self.total is not None and self.maximum:
            return self.total / self.maximum
        return self.index


@dataclass
class Row:
    old_code: str
    new_code: str
    name: str
    old_max: Decimal
    new_max: Decimal
    old_points: Decimal | None
    new_points: Decimal | None

    @property
    def renumbered(self) -> bool:
        return self.old_code != self.new_code

    @property
    def change(self) -> Decimal | None:
        if self.old_points is None or self.new_points is None:
            return None
        return self.new_points - self.old_points

    @property
    def change_text(self) -> str:
        return signed(self.change)


@dataclass
class Common:
    """Totals on the criteria present in both years (unanswered counts as 0 points)."""

    count: int
    old_max: Decimal
    new_max: Decimal
    old_total: Decimal
    new_total: Decimal
    old_framework_max: Decimal | None
    new_framework_max: Decimal | None

    @property
    def change(self) -> Decimal:
        return self.new_total - self.old_total

    @property
    def change_text(self) -> str:
        return signed(self.change)

    @property
    def label(self) -> str:
        return _share(self.new_max, self.new_framework_max)

    @property
    def old_label(self) -> str:
        return _share(self.old_max, self.old_framework_max)


def signed(value: Decimal | None, places: int | None = None) -> str:
    """+4,5 / −2 / 0 as the page shows a change; "" when there is none."""
    if value is None:
        return ""
    text = format_number(abs(value), places)
    return f"+{text}" if value > 0 else (f"−{text}" if value < 0 else text)


def _share(part: Decimal, whole: Decimal | None) -> str:
    whole_text = format_number(whole) if whole is not None else "?"
    return f"trên phần chung {format_number(part)}/{whole_text} điểm"


@dataclass
class Comparison:
    old: Side
    new: Side
    mapped: bool
    note: str  # what is compared, in Vietnamese
    rows: list[Row] = field(default_factory=list)
    common: Common | None = None
    new_criteria: list[Criterion] = field(default_factory=list)
    dropped: list[Criterion] = field(default_factory=list)
    predecessor: bool = False  # the old side is a predecessor unit's result

    @property
    def index_change(self) -> Decimal | None:
        old, new = self.old.index_value, self.new.index_value
        return None if old is None or new is None else new - old

    @property
    def sides(self) -> tuple[Side, Side]:
        return self.old, self.new

    @property
    def same_scale(self) -> bool:
        """Both totals exist and on the same maximum: the totals themselves may be compared."""
        return (self.old.total is not None and self.new.total is not None and self.old.maximum is not None
                and self.old.maximum == self.new.maximum)

    @property
    def total_change_text(self) -> str:
        return signed(self.new.total - self.old.total) if self.same_scale else ""

    @property
    def index_change_text(self) -> str:
        return signed(self.index_change, 4)

    @property
    def heading(self) -> str:
        """"So với năm 2024 — Bộ chỉ số … (sao chép, có bảng đối chiếu mã)"."""
        name = self.old.framework_name
        what = (name if name.lower().startswith("bộ chỉ số") else f"Bộ chỉ số {name}") if name else self.old.basis
        head = f"So với năm {self.old.year}"
        if self.predecessor:
            head += f" — {self.old.unit}"
        if self.mapped:
            return f"{head} — {what} (sao chép, có bảng đối chiếu mã)"
        return f"{head} — {what}"


def compare(old: Side, new: Side, code_map: dict[str, str] | None) -> Comparison:
    """Compare two years. `code_map` is this year's framework's {old code: new code} when it was cloned
    from the old side's framework, None when the two frameworks are not linked."""
    if not code_map:
        return Comparison(old, new, False, INDEX_ONLY)
    if not old.has_points:
        return Comparison(old, new, False, f"Năm {old.year} chỉ có tổng điểm, không có điểm từng chỉ tiêu: "
                                           "chỉ so sánh chỉ số (điểm / điểm tối đa)")
    new_by_code = {c.code: c for c in new.criteria}
    rows, matched_new, dropped = [], set(), []
    for criterion in old.criteria:
        target = new_by_code.get(code_map.get(criterion.code))
        if target is None or target.code in matched_new:
            dropped.append(criterion)
            continue
        matched_new.add(target.code)
        rows.append(Row(criterion.code, target.code, target.name, criterion.max_points, target.max_points,
                        old.points.get(criterion.code), new.points.get(target.code)))
    order = {c.code: n for n, c in enumerate(new.criteria)}
    rows.sort(key=lambda r: order[r.new_code])
    common = Common(
        count=len(rows), old_max=sum((r.old_max for r in rows), ZERO), new_max=sum((r.new_max for r in rows), ZERO),
        old_total=sum((r.old_points or ZERO for r in rows), ZERO), new_total=sum((r.new_points or ZERO for r in rows), ZERO),
        old_framework_max=old.maximum, new_framework_max=new.maximum,
    )
    note = (f"So sánh theo từng chỉ tiêu qua bảng đối chiếu mã và trên phần chung của hai bộ chỉ số "
            f"({common.count} chỉ tiêu, {common.label})")
    return Comparison(old, new, True, note, rows, common,
                      [c for c in new.criteria if c.code not in matched_new], dropped)


# --- reading ----------------------------------------------------------------------------------
def _leaves_and_maxima(framework_ids) -> tuple[dict[int, list[Criterion]], dict[int, Decimal], dict[int, str]]:
    """Scored leaves and the maximum of each framework, and every indicator's code: one query."""
    rows = list(Indicator.objects.filter(framework__in=framework_ids)
                .order_by("position", "pk").values("pk", "parent_id", "code", "name", "max_points", "rule", "framework_id"))
    parents = {r["parent_id"] for r in rows if r["parent_id"] is not None}
    leaves: dict[int, list[Criterion]] = {f: [] for f in framework_ids}
    maxima: dict[int, Decimal] = {f: ZERO for f in framework_ids}
    for r in rows:
        if r["parent_id"] is None:
            maxima[r["framework_id"]] += r["max_points"]
        if r["pk"] not in parents and r["rule"] not in NOT_ANSWERED_RULES:
            leaves[r["framework_id"]].append(Criterion(r["code"], r["name"], r["max_points"]))
    return leaves, maxima, {r["pk"]: r["code"] for r in rows}


def chained_map(links: dict[int, tuple[int | None, dict]], new_id: int, old_id: int) -> dict[str, str] | None:
    """{old code: new code} from framework `old_id` to `new_id` along clones (`links`: framework →
    (cloned_from, code_map)), composing the maps of each step (2023 → 2024 → 2025); None when
    `new_id` is not a clone (or a clone of a clone) of `old_id`."""
    steps, current, seen = [], new_id, set()
    while current != old_id:
        if current in seen or current not in links or links[current][0] is None:
            return None
        seen.add(current)
        source, code_map = links[current]
        steps.append(code_map or {})
        current = source
    if not steps:
        return None
    composed = dict(steps[-1])  # the oldest step first
    for code_map in reversed(steps[:-1]):
        composed = {old: code_map[mid] for old, mid in composed.items() if mid in code_map}
    return composed


def _assessment_side(assessment: Assessment) -> Side:
    final = assessment.final_total is not None
    return Side(year=assessment.period.year, unit=assessment.unit.name, framework_id=assessment.framework_id,
                framework_name=assessment.framework.name, total=assessment.final_total if final else assessment.self_total,
                maximum=None, basis="điểm chính thức" if final else "điểm tự đánh giá")


def comparisons_for(assessment: Assessment) -> list[Comparison]:
    """This assessment against the unit's latest earlier result; when the unit has none, against each
    predecessor's latest (one comparison each, never averaged). [] in a first year. Six queries."""
    from rankings.models import ImportedResult

    year = assessment.period.year
    predecessors = list(UnitLineage.objects.filter(successor=assessment.unit_id).values_list("predecessor_id", flat=True))
    units = [assessment.unit_id, *predecessors]
    earlier: dict[int, tuple] = {}  # unit → (year, rank, object): the latest year, an assessment before an import
    for old in (Assessment.objects.filter(unit__in=units, period__year__lt=year).exclude(pk=assessment.pk)
                .select_related("period", "unit", "framework")):
        key = (old.period.year, 1, old.pk)
        if old.unit_id not in earlier or key > earlier[old.unit_id][0]:
            earlier[old.unit_id] = (key, old)
    for result in (ImportedResult.objects.filter(unit__in=units, year__lt=year, reported=True)
                   .select_related("unit", "framework")):
        key = (result.year, 0, result.pk)
        if result.unit_id not in earlier or key > earlier[result.unit_id][0]:
            earlier[result.unit_id] = (key, result)
    if assessment.unit_id in earlier:
        chosen, predecessor = [earlier[assessment.unit_id][1]], False
    else:
        chosen, predecessor = [earlier[u][1] for u in predecessors if u in earlier], True
        chosen.sort(key=lambda o: o.unit.name)
    if not chosen:
        return []
    framework_ids = {assessment.framework_id} | {o.framework_id for o in chosen if o.framework_id}
    leaves, maxima, codes = _leaves_and_maxima(framework_ids)
    olds = [o for o in chosen if isinstance(o, Assessment)]
    points: dict[int, dict[int, Decimal | None]] = {}
    for a_id, ind_id, self_score, final_score in Answer.objects.filter(
            assessment__in=[assessment.pk, *[o.pk for o in olds]]).values_list(
            "assessment_id", "indicator_id", "self_score", "final_score"):
        points.setdefault(a_id, {})[ind_id] = (self_score, final_score)

    def side_of(a: Assessment) -> Side:
        side = _assessment_side(a)
        side.maximum, side.criteria = maxima.get(a.framework_id), leaves.get(a.framework_id, [])
        final = a.final_total is not None
        side.points = {codes[i]: (f if final else s) for i, (s, f) in points.get(a.pk, {}).items() if i in codes}
        return side

    new = side_of(assessment)
    framework = assessment.framework
    found_links: dict = {}

    def links() -> dict[int, tuple[int | None, dict]]:  # the province's clone links, read once when needed
        if not found_links:
            found_links.update({pk: (source, code_map) for pk, source, code_map in Framework.objects.filter(
                province=framework.province_id).values_list("pk", "cloned_from_id", "code_map")})
        return found_links
    result = []
    for old in chosen:
        if isinstance(old, Assessment):
            old_side = side_of(old)
        else:
            old_side = Side(year=old.year, unit=old.unit.name, framework_id=old.framework_id,
                            framework_name=old.framework.name if old.framework else "", total=old.total,
                            maximum=maxima.get(old.framework_id) or None, basis="kết quả đã công bố", index=old.index)
        if old_side.framework_id == framework.pk:  # the same catalogue both years
            code_map = {c.code: c.code for c in new.criteria}
        elif old_side.framework_id is not None and framework.cloned_from_id is not None:
            code_map = chained_map(links(), framework.pk, old_side.framework_id) or None
        else:
            code_map = None
        comparison = compare(old_side, new, code_map)
        comparison.predecessor = predecessor
        result.append(comparison)
    return result
