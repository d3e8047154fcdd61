"""What each irreversible act of the appraisal will do, read before it is done.

The confirmation pages print a `Plan` (which units move from which state to which, what becomes
read-only, who is told, or why the act would be refused now); the board offers only the acts that
fit the period's stage (`stage_acts`). Reads only: the acts themselves are the services of
`assessments.appraisal`, which check everything again when they run.
"""

from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone

from indicators.display import points
from indicators.models import Indicator
from indicators.scoring import Rule

from .models import Assessment, Period, Review, SignOff, end_of_day
from .selectors import UnitProgress, assignments_for, period_assessments

S = Assessment.Status
STATUS = dict(S.choices)

# The period's acts by their URL slug: (title, what the confirming button says).
PERIOD_ACTS = {
    "bat-dau-vong-1": ("Bắt đầu thẩm định lần 1", "Xác nhận bắt đầu thẩm định lần 1"),
    "dong-vong-1": ("Đóng vòng 1, trả kết quả cho đơn vị", "Xác nhận đóng vòng 1"),
    "bat-dau-vong-2": ("Bắt đầu thẩm định lần 2", "Xác nhận bắt đầu thẩm định lần 2"),
}
EVERYONE = "Thư báo gửi tới cán bộ đầu mối của đơn vị, các thẩm định viên được phân công và tổ trưởng."


@dataclass
class Plan:
    """A confirmation page's content."""

    title: str
    button: str
    moves: list[dict] = field(default_factory=list)  # {"unit", "before", "after", "note"}
    effects: list[str] = field(default_factory=list)  # what becomes read-only, what is kept or cleared
    notified: list[str] = field(default_factory=list)
    refusal: str = ""  # why the act would be refused now; "" when it may be done

    @property
    def summary(self) -> str:
        if not self.moves:
            return "Không có đơn vị nào chuyển trạng thái."
        return f"{len(self.moves)} đơn vị chuyển trạng thái."


def _move(unit, before, after, note="") -> dict:
    return {"unit": str(unit), "before": STATUS.get(before, before), "after": STATUS.get(after, after), "note": note}


def _day(value) -> str:
    return f"{value:%d/%m/%Y}" if value else ""


def _explanation_over(period: Period, now) -> bool:
    return bool(period.explanation_end) and now > end_of_day(period.explanation_end)


def _leaves(period: Period) -> dict[int, int]:
    """Framework pk → its appraisable leaves (neither groups nor collected-only). One query."""
    return dict(
        Indicator.objects.filter(framework__in=period.period_frameworks.values("framework_id"), children__isnull=True)
        .exclude(rule=Rule.COLLECTED).values("framework_id").annotate(n=Count("pk")).values_list("framework_id", "n")
    )


# --- the period's acts ----------------------------------------------------------------------
def period_plan(period: Period, act: str, now=None, assessments: list[UnitProgress] | None = None) -> Plan:
    """What the period act `act` (a key of PERIOD_ACTS) would do now. A few queries, whatever the
    number of units."""
    now = now or timezone.now()
    units = assessments if assessments is not None else period_assessments(period)
    title, button = PERIOD_ACTS[act]
    plan = Plan(title=title, button=button)
    if act == "bat-dau-vong-1":
        ready = [a for a in units if a.status == S.SUBMITTED]
        plan.moves = [_move(a.unit, a.status, S.ROUND1) for a in ready]
        drafting = sum(a.status == S.DRAFT for a in units)
        plan.effects = [
            "Bản tự đánh giá của các đơn vị này bị khoá: đơn vị không sửa, không rút lại được nữa.",
            "Thẩm định viên ghi quyết định cho từng chỉ tiêu"
            + (f", hạn thẩm định lần 1 là {_day(period.round1_end)}." if period.round1_end else "."),
        ]
        if drafting:
            plan.effects.append(f"{drafting} đơn vị chưa gửi bản tự đánh giá không vào thẩm định lần này.")
        plan.notified = [EVERYONE]
        if not ready:
            plan.refusal = "Không có bản tự đánh giá nào đã gửi để thẩm định."
    elif act == "dong-vong-1":
        current = [a for a in units if a.status == S.ROUND1]
        leaves = _leaves(period)
        queried = dict(
            Review.objects.filter(assessment__in=[a.pk for a in current], round=1, decision__in=[Review.Decision.ADJUST, Review.Decision.REQUEST])
            .values("assessment_id").annotate(n=Count("pk")).values_list("assessment_id", "n")
        ) if current else {}
        pending = [f"{a.unit} ({leaves.get(a.framework_id, 0) - a.decided[1]} chỉ tiêu)" for a in current
                   if leaves.get(a.framework_id, 0) - a.decided[1] > 0]
        for a in current:
            count = queried.get(a.pk, 0)
            if count:
                plan.moves.append(_move(a.unit, a.status, S.RETURNED, f"{count} chỉ tiêu được điều chỉnh hoặc yêu cầu bổ sung"))
            else:
                plan.moves.append(_move(a.unit, a.status, S.ROUND2, "không có chỉ tiêu nào bị điều chỉnh"))
        returned = sum(m["after"] == STATUS[S.RETURNED] for m in plan.moves)
        plan.effects = [
            "Quyết định thẩm định lần 1 bị khoá: thẩm định viên không sửa được nữa.",
            f"{returned} đơn vị được trả kết quả để giải trình"
            + (f" đến hết ngày {_day(period.explanation_end)}" if period.explanation_end else "")
            + "; các đơn vị còn lại sang thẩm định lần 2 ngay.",
        ]
        plan.notified = [
            "Đơn vị được trả kết quả: thư báo gửi tới cán bộ đầu mối của đơn vị (mời giải trình).",
            "Đơn vị sang thẩm định lần 2: " + EVERYONE[0].lower() + EVERYONE[1:],
        ]
        if not current:
            plan.refusal = "Không có đơn vị nào đang ở vòng thẩm định lần 1."
        elif pending:
            plan.refusal = "Chưa đóng được vòng 1: còn chỉ tiêu chưa thẩm định ở " + "; ".join(pending) + "."
    elif act == "bat-dau-vong-2":
        over = _explanation_over(period, now)
        ready = [a for a in units if a.status == S.EXPLAINED or (over and a.status == S.RETURNED)]
        plan.moves = [_move(a.unit, a.status, S.ROUND2, "" if a.status == S.EXPLAINED else "hết hạn giải trình, không gửi giải trình")
                      for a in ready]
        waiting = sum(a.status == S.RETURNED for a in units) if not over else 0
        plan.effects = ["Giải trình của các đơn vị này bị khoá: đơn vị không sửa giải trình, không thêm tài liệu được nữa.",
                        "Thẩm định viên quyết định lần 2 rồi ký xác nhận"
                        + (f", hạn thẩm định lần 2 là {_day(period.round2_end)}." if period.round2_end else ".")]
        if waiting:
            plan.effects.append(f"{waiting} đơn vị còn trong hạn giải trình ({_day(period.explanation_end)}) chưa vào vòng 2.")
        plan.notified = [EVERYONE]
        if not ready:
            plan.refusal = "Không có đơn vị nào đã giải trình (hoặc hết hạn giải trình) để thẩm định lần 2."
    return plan


def stage_acts(period: Period, units: list[UnitProgress], now=None) -> tuple[list[tuple[str, int]], list[str]]:
    """The period acts that fit the units' states now ((key of PERIOD_ACTS, units it moves), in
    workflow order), and lines saying what the period waits for. No query."""
    now = now or timezone.now()
    count = {status: 0 for status in S.values}
    for a in units:
        count[a.status] += 1
    over = _explanation_over(period, now)
    acts = []
    if count[S.SUBMITTED]:
        acts.append(("bat-dau-vong-1", count[S.SUBMITTED]))
    if count[S.ROUND1]:
        acts.append(("dong-vong-1", count[S.ROUND1]))
    if count[S.EXPLAINED] or (over and count[S.RETURNED]):
        acts.append(("bat-dau-vong-2", count[S.EXPLAINED] + (count[S.RETURNED] if over else 0)))
    waiting = []
    if count[S.DRAFT]:
        waiting.append(f"{count[S.DRAFT]} đơn vị đang nhập liệu, chưa gửi bản tự đánh giá.")
    if count[S.RETURNED] and not over:
        until = f" (hạn {_day(period.explanation_end)})" if period.explanation_end else ""
        waiting.append(f"{count[S.RETURNED]} đơn vị đang giải trình{until}.")
    if count[S.ROUND2]:
        waiting.append(f"{count[S.ROUND2]} đơn vị đang thẩm định lần 2: chốt kết quả từng đơn vị khi mọi thẩm định viên đã ký.")
    done = count[S.FINAL] + count[S.PUBLISHED] + count[S.NOT_REPORTED]
    if units and done == len(units):
        waiting.append("Mọi đơn vị đã chốt kết quả: bước tiếp theo là công bố kết quả.")
    return acts, waiting


# --- one unit's acts ------------------------------------------------------------------------
def _signatures(assessment: Assessment) -> list[SignOff]:
    return list(SignOff.objects.filter(assessment=assessment).select_related("appraiser").order_by("signed_at", "pk"))


def _named(user) -> str:
    return (user.full_name or user.username) if user else ""


def finalise_plan(assessment: Assessment) -> Plan:
    """What finalising this unit's result would do, or why it would be refused now."""
    plan = Plan(title=f"Chốt kết quả – {assessment.unit.name}", button="Xác nhận chốt kết quả")
    team = {a.appraiser_id: a.appraiser for a in assignments_for(assessment)}
    signed = _signatures(assessment)
    missing = [_named(user) for pk, user in team.items() if pk not in {s.appraiser_id for s in signed}]
    total = points(assessment.standing_total) if assessment.standing_total is not None else "—"
    plan.moves = [_move(assessment.unit, assessment.status, S.FINAL, f"tổng điểm chính thức: {total}")]
    plan.effects = [
        "Điểm chính thức của từng chỉ tiêu được ghi lại kèm lý do mất điểm; tổng điểm vào bảng xếp hạng.",
        "Kết quả bị khoá: thẩm định viên không sửa được nữa; chỉ quản trị tỉnh mở lại được, với lý do ghi vào nhật ký.",
    ]
    if signed:
        plan.effects.append("Đã ký: " + "; ".join(f"{_named(s.appraiser)} ({timezone.localtime(s.signed_at):%H:%M %d/%m/%Y})" for s in signed) + ".")
    plan.notified = [EVERYONE]
    if assessment.status != S.ROUND2:
        plan.refusal = (f"Chỉ chốt được bản đánh giá đang ở vòng thẩm định lần 2 "
                        f"(đơn vị này đang: {STATUS[assessment.status].lower()}).")
    elif not team:
        plan.refusal = "Đơn vị chưa có thẩm định viên nào được phân công."
    elif missing:
        plan.refusal = f"Chưa chốt được: còn thiếu chữ ký của {', '.join(missing)}."
    return plan


def reopen_plan(assessment: Assessment) -> Plan:
    """What re-opening this unit's final result would do, or why it would be refused now."""
    plan = Plan(title=f"Mở lại kết quả – {assessment.unit.name}", button="Xác nhận mở lại kết quả")
    signed = _signatures(assessment)
    plan.moves = [_move(assessment.unit, assessment.status, S.ROUND2, "về thẩm định lần 2")]
    plan.effects = [
        "Tổng điểm chính thức bị xoá cho đến khi kết quả được chốt lại; thẩm định viên sửa quyết định lần 2 và ký lại.",
        ("Các chữ ký bị huỷ (được lưu trong nhật ký): " + "; ".join(_named(s.appraiser) for s in signed) + ".") if signed
        else "Chưa có chữ ký nào.",
        "Lý do mở lại được ghi vào nhật ký của đơn vị.",
    ]
    plan.notified = [EVERYONE]
    if assessment.status == S.PUBLISHED:
        plan.refusal = "Kết quả đã được công bố nên không mở lại được."
    elif assessment.status != S.FINAL:
        plan.refusal = (f"Chỉ mở lại được kết quả đã chốt (chưa công bố); "
                        f"đơn vị này đang: {STATUS[assessment.status].lower()}.")
    return plan
