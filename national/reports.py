"""Progress reports (báo cáo tiến độ) of the improvement plan's owners: when a period's report is open,
who may write it, the writes, and the coordinating agency's overview of a period.

The windows follow the plan (seed 001, section VI): owners report to the coordinating agency every
quarter "before the 25th of the quarter's last month" and every year "before 20/12"; the agency reports
to the ministry before the 30th of the quarter's last month and before 25/12. The portal reads "before
the 25th" generously, as offices do: a quarter's report opens on the first day of the quarter's last
month and closes at the end of the 25th (local time); the yearly report opens on 1/12 and closes at the
end of 20/12. A report for a period that is closed or not yet open is refused with the dates.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from assessments.evidence import check_upload
from dti_portal.accounts.access import officer_unit_ids
from dti_portal.accounts.models import Membership, Role
from dti_portal.audit.services import changes, record
from indicators.scoring import format_number

from .models import QUARTERS, Plan, ProgressReport, ReportEvidence, Target, Task

YEARLY = 0
QUARTER_NAMES = dict(QUARTERS)
OWNER_QUARTER_DAY, OWNER_YEAR_DAY = 25, 20  # owners → the coordinating agency
AGENCY_QUARTER_DAY, AGENCY_YEAR_DAY = 30, 25  # the coordinating agency → the ministry
ACCOUNT_MAX = 5000
EVIDENCE_PER_REPORT = 20
VALUE_LIMIT = Decimal(10) ** 10  # ProgressReport.value: 14 digits, 4 of them decimals
READERS = frozenset({Role.PROVINCE_ADMIN, Role.LEADERSHIP})  # see every task and report of the province


# --- windows (pure) ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Window:
    """When the owners' report of one period (a quarter, or the year when `quarter` is 0) is taken."""

    year: int
    quarter: int
    opens: date  # from the start of this day
    closes: date  # to the end of this day: the owners' deadline
    agency_deadline: date  # the coordinating agency's report to the ministry

    @property
    def short(self) -> str:
        return QUARTER_NAMES[self.quarter]  # "Quý I", …, "Cả năm"

    @property
    def label(self) -> str:
        return f"{'Báo cáo năm' if self.quarter == YEARLY else QUARTER_NAMES[self.quarter]} {self.year}"

    @property
    def key(self) -> tuple[int, int]:
        return (self.year, self.quarter)

    def state(self, today: date) -> str:
        """"not_open", "open" or "closed" on `today` (a local date)."""
        if today < self.opens:
            return "not_open"
        return "open" if today <= self.closes else "closed"

    def refusal(self, today: date) -> str | None:
        """Why a report of this period cannot be written on `today`, or None while it is open."""
        state = self.state(today)
        if state == "not_open":
            return (f"{self.label} chưa mở: nhận báo cáo từ ngày {self.opens:%d/%m/%Y} "
                    f"đến hết ngày {self.closes:%d/%m/%Y}.")
        if state == "closed":
            return (f"{self.label} đã hết hạn nhận báo cáo (hạn cuối: hết ngày {self.closes:%d/%m/%Y}); "
                    "hãy liên hệ cơ quan thường trực nếu cần bổ sung.")
        return None


def window(year: int, quarter: int) -> Window:
    """The window of `quarter` (1–4) of `year`, or of the yearly report (0)."""
    if quarter == YEARLY:
        return Window(year, 0, date(year, 12, 1), date(year, 12, OWNER_YEAR_DAY), date(year, 12, AGENCY_YEAR_DAY))
    if quarter not in (1, 2, 3, 4):
        raise ValidationError("Kỳ báo cáo phải là quý I–IV hoặc cả năm.")
    last_month = quarter * 3
    return Window(year, quarter, date(year, last_month, 1), date(year, last_month, OWNER_QUARTER_DAY),
                  date(year, last_month, AGENCY_QUARTER_DAY))


def windows_of_year(year: int) -> list[Window]:
    """Q1–Q4 then the yearly report: the columns of an owner's table."""
    return [window(year, q) for q in (1, 2, 3, 4, YEARLY)]


def local_today(now: datetime | None = None) -> date:
    return timezone.localtime(now or timezone.now()).date()


def current_quarter(today: date) -> int:
    return (today.month - 1) // 3 + 1


def open_windows(today: date) -> list[Window]:
    """The periods owners may report on `today` (December: the fourth quarter and the year)."""
    return [w for w in windows_of_year(today.year) if w.state(today) == "open"]


def next_window(today: date) -> Window:
    """The next period to open after `today`."""
    for w in windows_of_year(today.year) + windows_of_year(today.year + 1):
        if w.opens > today:
            return w
    raise AssertionError("unreachable: next year's first quarter always opens later")  # pragma: no cover


def check_window(year: int, quarter: int, now: datetime | None = None) -> Window:
    """The period's window if it is open now, else ValidationError saying when it opens or closed."""
    w = window(year, quarter)
    refusal = w.refusal(local_today(now))
    if refusal:
        raise ValidationError(refusal)
    return w


# --- access ---------------------------------------------------------------------------------------

def _tasks():
    return Task.objects.select_related("plan", "owner", "indicator")


def get_task_for_user(request, task_id: int) -> tuple[Task, bool]:
    """(task, whether this user may report on it). The coordinating agency and leadership read every task
    of the province; an owner's officer only its own organisation's tasks, others are 404."""
    task = get_object_or_404(_tasks(), pk=task_id)
    if task.owner_id in officer_unit_ids(request):
        return task, task.plan.province_id == request.province.pk  # a merged province's plan: read only
    if request.roles & READERS:
        return task, False
    raise Http404("Không có nhiệm vụ này.")


def get_report_for_user(request, report_id: int) -> tuple[ProgressReport, bool]:
    report = get_object_or_404(ProgressReport.objects.select_related("task__plan", "task__owner", "task__indicator"),
                               pk=report_id)
    if report.task.owner_id in officer_unit_ids(request):
        return report, report.task.plan.province_id == request.province.pk
    if request.roles & READERS:
        return report, False
    raise Http404("Không có báo cáo này.")


def get_evidence_for_user(request, evidence_id: int) -> ReportEvidence:
    evidence = get_object_or_404(ReportEvidence.objects.select_related("report__task"), pk=evidence_id)
    if evidence.report.task.owner_id in officer_unit_ids(request) or request.roles & READERS:
        return evidence
    raise Http404("Không có tài liệu này.")


def _check_reporter(task: Task, actor) -> None:
    """Only an officer of the task's owner organisation reports on it (views answer 404 before this)."""
    if not Membership.objects.filter(user=actor, province_id=task.plan.province_id, unit_id=task.owner_id,
                                     role=Role.UNIT_OFFICER).exists():
        raise PermissionDenied("Chỉ cán bộ đầu mối của đơn vị chủ trì được báo cáo nhiệm vụ này.")


# --- services -------------------------------------------------------------------------------------

def _text(value: Decimal | None) -> str | None:
    return None if value is None else format_number(value)


@transaction.atomic
def report_submit(*, task: Task, year: int, quarter: int, value: Decimal | None, account: str, actor,
                  now: datetime | None = None) -> ProgressReport:
    """Create the owner's report of a period, or update it while the period is open."""
    plan = task.plan
    if not plan.first_year <= year <= plan.last_year:
        raise ValidationError(f"Kế hoạch “{plan.name}” áp dụng từ năm {plan.first_year} đến năm {plan.last_year}; "
                              f"không nhận báo cáo năm {year}.")
    check_window(year, quarter, now)
    _check_reporter(task, actor)
    account = (account or "").strip()
    if not account:
        raise ValidationError("Hãy viết tình hình thực hiện (kết quả, khó khăn, kiến nghị).")
    if len(account) > ACCOUNT_MAX:
        raise ValidationError(f"Tình hình thực hiện dài {len(account)} ký tự; tối đa {ACCOUNT_MAX}. Hãy rút gọn.")
    if value is not None and not (Decimal(0) <= value < VALUE_LIMIT):
        raise ValidationError("Kết quả đạt được phải là số không âm, nhỏ hơn 10.000.000.000.")
    if value is None and Target.objects.filter(task=task).exists():
        raise ValidationError("Nhiệm vụ có chỉ tiêu bằng số: hãy nhập kết quả đạt được.")
    report = ProgressReport.objects.select_for_update().filter(task=task, year=year, quarter=quarter).first()
    after = {"value": _text(value), "account": account}
    if report is None:
        report = ProgressReport.objects.create(task=task, year=year, quarter=quarter, value=value, account=account,
                                               submitted_by=actor)
        record("report.submitted", actor=actor, target=report, label=_label(report),
               new={"task": task.pk, "year": year, "quarter": quarter, **after})
        return report
    old, new = changes({"value": _text(report.value), "account": report.account}, after)
    if not new:
        return report
    report.value, report.account, report.submitted_by = value, account, actor
    report.save(update_fields=["value", "account", "submitted_by", "submitted_at"])
    record("report.updated", actor=actor, target=report, label=_label(report), old=old, new=new)
    return report


def _label(report: ProgressReport) -> str:
    return f"{window(report.year, report.quarter).label}: {report.task.title}"


@transaction.atomic
def report_evidence_add(*, report: ProgressReport, upload, actor, now: datetime | None = None) -> ReportEvidence:
    """A checked file (type by content, size, sha256, safe name) added to a report while its period is open."""
    check_window(report.year, report.quarter, now)
    _check_reporter(report.task, actor)
    if report.evidence.count() >= EVIDENCE_PER_REPORT:
        raise ValidationError(f"Mỗi báo cáo có tối đa {EVIDENCE_PER_REPORT} tài liệu.")
    checked = check_upload(upload)  # EvidenceRefused (a ValueError) with a Vietnamese message
    upload.seek(0)
    evidence = ReportEvidence(report=report, original_name=checked.original_name, content_type=checked.content_type,
                              size=checked.size, sha256=checked.sha256, uploaded_by=actor)
    evidence.file.save("upload", upload, save=False)
    evidence.save()
    record("report.evidence_added", actor=actor, target=report, label=_label(report),
           new={"evidence": evidence.pk, "name": evidence.original_name, "sha256": evidence.sha256, "size": evidence.size})
    return evidence


# --- selectors ------------------------------------------------------------------------------------

def plans_of_year(year: int):
    """The province's plans (the active scope's) that run in `year`. A plan of a province merged into this
    one ended with that province: it stays readable, but no report is due on it any more."""
    return Plan.objects.filter(first_year__lte=year, last_year__gte=year, province__merged_into__isnull=True)


def plan_years() -> list[int]:
    """Every year some plan of the province runs, in order (one query)."""
    years: set[int] = set()
    for first, last in Plan.objects.filter(province__merged_into__isnull=True).values_list("first_year", "last_year"):
        years.update(range(first, last + 1))
    return sorted(years)


def default_year(today: date, years: list[int]) -> int:
    """The year a page opens on: this year while a plan runs, else the last plan year before it (a plan of
    2022–2025 seen in 2026 opens on 2025), else the first one to come."""
    if not years or today.year in years:
        return today.year
    past = [y for y in years if y < today.year]
    return past[-1] if past else years[0]


def target_for(targets: list[Target], year: int) -> Target | None:
    """The target due in `year`, else the next one of the series (a 2023 target is what 2022 works towards),
    else the last one already due (a 2023 target of 50 % is still the bar a 2025 report is read against)."""
    due = [t for t in targets if t.year >= year]
    if due:
        return min(due, key=lambda t: t.year)
    return max(targets, key=lambda t: t.year) if targets else None


def _reports(year: int, quarters):
    return Prefetch("reports", to_attr="period_reports", queryset=ProgressReport.objects.filter(
        year=year, quarter__in=list(quarters)).select_related("submitted_by").annotate(evidence_count=Count("evidence")))


def owner_tasks(unit_ids, year: int, today: date) -> list[Task]:
    """The tasks owned by `unit_ids` in plans running in `year`, each with `.target` and `.cells`: one per
    period (Q1–Q4, year) with its window, its state on `today` and the report (or None). Four queries
    whatever the number of tasks."""
    tasks = list(_tasks().filter(owner__in=unit_ids, plan__in=plans_of_year(year))
                 .prefetch_related("targets", _reports(year, (1, 2, 3, 4, YEARLY))))
    periods = windows_of_year(year)
    for task in tasks:
        by_quarter = {r.quarter: r for r in task.period_reports}
        task.target = target_for(list(task.targets.all()), year)
        task.cells = [{"window": w, "state": w.state(today), "report": by_quarter.get(w.quarter)} for w in periods]
    return tasks


STATUS_LABELS = {
    "reported": "Đã báo cáo",
    "waiting": "Chưa báo cáo (còn hạn)",
    "late": "Quá hạn, chưa báo cáo",
    "not_open": "Chưa đến kỳ báo cáo",
}


@dataclass
class OverviewRow:
    number: int
    task: Task
    target: Target | None
    report: ProgressReport | None
    status: str

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


def period_overview(year: int, quarter: int, now: datetime | None = None, *, plan_id: int | None = None) -> dict:
    """The coordinating agency's view of one period: every task of the plans running that year, reported or
    not, its target and the value reached, late when the owners' deadline passed without a report.
    Four queries whatever the number of tasks."""
    w = window(year, quarter)
    state = w.state(local_today(now))
    plans = plans_of_year(year)
    if plan_id is not None:
        plans = plans.filter(pk=plan_id)
    tasks = _tasks().filter(plan__in=plans).order_by("plan__first_year", "plan_id", "position", "pk") \
        .prefetch_related("targets", _reports(year, (quarter,)))
    rows = []
    for number, task in enumerate(tasks, start=1):
        report = task.period_reports[0] if task.period_reports else None
        status = "reported" if report else {"not_open": "not_open", "open": "waiting", "closed": "late"}[state]
        rows.append(OverviewRow(number, task, target_for(list(task.targets.all()), year), report, status))
    counts = {key: sum(1 for r in rows if r.status == key) for key in STATUS_LABELS}
    return {"window": w, "state": state, "rows": rows, "counts": counts, "total": len(rows)}
