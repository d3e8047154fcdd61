"""Appraisal transitions: rounds 1 and 2, explanations, sign-off, finalising, re-opening.

Each function: atomic → check the allowed source state and window → save → audit entry → e-mail on
commit; every status change is a move of `dti_portal.audit.transitions`. Scores go through the same engine as the unit's (`indicators.scoring.score`).
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from dti_portal.audit import transitions
from dti_portal.audit.services import entry, record, record_all
from indicators.models import Indicator
from indicators.scoring import Rule, ScoringError, format_number, score

from .models import Answer, Assessment, Period, Review, SignOff, end_of_day
from .notifications import notify, notify_all
from .selectors import assigned_indicator_ids, assignments_for
from .totals import refresh_totals, standing

S = Assessment.Status
D = Review.Decision
ROUND_STATUS = {1: S.ROUND1, 2: S.ROUND2}
ROUND_END = {1: "round1_end", 2: "round2_end"}
ROUND_NAME = {1: "thẩm định lần 1", 2: "thẩm định lần 2"}


def _now(now):
    return now or timezone.now()


def _check_window(period: Period, field: str, label: str, now) -> None:
    day = getattr(period, field)
    if day and _now(now) > end_of_day(day):
        raise ValidationError(f"Đã hết thời gian {label} ({day:%d/%m/%Y}).")


def _leaves(assessment: Assessment, indicators: list[Indicator] | None = None) -> list[Indicator]:
    """The indicators an appraiser decides on (leaves, not collected), read or taken from the
    framework's `indicators` when given."""
    if indicators is None:
        return list(
            Indicator.objects.filter(framework=assessment.framework_id, children__isnull=True)
            .exclude(rule=Rule.COLLECTED).order_by("position")
        )
    parents = {i.parent_id for i in indicators}
    return sorted((i for i in indicators if i.pk not in parents and i.rule != Rule.COLLECTED), key=lambda i: i.position)


def _locked(assessment: Assessment) -> Assessment:
    return Assessment.objects.select_for_update().select_related("period", "unit").get(pk=assessment.pk)


def standing_score(answer: Answer, upto_round: int, reviews: dict[int, Review]) -> Decimal | None:
    """The score after `upto_round`: the last adjustment, the self-score after a withdrawal."""
    return standing(answer.self_score, reviews, upto_round)


# --- round 1 --------------------------------------------------------------------------------
@transaction.atomic
def round1_start(*, period: Period, actor) -> int:
    """The lead starts round 1: every submitted assessment goes under appraisal."""
    assessments = list(Assessment.objects.select_for_update().filter(period=period, status=S.SUBMITTED).select_related("period", "unit"))
    if not assessments:
        raise ValidationError("Không có bản tự đánh giá nào đã gửi để thẩm định.")
    transitions.move_all("assessment.round1.started", assessments, actor=actor)
    notify_all(assessments, "round1")
    return len(assessments)


@transaction.atomic
def review_save(*, assessment: Assessment, indicator: Indicator, round: int, decision: str, reviewer,
                inputs: dict | None = None, points=None, reason: str = "", expected_version: int = 0, now=None) -> Review:
    """Save an appraiser's decision on one indicator, refusing a stale form (optimistic lock)."""
    assessment = _locked(assessment)
    if assessment.status != ROUND_STATUS[round]:
        raise ValidationError(f"Bản đánh giá không ở vòng {ROUND_NAME[round]} (đang: {assessment.get_status_display().lower()}).")
    _check_window(assessment.period, ROUND_END[round], ROUND_NAME[round], now)
    if indicator.pk not in assigned_indicator_ids(assessment, reviewer):
        raise ValidationError("Bạn không được phân công thẩm định chỉ tiêu này.")
    allowed = {1: (D.CONFIRM, D.ADJUST, D.REQUEST), 2: (D.CONFIRM, D.ADJUST, D.WITHDRAW)}[round]
    if decision not in allowed:
        raise ValidationError("Quyết định không hợp lệ ở vòng này.")
    reason = (reason or "").strip()
    if decision != D.CONFIRM and not reason:
        raise ValidationError({"reason": "Cần ghi lý do (điều chỉnh, yêu cầu bổ sung hay rút điều chỉnh đều phải có lý do)."})
    answer, _ = Answer.objects.select_for_update().get_or_create(assessment=assessment, indicator=indicator)
    reviews = {r.round: r for r in Review.objects.select_for_update().filter(answer=answer)}
    existing = reviews.get(round)
    current_version = existing.version if existing else 0
    if current_version != expected_version:
        who = existing.reviewer if existing else None
        when = timezone.localtime(existing.reviewed_at).strftime("%H:%M:%S") if existing else ""
        raise ValidationError(
            f"Xung đột: {who or 'một thẩm định viên khác'} đã lưu chỉ tiêu {indicator.code} lúc {when} "
            "trong khi bạn đang xem. Không có gì bị ghi đè — hãy tải lại trang, xem quyết định mới rồi lưu lại."
        )
    previous = standing_score(answer, round - 1, reviews)
    new_score, new_inputs = _decided_score(decision, indicator, answer, previous, inputs, points)
    old = _review_dict(existing)
    review = existing or Review(answer=answer, round=round, version=0)
    review.decision, review.score, review.inputs, review.reason = decision, new_score, new_inputs, reason
    review.reviewer, review.version = reviewer, review.version + 1
    review.save()
    refresh_totals([assessment.pk])  # the standing total follows every decision
    record(f"assessment.round{round}.{decision}", actor=reviewer, target=assessment, indicator=indicator, old=old,
        new=_review_dict(review), reason=reason)
    return review


def _decided_score(decision, indicator, answer, previous, inputs, points):
    if decision in (D.CONFIRM, D.REQUEST):
        return (previous if previous is not None else Decimal(0)), {}
    if decision == D.WITHDRAW:
        return (answer.self_score if answer.self_score is not None else Decimal(0)), {}
    try:
        if indicator.rule == Rule.MANUAL or inputs is None:
            value = score(Rule.MANUAL, {}, indicator.max_points, {"points": points})
            return value, {"points": str(points)}
        return score(indicator.rule, indicator.params, indicator.max_points, inputs), dict(inputs)
    except ScoringError as error:
        raise ValidationError({"points": error.message}) from error


def _review_dict(review: Review | None) -> dict:
    if review is None:
        return {}
    return {"decision": review.decision, "score": f"{review.score.normalize():f}", "reason": review.reason,
            "inputs": review.inputs, "version": review.version}


@transaction.atomic
def confirm_all(*, assessment: Assessment, round: int, reviewer, now=None) -> int:
    """Confirm every indicator assigned to `reviewer` that has no decision yet in this round.

    The same checks and the same rows as a `review_save(decision="confirm")` per indicator (a
    review at version 1 keeping the standing score, an event each), in a fixed number of queries
    whatever the number of indicators: one to find the undecided, then bulk inserts."""
    assessment = _locked(assessment)
    # The tree once, without the texts and params nobody reads here.
    tree = list(Indicator.objects.filter(framework=assessment.framework_id).only("pk", "parent_id", "code", "rule", "position"))
    mine = assigned_indicator_ids(assessment, reviewer, indicators=tree)
    decided = set(Review.objects.filter(answer__assessment=assessment, round=round).values_list("answer__indicator_id", flat=True))
    todo = [i for i in _leaves(assessment, tree) if i.pk in mine and i.pk not in decided]
    if not todo:
        return 0
    if assessment.status != ROUND_STATUS[round]:
        raise ValidationError(f"Bản đánh giá không ở vòng {ROUND_NAME[round]} (đang: {assessment.get_status_display().lower()}).")
    _check_window(assessment.period, ROUND_END[round], ROUND_NAME[round], now)
    answers = {a.indicator_id: a for a in Answer.objects.select_for_update().filter(
        assessment=assessment, indicator__in=[i.pk for i in todo]).only("pk", "assessment_id", "indicator_id", "self_score")}
    missing = [Answer(assessment=assessment, indicator=i) for i in todo if i.pk not in answers]
    Answer.objects.bulk_create(missing, batch_size=1000)
    answers.update({a.indicator_id: a for a in missing})
    earlier: dict[int, dict[int, Review]] = {}
    if round > 1:
        for review in Review.objects.filter(answer__assessment=assessment, round__lt=round).only(
                "answer_id", "round", "decision", "score"):
            earlier.setdefault(review.answer_id, {})[review.round] = review
    reviews = []
    for indicator in todo:
        answer = answers[indicator.pk]
        previous = standing_score(answer, round - 1, earlier.get(answer.pk, {}))
        reviews.append(Review(answer=answer, round=round, decision=D.CONFIRM, inputs={}, reason="", reviewer=reviewer,
                              version=1, score=previous if previous is not None else Decimal(0)))
    Review.objects.bulk_create(reviews, batch_size=1000)
    # A confirmation keeps the standing score, but the unit's count of decisions (the board's
    # "still undecided") changes: five queries, whatever the number of indicators.
    refresh_totals([assessment.pk])
    record_all(entry(f"assessment.round{round}.{D.CONFIRM}", actor=reviewer, target=assessment, indicator=indicator,
                     new=_review_dict(review))
               for indicator, review in zip(todo, reviews, strict=True))
    return len(reviews)


def undecided(assessment: Assessment, round: int) -> list[Indicator]:
    decided = set(Review.objects.filter(answer__assessment=assessment, round=round).values_list("answer__indicator_id", flat=True))
    return [i for i in _leaves(assessment) if i.pk not in decided]


@transaction.atomic
def round1_close(*, period: Period, actor) -> dict[str, int]:
    """The lead closes round 1: units with adjustments or requests are returned for explanation;
    the others go straight to round 2. Refused while any indicator has no decision."""
    assessments = list(Assessment.objects.select_for_update().filter(period=period, status=S.ROUND1).select_related("period", "unit"))
    if not assessments:
        raise ValidationError("Không có đơn vị nào đang ở vòng thẩm định lần 1.")
    # What `undecided(a, 1)` lists and how many decisions query the unit, for every unit in two reads.
    leaves: dict[int, set[int]] = {}
    for framework_id, pk in (Indicator.objects.filter(framework__in={a.framework_id for a in assessments}, children__isnull=True)
                             .exclude(rule=Rule.COLLECTED).values_list("framework_id", "pk")):
        leaves.setdefault(framework_id, set()).add(pk)
    decided: dict[int, set[int]] = {a.pk: set() for a in assessments}
    queried = dict.fromkeys(decided, 0)
    for assessment_id, indicator_id, decision in Review.objects.filter(answer__assessment__in=list(decided), round=1).values_list(
            "answer__assessment_id", "answer__indicator_id", "decision"):
        decided[assessment_id].add(indicator_id)
        queried[assessment_id] += decision in (D.ADJUST, D.REQUEST)
    waiting = [(a, len(leaves.get(a.framework_id, set()) - decided[a.pk])) for a in assessments]
    pending = [f"{a.unit.name} ({count} chỉ tiêu)" for a, count in waiting if count]
    if pending:
        raise ValidationError("Chưa đóng được vòng 1: còn chỉ tiêu chưa thẩm định ở " + "; ".join(pending) + ".")
    returned = [a for a in assessments if queried[a.pk]]
    passed = [a for a in assessments if not queried[a.pk]]
    transitions.move_all("assessment.returned", returned, actor=actor)
    transitions.move_all("assessment.round1.closed", passed, actor=actor)
    notify_all(returned, "returned", {a.pk: f"Có {queried[a.pk]} chỉ tiêu được điều chỉnh hoặc yêu cầu bổ sung." for a in returned})
    notify_all(passed, "round2")
    return {"returned": len(returned), "round2": len(passed)}


# --- explanation --------------------------------------------------------------------------
def _guard_explaining(assessment: Assessment, now) -> None:
    if assessment.status != S.RETURNED:
        raise ValidationError("Chỉ giải trình được khi bản đánh giá đang chờ giải trình.")
    _check_window(assessment.period, "explanation_end", "giải trình", now)


@transaction.atomic
def explanation_save(*, assessment: Assessment, indicator: Indicator, text: str, actor, now=None) -> Answer:
    assessment = _locked(assessment)
    _guard_explaining(assessment, now)
    answer = Answer.objects.select_for_update().filter(assessment=assessment, indicator=indicator).first()
    queried = answer and Review.objects.filter(answer=answer, round=1, decision__in=[D.ADJUST, D.REQUEST]).exists()
    if not queried:
        raise ValidationError("Chỉ giải trình các chỉ tiêu được điều chỉnh hoặc yêu cầu bổ sung ở vòng 1.")
    old = answer.explanation
    answer.explanation = text.strip()
    answer.save(update_fields=["explanation", "updated_at"])
    if old != answer.explanation:
        record("assessment.explanation.saved", actor=actor, target=assessment, indicator=indicator, old={"explanation": old},
            new={"explanation": answer.explanation})
    return answer


@transaction.atomic
def explanation_submit(*, assessment: Assessment, actor, now=None) -> Assessment:
    assessment = _locked(assessment)
    _guard_explaining(assessment, now)
    transitions.move("assessment.explained", assessment, actor=actor)
    notify(assessment, "explained")
    return assessment


# --- round 2, sign-off, final ---------------------------------------------------------------
@transaction.atomic
def round2_start(*, period: Period, actor, now=None) -> int:
    """The lead opens round 2 for units that explained, and for those whose explanation window closed."""
    window_over = period.explanation_end and _now(now) > end_of_day(period.explanation_end)
    statuses = [S.EXPLAINED, S.RETURNED] if window_over else [S.EXPLAINED]
    assessments = list(Assessment.objects.select_for_update().filter(period=period, status__in=statuses).select_related("period", "unit"))
    if not assessments:
        raise ValidationError("Không có đơn vị nào đã giải trình (hoặc hết hạn giải trình) để thẩm định lần 2.")
    transitions.move_all("assessment.round2.started", assessments, actor=actor)
    notify_all(assessments, "round2")
    return len(assessments)


@transaction.atomic
def sign_off(*, assessment: Assessment, appraiser, now=None) -> SignOff:
    assessment = _locked(assessment)
    if assessment.status != S.ROUND2:
        raise ValidationError("Chỉ ký xác nhận ở vòng thẩm định lần 2.")
    _check_window(assessment.period, "round2_end", "thẩm định lần 2", now)
    if appraiser.pk not in {a.appraiser_id for a in assignments_for(assessment)}:
        raise ValidationError("Bạn không được phân công thẩm định đơn vị này.")
    if SignOff.objects.filter(assessment=assessment, appraiser=appraiser).exists():
        raise ValidationError("Bạn đã ký xác nhận đơn vị này rồi.")
    mine = assigned_indicator_ids(assessment, appraiser)
    missing = [i.code for i in undecided(assessment, 2) if i.pk in mine]
    if missing:
        raise ValidationError(f"Chưa ký được: còn chỉ tiêu chưa thẩm định lần 2: {', '.join(missing)}.")
    signature = SignOff.objects.create(assessment=assessment, appraiser=appraiser)
    record("assessment.signed", actor=appraiser, target=assessment, new={"appraiser": appraiser.username})
    notify(assessment, "signed", f"Người ký: {appraiser}.")
    return signature


@transaction.atomic
def finalise(*, assessment: Assessment, actor) -> Assessment:
    """The lead locks the result once every assigned appraiser has signed."""
    assessment = _locked(assessment)
    if assessment.status != S.ROUND2:
        raise ValidationError("Chỉ chốt được bản đánh giá đang ở vòng thẩm định lần 2.")
    required = {a.appraiser_id: a.appraiser for a in assignments_for(assessment)}
    signed = set(SignOff.objects.filter(assessment=assessment).values_list("appraiser_id", flat=True))
    missing = [str(user) for pk, user in required.items() if pk not in signed]
    if not required:
        raise ValidationError("Đơn vị chưa có thẩm định viên nào được phân công.")
    if missing:
        raise ValidationError(f"Chưa chốt được: còn thiếu chữ ký của {', '.join(missing)}.")
    # Only an adjustment makes the final score differ from the self-score (a withdrawal returns to
    # it) and gives a reason: those few answers are computed one by one, all the others take their
    # self-score in one UPDATE — a bulk_update of every answer costs ~0.5 s for 150 indicators.
    now = timezone.now()
    adjusted = set(Review.objects.filter(answer__assessment=assessment, decision=D.ADJUST).values_list("answer_id", flat=True))
    reviews = {}
    for review in Review.objects.filter(answer_id__in=adjusted):
        reviews.setdefault(review.answer_id, {})[review.round] = review
    answers = list(Answer.objects.filter(pk__in=adjusted))
    for answer in answers:
        mine = reviews.get(answer.pk, {})
        answer.final_score = standing_score(answer, 2, mine)
        answer.reason = _final_reason(mine)
        answer.updated_at = now
    Answer.objects.bulk_update(answers, ["final_score", "reason", "updated_at"], batch_size=500)
    Answer.objects.filter(assessment=assessment).exclude(pk__in=adjusted).update(
        final_score=F("self_score"), reason="", updated_at=now)
    transitions.move("assessment.finalised", assessment, actor=actor)
    refresh_totals([assessment.pk])  # final total and parts, read by the rankings
    notify(assessment, "final")
    return assessment


def _final_reason(reviews: dict[int, Review]) -> str:
    """Why points were lost (lý do mất điểm): the reason of the adjustment that stands."""
    second, first = reviews.get(2), reviews.get(1)
    if second and second.decision == D.ADJUST:
        return second.reason
    if second and second.decision == D.WITHDRAW:
        return ""
    if first and first.decision == D.ADJUST:
        return first.reason
    return ""


@transaction.atomic
def reopen(*, assessment: Assessment, actor, reason: str) -> Assessment:
    """Only a province admin, with a recorded reason: back to round 2, signatures cleared."""
    assessment = _locked(assessment)
    if assessment.status != S.FINAL:
        raise ValidationError("Chỉ mở lại được kết quả đã chốt (chưa công bố).")
    if not (reason or "").strip():
        raise ValidationError({"reason": "Cần ghi lý do mở lại."})
    signatures = [f"{s.appraiser} ({timezone.localtime(s.signed_at):%d/%m/%Y %H:%M})" for s in assessment.signoffs.all()]
    assessment.signoffs.all().delete()
    transitions.move("assessment.reopened", assessment, actor=actor, old={"signoffs": signatures}, reason=reason.strip())
    refresh_totals([assessment.pk])  # no final total while re-opened
    notify(assessment, "reopened", f"Lý do: {reason.strip()}")
    return assessment


def describe(review: Review | None) -> str:
    if review is None:
        return ""
    text = f"{review.get_decision_display()}: {format_number(review.score)} điểm"
    return text + (f" — {review.reason}" if review.reason else "")
