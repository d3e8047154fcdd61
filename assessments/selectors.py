"""Reads of periods and assessments; the access helper for an assessment."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from dti_portal.accounts.access import officer_unit_ids, sees_whole_province
from dti_portal.tenancy.names import vn_sort_key
from indicators.models import Indicator
from indicators.scoring import Rule, format_number, input_fields
from indicators.totals import grand_total, roll_up

from .models import Answer, Assessment, Evidence, Period

NOT_ANSWERED_RULES = (Rule.SUM, Rule.COLLECTED)


def get_assessment_for_user(request, assessment_id: int) -> Assessment:
    """The assessment if this user may see it: a unit officer only their own unit's; 404 else."""
    assessment = get_object_or_404(
        Assessment.objects.select_related("period", "unit", "unit__kind", "framework"), pk=assessment_id
    )
    if not sees_whole_province(request) and assessment.unit_id not in officer_unit_ids(request):
        raise Http404("Không có bản đánh giá này.")
    return assessment


def is_officer_of(request, assessment: Assessment) -> bool:
    return assessment.unit_id in officer_unit_ids(request)


def get_evidence_for_user(request, evidence_id: int) -> Evidence:
    evidence = get_object_or_404(
        Evidence.objects.select_related("answer__assessment__period", "answer__indicator"), pk=evidence_id
    )
    get_assessment_for_user(request, evidence.answer.assessment_id)
    return evidence


@dataclass
class Item:
    """One indicator on the data-entry page."""

    indicator: Indicator
    depth: int
    is_leaf: bool
    answer: Answer | None = None
    evidence: list = field(default_factory=list)
    total: Decimal | None = None
    final_total: Decimal | None = None  # a group's subtotal of final scores, once there are any
    fields: list = field(default_factory=list)
    missing: str = ""
    round1: "object | None" = None  # the Review of each round, set by `attach_reviews`
    round2: "object | None" = None

    @property
    def anchor(self) -> str:
        return f"i-{self.indicator.pk}"


def _needs_answer(indicator: Indicator) -> bool:
    return indicator.rule not in NOT_ANSWERED_RULES


def _missing(indicator: Indicator, answer: Answer | None, evidence_count: int) -> str:
    """What still keeps this leaf from being complete ("" when nothing)."""
    if not _needs_answer(indicator):
        return ""
    if answer is None or (not answer.inputs and answer.self_score is None):
        return "chưa nhập số liệu"
    if answer.self_score is None:
        return "số liệu chưa hợp lệ"
    if indicator.evidence_required.strip() and answer.self_score > 0 and evidence_count == 0:
        return "thiếu tài liệu kiểm chứng"
    return ""


@dataclass
class Sheet:
    """The data-entry page's content: items in tree order and the overall totals."""

    items: list[Item]
    grand_total: Decimal
    max_total: Decimal
    final_total: Decimal | None = None
    indicators: list[Indicator] = field(default_factory=list)  # the framework's, by position


def entry_sheet(assessment: Assessment) -> Sheet:
    """Every indicator of the assessment in tree order, with answer, files and subtotal.

    Three queries whatever the size of the framework. Files are grouped here rather than by
    `prefetch_related`, which builds a queryset per answer (a third of this function's time).
    """
    indicators = list(Indicator.objects.filter(framework=assessment.framework_id).order_by("position", "pk"))
    answers = {a.indicator_id: a for a in Answer.objects.filter(assessment=assessment)}
    files_of: dict[int, list[Evidence]] = {}
    for evidence in Evidence.objects.filter(answer__assessment=assessment).order_by("uploaded_at", "pk"):
        files_of.setdefault(evidence.answer_id, []).append(evidence)
    parent_codes = {i.parent_id for i in indicators}
    by_pk = {i.pk: i for i in indicators}
    parent_of = {i.code: (by_pk[i.parent_id].code if i.parent_id in by_pk else "") for i in indicators}
    leaves = {i.code: (answers[i.pk].self_score if i.pk in answers else None)
              for i in indicators if i.pk not in parent_codes and _needs_answer(i)}
    totals = roll_up(parent_of, leaves)
    finals = {i.code: answers[i.pk].final_score for i in indicators if i.pk in answers and i.pk not in parent_codes}
    final_totals = roll_up(parent_of, finals) if any(v is not None for v in finals.values()) else {}

    children: dict = {}
    for indicator in indicators:
        children.setdefault(indicator.parent_id if indicator.parent_id in by_pk else None, []).append(indicator)
    items: list[Item] = []

    def walk(parent_pk, depth):
        for indicator in children.get(parent_pk, []):
            answer = answers.get(indicator.pk)
            files = files_of.get(answer.pk, []) if answer else []
            is_leaf = indicator.pk not in parent_codes
            items.append(Item(
                indicator=indicator, depth=depth, is_leaf=is_leaf, answer=answer, evidence=files,
                total=totals.get(indicator.code), final_total=final_totals.get(indicator.code),
                fields=input_fields(indicator.rule, indicator.params) if is_leaf else [],
                missing=_missing(indicator, answer, len(files)) if is_leaf else "",
            ))
            walk(indicator.pk, depth + 1)

    walk(None, 0)
    top_max = sum((i.max_points for i in indicators if parent_of[i.code] == ""), Decimal(0))
    final_total = grand_total(parent_of, final_totals) if final_totals else None
    return Sheet(items=items, grand_total=grand_total(parent_of, totals), max_total=top_max, final_total=final_total,
                 indicators=indicators)


def missing_items(assessment: Assessment) -> list[Item]:
    return [item for item in entry_sheet(assessment).items if item.missing]


@dataclass
class Progress:
    answered: int
    total: int
    missing_evidence: int

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.total) if self.total else 100


def progress_of(items: list[Item]) -> Progress:
    leaves = [i for i in items if i.is_leaf and _needs_answer(i.indicator)]
    return Progress(
        answered=sum(1 for i in leaves if i.answer is not None and i.answer.self_score is not None),
        total=len(leaves),
        missing_evidence=sum(1 for i in leaves if i.missing == "thiếu tài liệu kiểm chứng"),
    )


def periods_of(province) -> list[Period]:
    """The tenant's periods: its own and those of the provinces merged into it (each keeps its province)."""
    return list(
        Period.objects.filter(province_id__in=province.lineage_ids).select_related("province")
        .annotate(assessment_count=Count("assessments"),
                  submitted_count=Count("assessments", filter=~Q(assessments__status=Assessment.Status.DRAFT)))
        .order_by("-year", "name")
    )


@dataclass(slots=True)
class UnitProgress:
    """One unit's assessment in a period as the period page and the appraisal board list it."""

    pk: int
    unit_id: int
    unit: str
    kind: str
    framework_id: int
    status: str
    submitted_at: object
    extended_until: object
    deadline: object  # its extension, else the period's deadline (Assessment.deadline)
    self_total: Decimal | None
    standing_total: Decimal | None
    answered_count: int
    decided: dict[int, int]  # round → appraisable leaves with a decision in it (stored by assessments.totals)


def period_assessments(period: Period) -> list[UnitProgress]:
    """Every assessment of the period with its unit, the unit's kind and its stored counts and
    totals, in the order pages list units. One query of plain values: counts and totals are stored
    on the row (assessments.totals), and 150 model instances (with their units and kinds) cost
    three times the query itself."""
    fields = ["pk", "unit_id", "unit__name", "unit__kind__name", "framework_id", "status", "submitted_at",
              "extended_until", "self_total", "standing_total", "answered_count", "decided_round1", "decided_round2"]
    rows = list(Assessment.objects.filter(period=period).order_by("unit__kind__order", "unit__kind__name", "pk")
                .values_list(*fields))
    kind_position = {kind: n for n, kind in enumerate(dict.fromkeys(row[3] for row in rows))}
    rows.sort(key=lambda row: (kind_position[row[3]], vn_sort_key(row[2])))  # by kind, then Vietnamese order
    return [
        UnitProgress(pk=pk, unit_id=unit_id, unit=unit, kind=kind, framework_id=framework_id, status=status,
                     submitted_at=submitted_at, extended_until=extended_until,
                     deadline=extended_until or period.self_assessment_end, self_total=self_total,
                     standing_total=standing_total, answered_count=answered_count, decided={1: decided1, 2: decided2})
        for (pk, unit_id, unit, kind, framework_id, status, submitted_at, extended_until, self_total, standing_total,
             answered_count, decided1, decided2) in rows
    ]


def leaf_counts(period: Period) -> dict[int, int]:
    """Framework pk → how many indicators need an answer (leaves, neither sum nor collected).
    One query, whatever the number of frameworks."""
    return dict(
        Indicator.objects.filter(framework__in=period.period_frameworks.values("framework_id"), children__isnull=True)
        .exclude(rule__in=[r.value for r in NOT_ANSWERED_RULES]).values("framework_id").annotate(n=Count("pk"))
        .values_list("framework_id", "n")
    )


def assessments_of_unit(unit) -> list[Assessment]:
    return list(Assessment.objects.filter(unit=unit).select_related("period", "framework").order_by("-period__year"))


def number(value) -> str:
    return format_number(value) if value is not None else ""


# --- appraisal ----------------------------------------------------------------------------
def assignments_for(assessment: Assessment) -> list:
    """The assignments that cover this unit: by unit, or by a group of its framework."""
    from .models import Assignment

    return list(
        Assignment.objects.filter(Q(unit=assessment.unit_id) | Q(unit__isnull=True, group__framework=assessment.framework_id),
                                  period=assessment.period_id).select_related("appraiser", "group")
    )


def top_groups(indicators) -> dict[int, int]:
    """indicator pk → the pk of its top-level ancestor (itself for a top-level indicator)."""
    by_pk = {i.pk: i for i in indicators}
    tops = {}
    for indicator in indicators:
        node = indicator
        while node.parent_id in by_pk:
            node = by_pk[node.parent_id]
        tops[indicator.pk] = node.pk
    return tops


def assigned_indicator_ids(assessment: Assessment, user, assignments=None, indicators=None) -> set[int]:
    """The indicators of this assessment that `user` must appraise (`assignments` and the framework's
    `indicators` are read when not given)."""
    mine = [a for a in (assignments if assignments is not None else assignments_for(assessment)) if a.appraiser_id == user.pk]
    if not mine:
        return set()
    if indicators is None:
        indicators = list(Indicator.objects.filter(framework=assessment.framework_id))
    tops = top_groups(indicators)
    return {
        i.pk for i in indicators
        if any(a.covers(assessment.unit_id, tops[i.pk]) for a in mine)
    }


@dataclass(slots=True)
class PeriodAssignment:
    """Who appraises what in a period, as the board lists it (names, not model instances)."""

    pk: int
    appraiser_id: int
    appraiser: str
    unit_id: int | None
    unit: str  # "" for every unit
    framework_id: int | None  # the group's framework, for an assignment by group
    group: str  # "code name" of the group, "" for every group


def period_assignments(period: Period) -> list[PeriodAssignment]:
    """The period's assignments with their appraisers', units' and groups' names. One query."""
    from .models import Assignment

    return [
        PeriodAssignment(pk=pk, appraiser_id=appraiser_id, appraiser=full_name or username, unit_id=unit_id,
                         unit=unit or "", framework_id=framework_id, group=f"{code} {name}" if code is not None else "")
        for pk, appraiser_id, full_name, username, unit_id, unit, framework_id, code, name in
        Assignment.objects.filter(period=period).order_by("pk").values_list(
            "pk", "appraiser_id", "appraiser__full_name", "appraiser__username", "unit_id", "unit__name",
            "group__framework_id", "group__code", "group__name")
    ]


def teams_of(assessments: list[UnitProgress], assignments: list[PeriodAssignment]) -> dict[int, list[PeriodAssignment]]:
    """Assessment pk → the assignments that cover it (by unit, or by a group of its framework),
    as `assignments_for` decides, for a whole period at once: no query."""
    by_unit: dict[int, list] = {}
    by_framework: dict[int, list] = {}
    for assignment in assignments:
        if assignment.unit_id is not None:
            by_unit.setdefault(assignment.unit_id, []).append(assignment)
        else:
            by_framework.setdefault(assignment.framework_id, []).append(assignment)
    return {a.pk: by_unit.get(a.unit_id, []) + by_framework.get(a.framework_id, []) for a in assessments}


@dataclass
class Decisions:
    """What the appraisal board counts: per unit in round 1 or 2 the indicators still lacking a
    decision in its round (as `appraisal.undecided` lists them); per appraiser and round the
    decisions saved (rows with `name`, `round`, `count`, ordered by username and round)."""

    undecided: dict[int, int]
    per_appraiser: list[dict]


def decisions_of(period: Period, assessments: list[UnitProgress]) -> Decisions:
    """The board's counts for a period in three queries (the appraisable leaves per framework, the
    period's decisions per appraiser and round, the appraisers' names), whatever the number of
    units. Each unit's decisions are counted when they are saved (`decided`, stored by
    assessments.totals); the per-appraiser count reads Review's index on its assessment, so it
    touches this period's reviews only, never every province's answers."""
    from dti_portal.accounts.models import User

    from .models import Review

    S = Assessment.Status
    leaves = dict(
        Indicator.objects.filter(framework__in=period.period_frameworks.values("framework_id"), children__isnull=True)
        .exclude(rule=Rule.COLLECTED).values("framework_id").annotate(n=Count("pk")).values_list("framework_id", "n")
    )
    per_reviewer: dict[tuple[int, int], int] = {
        (reviewer_id, rnd): count for reviewer_id, rnd, count in
        Review.objects.filter(assessment__period=period).values_list("reviewer_id", "round").annotate(n=Count("pk"))
    }
    current = {S.ROUND1: 1, S.ROUND2: 2}
    undecided = {a.pk: leaves.get(a.framework_id, 0) - a.decided[current[a.status]] for a in assessments if a.status in current}
    people = {u.pk: u for u in User.objects.filter(pk__in={r for r, _ in per_reviewer if r is not None})}
    rows = [{"name": (people[r].full_name or people[r].username) if r in people else "", "round": rnd, "count": n,
             "key": (people[r].username if r in people else "", rnd)} for (r, rnd), n in per_reviewer.items()]
    return Decisions(undecided=undecided, per_appraiser=sorted(rows, key=lambda row: row["key"]))


def signoffs_of(period: Period) -> dict[int, list[tuple[str, object]]]:
    """Assessment pk → (appraiser's name, signed at) of its sign-offs in signing order. One query."""
    from .models import SignOff

    found: dict[int, list] = {}
    for assessment_id, full_name, username, signed_at in (
        SignOff.objects.filter(assessment__period=period).order_by("signed_at", "pk")
        .values_list("assessment_id", "appraiser__full_name", "appraiser__username", "signed_at")
    ):
        found.setdefault(assessment_id, []).append((full_name or username, signed_at))
    return found


def get_assessment_for_appraiser(request, assessment_id: int) -> Assessment:
    """Appraisers see the units they are assigned; the lead and admins see every unit; others 404."""
    from dti_portal.accounts.models import Role

    assessment = get_assessment_for_user(request, assessment_id)
    if request.roles & {Role.PROVINCE_ADMIN, Role.APPRAISAL_LEAD, Role.LEADERSHIP}:
        return assessment
    if Role.APPRAISER in request.roles and any(a.appraiser_id == request.user.pk for a in assignments_for(assessment)):
        return assessment
    raise Http404("Không có bản đánh giá này trong phần việc của bạn.")


def attach_reviews(assessment: Assessment, items: list[Item]) -> None:
    """Set `round1` and `round2` (a Review or None) on each item: one query."""
    reviews = reviews_by_answer(assessment)
    for item in items:
        found = reviews.get(item.answer.pk, {}) if item.answer else {}
        item.round1, item.round2 = found.get(1), found.get(2)


def reviews_by_answer(assessment: Assessment) -> dict[int, dict[int, "object"]]:
    from .models import Review

    found: dict[int, dict] = {}
    for review in Review.objects.filter(answer__assessment=assessment).select_related("reviewer"):
        found.setdefault(review.answer_id, {})[review.round] = review
    return found
