"""Work queues (việc cần làm): what waits for each role, read for the role's home page.

Every function here costs a fixed number of queries whatever the number of units and criteria:
it reads the stored counts of each assessment (`answered_count`, `decided_round1`/`2`, written by
`assessments.totals`) and counts the rest with one aggregate per kind, never one query per unit.

- officer: what is missing in the unit's assessment, and the criteria awaiting an explanation;
- appraiser: units and criteria awaiting a decision (or a signature) in the current round;
- lead: what blocks closing round 1, starting round 2 or finalising;
- admin: periods and units behind schedule.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q
from django.urls import reverse

from dti_portal.tenancy.names import vn_sort_key
from dti_portal.tenancy.selectors import former_province_short, lineage_provinces
from indicators.display import url_maker
from indicators.models import Indicator
from indicators.scoring import Rule

from .models import Answer, Assessment, Assignment, Period, Review, SignOff
from .selectors import NOT_ANSWERED_RULES, top_groups

S = Assessment.Status
D = Review.Decision
ROUND_OF = {S.ROUND1: 1, S.ROUND2: 2}


@dataclass(frozen=True)
class Deadline:
    """A date something must be done by, told in words: colour is never the only signal."""

    label: str  # "Hạn tự đánh giá"
    day: date
    today: date

    @property
    def days_left(self) -> int:
        return (self.day - self.today).days

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    @property
    def text(self) -> str:
        left = self.days_left
        if left < 0:
            return f"quá hạn {-left} ngày"
        if left == 0:
            return "hôm nay là hạn cuối"
        return f"còn {left} ngày"


def _deadline(label: str, day: date | None, today: date) -> Deadline | None:
    return Deadline(label, day, today) if day else None


def _url(name: str, slug: str, **kwargs) -> str:
    return reverse(name, kwargs={"province": slug, **kwargs})


def _urls(name: str, slug: str, key: str):
    """`name`'s URL for any `key` value, reversed once (a queue lists up to every unit)."""
    return url_maker(name, {"province": slug}, key)


def _leaf_counts(framework_ids, *, appraisable: bool) -> dict[int, int]:
    """Framework pk → leaves to answer (neither sum nor collected) or to appraise (all but
    collected). One query."""
    if not framework_ids:
        return {}
    excluded = [Rule.COLLECTED.value] if appraisable else [r.value for r in NOT_ANSWERED_RULES]
    return dict(
        Indicator.objects.filter(framework__in=set(framework_ids), children__isnull=True).exclude(rule__in=excluded)
        .values("framework_id").annotate(n=Count("pk")).values_list("framework_id", "n")
    )


# --- officer ------------------------------------------------------------------------------
@dataclass
class OfficerTask:
    """One assessment of the officer's unit that waits for the unit."""

    assessment_id: int
    period: str
    status: str
    status_label: str
    unanswered: int = 0
    total: int = 0
    missing_evidence: int = 0
    to_explain: int = 0  # criteria adjusted or queried in round 1 without an explanation yet
    deadline: Deadline | None = None
    url: str = ""
    waiting_for: str = ""  # what the unit waits for when nothing is asked of it


def officer_queue(unit_id: int, slug: str, today: date) -> list[OfficerTask]:
    """The unit's assessments in open periods: for a draft, the criteria still unanswered and the
    answers lacking required evidence; for a returned one, the criteria awaiting an explanation;
    otherwise what the unit waits for. Four queries at most."""
    rows = list(
        Assessment.objects.filter(unit=unit_id, period__status=Period.Status.OPEN)
        .exclude(status__in=[S.FINAL, S.PUBLISHED, S.NOT_REPORTED])
        .order_by("-period__year", "period__name")
        .values("pk", "status", "framework_id", "answered_count", "extended_until", "period__name",
                "period__self_assessment_end", "period__explanation_end", "period__round1_end", "period__round2_end")
    )
    drafts = [r["pk"] for r in rows if r["status"] == S.DRAFT]
    returned = [r["pk"] for r in rows if r["status"] == S.RETURNED]
    totals = _leaf_counts([r["framework_id"] for r in rows if r["status"] == S.DRAFT], appraisable=False)
    no_evidence: dict[int, int] = {}
    if drafts:
        # An answer with points on a criterion that requires evidence, and no file: the entry
        # page's "thiếu tài liệu kiểm chứng" (selectors._missing), counted per assessment.
        no_evidence = dict(
            Answer.objects.filter(assessment__in=drafts, self_score__gt=0, evidence__isnull=True)
            .exclude(indicator__evidence_required__regex=r"^\s*$")
            .values("assessment_id").annotate(n=Count("pk")).values_list("assessment_id", "n")
        )
    to_explain: dict[int, int] = {}
    if returned:
        to_explain = dict(
            Review.objects.filter(assessment__in=returned, round=1, decision__in=[D.ADJUST, D.REQUEST], answer__explanation="")
            .values("assessment_id").annotate(n=Count("pk")).values_list("assessment_id", "n")
        )
    tasks = []
    for row in rows:
        status = row["status"]
        task = OfficerTask(assessment_id=row["pk"], period=row["period__name"], status=status,
                           status_label=S(status).label, url=_url("assessments:entry", slug, assessment_id=row["pk"]))
        if status == S.DRAFT:
            task.total = totals.get(row["framework_id"], 0)
            task.unanswered = max(task.total - row["answered_count"], 0)
            task.missing_evidence = no_evidence.get(row["pk"], 0)
            task.deadline = _deadline("Hạn tự đánh giá", row["extended_until"] or row["period__self_assessment_end"], today)
        elif status == S.RETURNED:
            task.to_explain = to_explain.get(row["pk"], 0)
            task.deadline = _deadline("Hạn giải trình", row["period__explanation_end"], today)
        elif status in (S.SUBMITTED, S.ROUND1):
            task.waiting_for = "Đang chờ Tổ thẩm định xem xét (thẩm định lần 1)."
            task.deadline = _deadline("Hạn thẩm định lần 1", row["period__round1_end"], today)
        else:
            task.waiting_for = "Đang chờ Tổ thẩm định xem xét (thẩm định lần 2)."
            task.deadline = _deadline("Hạn thẩm định lần 2", row["period__round2_end"], today)
        tasks.append(task)
    return tasks


# --- appraiser ----------------------------------------------------------------------------
@dataclass
class AppraiserTask:
    """One unit an appraiser must still decide on (or sign) in its current round."""

    assessment_id: int
    unit: str
    kind: str
    period: str
    round: int
    undecided: int  # of the criteria assigned to this appraiser, those with no decision in the round
    assigned: int
    to_sign: bool
    deadline: Deadline | None
    url: str


def appraiser_queue(user, slug: str, today: date, province=None) -> list[AppraiserTask]:
    """Units in round 1 or 2 of open periods covered by `user`'s assignments, with the criteria
    still awaiting a decision in the round among those assigned to `user`, and in round 2 whether
    `user` must still sign. Nearest deadline first. Five queries at most, whatever the number of
    units and criteria. With `province` (the tenant), a period of a province merged into it says whose
    it is ("Kỳ 2024 — Tỉnh Đắk Nông (cũ)"; the predecessors' names: one query, none without)."""
    assignments = list(Assignment.objects.filter(appraiser=user, period__status=Period.Status.OPEN)
                       .values("period_id", "unit_id", "group_id", "group__framework_id"))
    if not assignments:
        return []
    covers = Q()
    for a in assignments:
        covers |= Q(period=a["period_id"], **({"unit": a["unit_id"]} if a["unit_id"] else {"framework": a["group__framework_id"]}))
    rows = list(
        Assessment.objects.filter(covers, status__in=[S.ROUND1, S.ROUND2])
        .values("pk", "period_id", "unit_id", "unit__name", "unit__kind__name", "framework_id", "status", "decided_round1",
                "decided_round2", "period__name", "period__province_id", "period__round1_end", "period__round2_end")
    )
    if not rows:
        return []
    if province is not None and any(row["period__province_id"] != province.pk for row in rows):
        provinces = lineage_provinces(province)
        for row in rows:
            if row["period__province_id"] in provinces and row["period__province_id"] != province.pk:
                row["period__name"] += " — " + former_province_short(provinces[row["period__province_id"]])
    # The appraisable leaves of the frameworks concerned and their top-level group: one query.
    leaves: dict[int, set[int]] = defaultdict(set)  # framework → appraisable leaves
    group_leaves: dict[int, set[int]] = defaultdict(set)  # top-level group → its appraisable leaves
    tree = list(Indicator.objects.filter(framework__in={r["framework_id"] for r in rows}).only("pk", "parent_id", "framework_id", "rule"))
    parents = {i.parent_id for i in tree}
    tops = top_groups(tree)
    for indicator in tree:
        if indicator.pk not in parents and indicator.rule != Rule.COLLECTED:
            leaves[indicator.framework_id].add(indicator.pk)
            group_leaves[tops[indicator.pk]].add(indicator.pk)

    def mine(row) -> set[int] | None:
        """The leaves of this unit assigned to `user`; None when every leaf is."""
        groups = set()
        for a in assignments:
            if a["period_id"] != row["period_id"] or (a["unit_id"] and a["unit_id"] != row["unit_id"]):
                continue
            if a["group_id"] is None:
                return None
            if a["group__framework_id"] == row["framework_id"]:
                groups.add(a["group_id"])
        return set().union(*(group_leaves[g] for g in groups))

    scope = {row["pk"]: mine(row) for row in rows}
    partial = [row for row in rows if scope[row["pk"]] is not None]
    decided: dict[int, set[int]] = defaultdict(set)
    if partial:
        # Part of a unit is this appraiser's (a group): the decisions on that part, one query.
        by_round = Q()
        for rnd in (1, 2):
            ids = [row["pk"] for row in partial if ROUND_OF[row["status"]] == rnd]
            if ids:
                by_round |= Q(assessment__in=ids, round=rnd)
        wanted = set().union(*(scope[row["pk"]] for row in partial))
        for assessment_id, indicator_id in Review.objects.filter(by_round, answer__indicator__in=wanted).values_list(
                "assessment_id", "answer__indicator_id"):
            decided[assessment_id].add(indicator_id)
    round2 = [row["pk"] for row in rows if row["status"] == S.ROUND2]
    signed = set(SignOff.objects.filter(assessment__in=round2, appraiser=user).values_list("assessment_id", flat=True)) if round2 else set()

    appraisal_url = _urls("assessments:unit_appraisal", slug, "assessment_id")
    tasks = []
    for row in rows:
        rnd = ROUND_OF[row["status"]]
        part = scope[row["pk"]]
        if part is None:
            assigned = len(leaves[row["framework_id"]])
            undecided = max(assigned - row[f"decided_round{rnd}"], 0)
        else:
            assigned = len(part)
            undecided = len(part - decided[row["pk"]])
        to_sign = rnd == 2 and row["pk"] not in signed
        if not undecided and not to_sign:
            continue
        end = row["period__round1_end"] if rnd == 1 else row["period__round2_end"]
        tasks.append(AppraiserTask(
            assessment_id=row["pk"], unit=row["unit__name"], kind=row["unit__kind__name"], period=row["period__name"],
            round=rnd, undecided=undecided, assigned=assigned, to_sign=to_sign,
            deadline=_deadline(f"Hạn thẩm định lần {rnd}", end, today),
            url=appraisal_url(row["pk"]),
        ))
    tasks.sort(key=lambda t: (t.deadline.day if t.deadline else date.max, t.period, t.round, vn_sort_key(t.unit)))
    return tasks


@dataclass
class AppraiserGroup:
    """The tasks of one period and round: they share the round's deadline."""

    period: str
    round: int
    deadline: Deadline | None
    tasks: list[AppraiserTask]

    @property
    def undecided(self) -> int:
        return sum(t.undecided for t in self.tasks)


def by_round(tasks: list[AppraiserTask]) -> list[AppraiserGroup]:
    """`appraiser_queue`'s tasks grouped by period and round, in the queue's order."""
    groups: dict[tuple[str, int], AppraiserGroup] = {}
    for task in tasks:
        key = (task.period, task.round)
        if key not in groups:
            groups[key] = AppraiserGroup(task.period, task.round, task.deadline, [])
        groups[key].tasks.append(task)
    return list(groups.values())


# --- lead ---------------------------------------------------------------------------------
@dataclass
class Blocker:
    """One unit that holds up the lead's next act, and why."""

    unit: str
    reason: str
    url: str


@dataclass
class PeriodBlockers:
    """What stands between a period and the lead's next acts."""

    period_id: int
    period: str
    board_url: str
    counts: dict[str, int]  # status → units
    to_start_round1: int = 0  # submitted, waiting for round 1 to start
    round1_blockers: list[Blocker] = field(default_factory=list)  # undecided criteria: round 1 cannot close
    round1_closable: bool = False
    awaiting_explanation: int = 0  # returned: round 2 opens for them once they explain or the window closes
    explained: int = 0  # ready for round 2
    finalise_blockers: list[Blocker] = field(default_factory=list)  # undecided or unsigned in round 2
    ready_to_finalise: list[Blocker] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.to_start_round1 or self.round1_blockers or self.round1_closable or self.awaiting_explanation
                    or self.explained or self.finalise_blockers or self.ready_to_finalise)


def _team_of(assignments: list[dict], row: dict) -> set[int]:
    return {a["appraiser_id"] for a in assignments
            if a["period_id"] == row["period_id"]
            and (a["unit_id"] == row["unit_id"] or (a["unit_id"] is None and a["group__framework_id"] == row["framework_id"]))}


def _period_label(period: Period, province) -> str:
    """The period's name; one of a province merged into the tenant says whose it is."""
    if period.province_id == province.pk:
        return period.name
    return f"{period.name} — {former_province_short(period.province)}"


def lead_queue(province, slug: str, today: date) -> list[PeriodBlockers]:
    """For every open period: units waiting for round 1, units whose undecided criteria keep
    round 1 from closing, units awaiting an explanation, and units in round 2 not ready to be
    finalised (criteria undecided, signatures missing) or ready. Five queries at most."""
    periods = list(Period.objects.filter(province_id__in=province.lineage_ids, status=Period.Status.OPEN)  # merged ones too
                   .select_related("province").order_by("-year", "name"))
    if not periods:
        return []
    rows = sorted(
        Assessment.objects.filter(period__in=periods)
        .values("pk", "period_id", "unit_id", "unit__name", "framework_id", "status", "decided_round1", "decided_round2"),
        key=lambda row: vn_sort_key(row["unit__name"]),
    )
    leaves = _leaf_counts({r["framework_id"] for r in rows if r["status"] in ROUND_OF}, appraisable=True)
    round2 = [r["pk"] for r in rows if r["status"] == S.ROUND2]
    assignments, signed = [], defaultdict(set)
    if round2:
        assignments = list(Assignment.objects.filter(period__in=periods).values(
            "period_id", "unit_id", "group__framework_id", "appraiser_id"))
        for assessment_id, appraiser_id in SignOff.objects.filter(assessment__in=round2).values_list("assessment_id", "appraiser_id"):
            signed[assessment_id].add(appraiser_id)
    queues = {}
    for period in periods:
        queues[period.pk] = PeriodBlockers(
            period_id=period.pk, period=_period_label(period, province), counts=Counter(),
            board_url=_url("assessments:appraisal_board", slug, period_id=period.pk),
            deadlines=[d for d in (_deadline("Hạn thẩm định lần 1", period.round1_end, today),
                                   _deadline("Hạn giải trình", period.explanation_end, today),
                                   _deadline("Hạn thẩm định lần 2", period.round2_end, today)) if d])
    appraisal_url = _urls("assessments:unit_appraisal", slug, "assessment_id")
    for row in rows:
        queue, status = queues[row["period_id"]], row["status"]
        queue.counts[status] += 1
        url = appraisal_url(row["pk"])
        if status == S.SUBMITTED:
            queue.to_start_round1 += 1
        elif status == S.RETURNED:
            queue.awaiting_explanation += 1
        elif status == S.EXPLAINED:
            queue.explained += 1
        elif status in ROUND_OF:
            rnd = ROUND_OF[status]
            undecided = max(leaves.get(row["framework_id"], 0) - row[f"decided_round{rnd}"], 0)
            if rnd == 1:
                if undecided:
                    queue.round1_blockers.append(Blocker(row["unit__name"], f"còn {undecided} chỉ tiêu chưa thẩm định", url))
                continue
            team = _team_of(assignments, row)
            unsigned = len(team - signed[row["pk"]])
            reasons = []
            if undecided:
                reasons.append(f"còn {undecided} chỉ tiêu chưa thẩm định lần 2")
            if not team:
                reasons.append("chưa phân công thẩm định viên")
            elif unsigned:
                reasons.append(f"thiếu {unsigned}/{len(team)} chữ ký xác nhận")
            if reasons:
                queue.finalise_blockers.append(Blocker(row["unit__name"], "; ".join(reasons), url))
            else:
                queue.ready_to_finalise.append(Blocker(row["unit__name"], "đủ chữ ký, sẵn sàng chốt", url))
    for queue in queues.values():
        queue.round1_closable = bool(queue.counts[S.ROUND1]) and not queue.round1_blockers
    return list(queues.values())


# --- province admin -----------------------------------------------------------------------
@dataclass
class Lateness:
    """Units of a period past one of its deadlines."""

    what: str  # "chưa gửi bản tự đánh giá"
    deadline: Deadline
    units: list[tuple[str, str]]  # (unit name, link)


@dataclass
class PeriodSchedule:
    period_id: int
    period: str
    status_label: str
    url: str
    late: list[Lateness] = field(default_factory=list)
    next_deadline: Deadline | None = None
    warning: str = ""  # about the period itself (not opened on its start date)


# status of a unit still behind after this period date → what it has not done
LATE_AFTER = [
    ("self_assessment_end", "Hạn tự đánh giá", (S.DRAFT,), "chưa gửi bản tự đánh giá"),
    ("round1_end", "Hạn thẩm định lần 1", (S.SUBMITTED, S.ROUND1), "chưa xong thẩm định lần 1"),
    ("explanation_end", "Hạn giải trình", (S.RETURNED,), "chưa gửi giải trình"),
    ("round2_end", "Hạn thẩm định lần 2", (S.EXPLAINED, S.ROUND2), "chưa chốt kết quả"),
]


def admin_queue(province, slug: str, today: date) -> list[PeriodSchedule]:
    """Periods behind schedule and their late units: a draft period whose self-assessment should
    have started, and in an open period the units still in a state its past deadlines should have
    ended (a unit's own extension counts for the self-assessment). Two queries."""
    periods = list(Period.objects.filter(province_id__in=province.lineage_ids).exclude(status=Period.Status.CLOSED)
                   .select_related("province").order_by("-year", "name"))  # the provinces merged into it too
    if not periods:
        return []
    open_ids = [p.pk for p in periods if p.status == Period.Status.OPEN]
    by_period: dict[int, list[dict]] = defaultdict(list)
    if open_ids:
        for row in sorted(Assessment.objects.filter(period__in=open_ids).exclude(status__in=[S.FINAL, S.PUBLISHED, S.NOT_REPORTED])
                          .values("pk", "period_id", "unit_id", "unit__name", "status", "extended_until"),
                          key=lambda row: vn_sort_key(row["unit__name"])):
            by_period[row["period_id"]].append(row)
    unit_url = _urls("tenancy:unit_detail", slug, "unit_id")
    schedules = []
    for period in periods:
        schedule = PeriodSchedule(period_id=period.pk, period=_period_label(period, province),
                                  status_label=period.get_status_display(),
                                  url=_url("assessments:period_detail", slug, period_id=period.pk))
        if period.status == Period.Status.DRAFT:
            if period.self_assessment_start and period.self_assessment_start <= today:
                schedule.warning = (f"Kỳ chưa được mở dù thời gian tự đánh giá bắt đầu từ "
                                    f"{period.self_assessment_start:%d/%m/%Y}.")
                schedules.append(schedule)
            continue
        for field_name, label, statuses, what in LATE_AFTER:
            day = getattr(period, field_name)
            late = [row for row in by_period[period.pk] if row["status"] in statuses
                    and (row["extended_until"] if field_name == "self_assessment_end" and row["extended_until"] else day or date.max) < today]
            if late and day:
                schedule.late.append(Lateness(what=what, deadline=Deadline(label, day, today), units=[
                    (row["unit__name"], unit_url(row["unit_id"])) for row in late]))
        upcoming = [Deadline(label, getattr(period, f), today) for f, label, _, _ in LATE_AFTER
                    if getattr(period, f) and getattr(period, f) >= today]
        schedule.next_deadline = min(upcoming, key=lambda d: d.day) if upcoming else None
        schedules.append(schedule)
    return schedules
