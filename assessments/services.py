"""Writes to periods and assessments. Each transition: atomic, checks the source state,
saves, logs an Event. Nothing else assigns `status`."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from dti_portal.tenancy.models import Unit
from indicators.models import Framework, Indicator
from indicators.scoring import ScoringError, score

from .answer_forms import answer_version
from .carry_over import unconfirmed_answers, unconfirmed_codes  # noqa: F401 - the submit page lists them
from .evidence import check_upload
from .models import Answer, Assessment, Event, Evidence, Period, PeriodFramework, Review, end_of_day
from .notifications import notify, notify_all
from .selectors import missing_items
from .totals import refresh_totals


def log(assessment: Assessment, action: str, actor, *, indicator: Indicator | None = None, old=None, new=None, reason=""):
    Event.objects.create(
        assessment=assessment, indicator=indicator, action=action, actor=actor, old=old or {}, new=new or {}, reason=reason
    )


# --- periods ------------------------------------------------------------------------------
@transaction.atomic
def period_save(*, period: Period, frameworks: dict) -> Period:
    """Create or edit a period (dates, and the framework each unit kind answers) before it opens."""
    if period.pk and Period.objects.get(pk=period.pk).status != Period.Status.DRAFT:
        raise ValidationError("Kỳ đánh giá đã mở: không thể đổi bộ chỉ số hay lịch.")
    _check_schedule(period)
    for kind, framework in frameworks.items():
        if framework is not None and (framework.unit_kind_id != kind.pk or framework.province_id != period.province_id):
            raise ValidationError(f"Bộ chỉ số “{framework}” không dành cho {kind.name}.")
    period.save()
    for kind, framework in frameworks.items():
        PeriodFramework.objects.filter(period=period, unit_kind=kind).delete()
        if framework is not None:
            PeriodFramework.objects.create(period=period, unit_kind=kind, framework=framework)
    return period


def _check_schedule(period: Period) -> None:
    order = [
        ("self_assessment_start", "ngày bắt đầu tự đánh giá"), ("self_assessment_end", "hạn tự đánh giá"),
        ("round1_end", "hạn thẩm định lần 1"), ("explanation_end", "hạn giải trình"),
        ("round2_end", "hạn thẩm định lần 2"), ("publication_date", "ngày công bố"),
    ]
    previous = None
    for field, label in order:
        value = getattr(period, field)
        if value is None:
            continue
        if previous and value < previous[0]:
            raise ValidationError({field: f"{label[0].upper()}{label[1:]} phải sau {previous[1]}."})
        previous = (value, label)
    if not period.self_assessment_start or not period.self_assessment_end:
        raise ValidationError({"self_assessment_end": "Cần ngày bắt đầu và hạn tự đánh giá."})


@transaction.atomic
def period_open(*, period: Period, actor) -> int:
    """Open the period: one assessment for every unit of its kinds that exists in its year
    (inserted in bulk, one event each: a province opens for 150 units at once)."""
    if Period.objects.select_for_update().values_list("status", flat=True).get(pk=period.pk) != Period.Status.DRAFT:
        raise ValidationError("Kỳ đánh giá đã được mở.")
    links = list(period.period_frameworks.select_related("framework", "unit_kind"))
    if not links:
        raise ValidationError("Chưa chọn bộ chỉ số cho loại đơn vị nào.")
    for link in links:
        if link.framework.status != Framework.Status.ACTIVE:
            raise ValidationError(f"Bộ chỉ số “{link.framework}” chưa được áp dụng (đang là {link.framework.get_status_display().lower()}).")
    first, last = date(period.year, 1, 1), date(period.year, 12, 31)
    existing = set(Assessment.objects.filter(period=period).values_list("unit_id", flat=True))
    new = []
    for link in links:
        units = Unit.objects.filter(province=period.province_id, kind=link.unit_kind).filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=last), Q(valid_to__isnull=True) | Q(valid_to__gte=first)
        )
        new += [Assessment(period=period, unit=unit, framework=link.framework) for unit in units if unit.pk not in existing]
    Assessment.objects.bulk_create(new, batch_size=500)
    Event.objects.bulk_create([
        Event(assessment=a, action="assessment.created", actor=actor, new={"framework": a.framework_id}) for a in new
    ], batch_size=1000)
    period.status = Period.Status.OPEN
    period.save(update_fields=["status"])
    return len(new)


@transaction.atomic
def extension_grant(*, assessment: Assessment, until: date | None, actor, reason: str = "") -> Assessment:
    if assessment.status != Assessment.Status.DRAFT:
        raise ValidationError(f"Chỉ gia hạn tự đánh giá cho đơn vị chưa gửi bản tự đánh giá; {assessment.unit} "
                              f"đang ở bước “{assessment.get_status_display()}”.")
    if assessment.period.self_assessment_end and until and until < assessment.period.self_assessment_end:
        raise ValidationError("Ngày gia hạn phải sau hạn chung của kỳ đánh giá.")
    old = assessment.extended_until
    assessment.extended_until = until
    assessment.save(update_fields=["extended_until"])
    log(assessment, "assessment.extension", actor, old={"until": str(old) if old else None},
        new={"until": str(until) if until else None}, reason=reason)
    return assessment


# --- self-assessment ----------------------------------------------------------------------
def _guard_entry(assessment: Assessment, now: datetime | None = None) -> None:
    reason = assessment.entry_closed_reason(now or timezone.now())
    if reason:
        raise ValidationError(reason)


class StaleAnswer(ValidationError):
    """The answer changed since the form was drawn (another tab, another person): nothing saved."""

    def __init__(self, indicators: list[Indicator]):
        codes = ", ".join(i.code for i in indicators)
        super().__init__(f"Chỉ tiêu {codes} vừa được lưu ở nơi khác (tab khác hoặc người khác) sau khi bạn mở trang. "
                         "Không có gì bị ghi đè: đây là số liệu đang lưu; hãy xem lại rồi nhập và lưu lại nếu cần.")
        self.indicators = indicators


def _check_version(indicator: Indicator, answer: Answer | None, expected: str | None) -> None:
    if expected is not None and expected != answer_version(answer.inputs if answer else {}, answer.note if answer else ""):
        raise StaleAnswer([indicator])


@transaction.atomic
def answer_save(*, assessment: Assessment, indicator: Indicator, inputs: dict, note: str, actor, now=None,
                expected_version: str | None = None) -> Answer:
    """Keep what was typed; score it with the engine; remember why it was refused if it was.
    With `expected_version` (`answer_forms.answer_version` of the answer the form showed), a
    changed answer is not overwritten: `StaleAnswer`."""
    assessment = Assessment.objects.select_for_update().select_related("period").get(pk=assessment.pk)
    _guard_entry(assessment, now)
    if indicator.framework_id != assessment.framework_id or indicator.children.exists():
        raise ValidationError("Chỉ tiêu này không nhập số liệu trực tiếp.")
    answer, _ = Answer.objects.get_or_create(assessment=assessment, indicator=indicator)
    _check_version(indicator, answer, expected_version)
    old = {"inputs": answer.inputs, "note": answer.note, "self_score": _text(answer.self_score)}
    answer.inputs, answer.note = inputs, note.strip()
    try:
        answer.self_score, answer.error = score(indicator.rule, indicator.params, indicator.max_points, inputs), ""
    except ScoringError as error:
        answer.self_score, answer.error = None, error.message
    answer.updated_by = actor
    was_carried, answer.carried_over = answer.carried_over, False  # saving a copied answer confirms it
    answer.save()
    new = {"inputs": answer.inputs, "note": answer.note, "self_score": _text(answer.self_score)}
    if new["self_score"] != old["self_score"]:
        refresh_totals([assessment.pk])  # self total and progress, read by the period page
    if new != old:
        log(assessment, "answer.saved", actor, indicator=indicator, old=old, new=new, reason=answer.error)
    elif was_carried:
        log(assessment, "answer.carry_confirmed", actor, indicator=indicator, new={"inputs": answer.inputs, "note": answer.note})
    return answer


@transaction.atomic
def answers_save_bulk(*, assessment: Assessment, values: dict, actor, now=None,
                      expected_versions: dict[int, str] | None = None) -> list[Answer]:
    """`answer_save` for many indicators of one assessment at once ({indicator: (inputs, note)}):
    the same guard, the same engine, refused inputs kept with their error, one Event per changed
    answer — in a fixed number of queries whatever the number of indicators (used by the scale
    data and imports). All or nothing: an indicator that cannot be answered refuses the whole call,
    and so does any answer changed since its form was drawn (`expected_versions`, indicator pk →
    version: `StaleAnswer` naming every such indicator)."""
    assessment = Assessment.objects.select_for_update().select_related("period").get(pk=assessment.pk)
    _guard_entry(assessment, now)
    parents = set(Indicator.objects.filter(framework=assessment.framework_id, parent__isnull=False)
                  .values_list("parent_id", flat=True))
    wrong = [i.code for i in values if i.framework_id != assessment.framework_id or i.pk in parents]
    if wrong:
        raise ValidationError(f"Các chỉ tiêu này không nhập số liệu trực tiếp: {', '.join(wrong)}.")
    existing = {a.indicator_id: a for a in Answer.objects.filter(assessment=assessment, indicator__in=[i.pk for i in values])}
    stale = []
    for indicator in values:
        try:
            _check_version(indicator, existing.get(indicator.pk), (expected_versions or {}).get(indicator.pk))
        except StaleAnswer:
            stale.append(indicator)
    if stale:
        raise StaleAnswer(stale)
    stamp = timezone.now()
    created, changed, events = [], [], []
    for indicator, (inputs, note) in values.items():
        answer = existing.get(indicator.pk) or Answer(assessment=assessment, indicator=indicator)
        old = {"inputs": answer.inputs, "note": answer.note, "self_score": _text(answer.self_score)}
        answer.inputs, answer.note = inputs, note.strip()
        try:
            answer.self_score, answer.error = score(indicator.rule, indicator.params, indicator.max_points, inputs), ""
        except ScoringError as error:
            answer.self_score, answer.error = None, error.message
        new = {"inputs": answer.inputs, "note": answer.note, "self_score": _text(answer.self_score)}
        answer.updated_by, answer.updated_at = actor, stamp
        if answer.pk is None:
            created.append(answer)
        elif new != old:
            changed.append(answer)
        if new != old:
            answer.carried_over = False  # a changed copy of last year's answer is the officer's own
            events.append(Event(assessment=assessment, indicator=indicator, action="answer.saved", actor=actor,
                                old=old, new=new, reason=answer.error))
    Answer.objects.bulk_create(created, batch_size=1000)
    Answer.objects.bulk_update(changed, ["inputs", "note", "self_score", "error", "carried_over", "updated_by", "updated_at"],
                               batch_size=500)
    Event.objects.bulk_create(events, batch_size=1000)
    refresh_totals([assessment.pk])
    return created + changed


def _text(value) -> str | None:
    return None if value is None else f"{value.normalize():f}"


def _guard_evidence_add(assessment: Assessment, indicator: Indicator, now) -> None:
    """New evidence while entering data, and during the explanation window only to the criteria round 1
    adjusted or asked evidence for (never removal)."""
    if assessment.status == Assessment.Status.RETURNED:
        end = assessment.period.explanation_end
        if end and (now or timezone.now()) > end_of_day(end):
            raise ValidationError(f"Đã hết thời gian giải trình ({end:%d/%m/%Y}).")
        if not Review.objects.filter(answer__assessment=assessment, answer__indicator=indicator, round=1,
                                     decision__in=[Review.Decision.ADJUST, Review.Decision.REQUEST]).exists():
            raise ValidationError(f"Trong thời gian giải trình chỉ bổ sung tài liệu cho chỉ tiêu mà thẩm định lần 1 đã "
                                  f"điều chỉnh điểm hoặc yêu cầu bổ sung; chỉ tiêu {indicator.code} không thuộc số đó.")
        return
    _guard_entry(assessment, now)


@transaction.atomic
def evidence_add(*, assessment: Assessment, indicator: Indicator, upload, actor, now=None) -> Evidence:
    if indicator.framework_id != assessment.framework_id:
        raise ValidationError("Chỉ tiêu không thuộc bản đánh giá này.")
    _guard_evidence_add(assessment, indicator, now)
    checked = check_upload(upload)  # EvidenceRefused is a ValueError with a Vietnamese message
    answer, _ = Answer.objects.get_or_create(assessment=assessment, indicator=indicator)
    upload.seek(0)
    evidence = Evidence(answer=answer, original_name=checked.original_name, content_type=checked.content_type,
                        size=checked.size, sha256=checked.sha256, uploaded_by=actor)
    evidence.file.save("upload", upload, save=False)
    evidence.save()
    log(assessment, "evidence.added", actor, indicator=indicator,
        new={"evidence": evidence.pk, "name": evidence.original_name, "sha256": evidence.sha256, "size": evidence.size})
    return evidence


@transaction.atomic
def evidence_remove(*, evidence: Evidence, actor, now=None) -> None:
    """Only while the unit is still entering data: after submission evidence is append-only."""
    assessment = evidence.answer.assessment
    _guard_entry(assessment, now)
    log(assessment, "evidence.removed", actor, indicator=evidence.answer.indicator,
        old={"evidence": evidence.pk, "name": evidence.original_name, "sha256": evidence.sha256})
    storage, name = evidence.file.storage, evidence.file.name
    evidence.delete()

    def delete_unless_linked():  # last year's file copied as a link is named by several rows
        if not Evidence._base_manager.filter(file=name).exists():
            storage.delete(name)

    transaction.on_commit(delete_unless_linked)


@transaction.atomic
def assessment_submit(*, assessment: Assessment, actor, now=None) -> Assessment:
    assessment = Assessment.objects.select_for_update().select_related("period").get(pk=assessment.pk)
    if assessment.status == Assessment.Status.SUBMITTED:
        raise ValidationError("Bản tự đánh giá đã được gửi rồi.")
    _guard_entry(assessment, now)
    missing = missing_items(assessment)
    if missing:
        raise ValidationError(f"Chưa gửi được: còn {len(missing)} chỉ tiêu thiếu số liệu hoặc tài liệu kiểm chứng.")
    carried = unconfirmed_codes(assessment)
    if carried:
        raise ValidationError(f"Chưa gửi được: còn {len(carried)} chỉ tiêu chép từ năm trước chưa được xác nhận "
                              f"({', '.join(carried)}).")
    assessment.status = Assessment.Status.SUBMITTED
    assessment.submitted_at, assessment.submitted_by = now or timezone.now(), actor
    assessment.save(update_fields=["status", "submitted_at", "submitted_by"])
    log(assessment, "assessment.submitted", actor, old={"status": "draft"}, new={"status": "submitted"})
    notify(assessment, "submitted")
    return assessment


@transaction.atomic
def assessment_withdraw(*, assessment: Assessment, actor, now=None) -> Assessment:
    assessment = Assessment.objects.select_for_update().select_related("period").get(pk=assessment.pk)
    reason = assessment.withdraw_refused_reason(now or timezone.now())
    if reason:
        raise ValidationError(reason)
    assessment.status = Assessment.Status.DRAFT
    assessment.save(update_fields=["status"])
    log(assessment, "assessment.withdrawn", actor, old={"status": "submitted"}, new={"status": "draft"})
    notify(assessment, "withdrawn")
    return assessment


@transaction.atomic
def mark_not_reported(*, period: Period, now=None) -> list[Assessment]:
    """Units still drafting once their self-assessment window (with any extension) closed:
    "không báo cáo" — shown as "-", left out of averages."""
    now = now or timezone.now()
    marked = []
    for assessment in Assessment.objects.select_for_update().filter(period=period, status=Assessment.Status.DRAFT).select_related("period", "unit"):
        if assessment.deadline and now > end_of_day(assessment.deadline):
            assessment.status = Assessment.Status.NOT_REPORTED
            assessment.save(update_fields=["status"])
            log(assessment, "assessment.not_reported", None, old={"status": "draft"}, new={"status": "not_reported"})
            marked.append(assessment)
    notify_all(marked, "not_reported")
    return marked


def is_past(day: date, now: datetime) -> bool:
    return now > end_of_day(day)
