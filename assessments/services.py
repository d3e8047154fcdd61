"""Writes to periods and assessments. Each write: atomic, checked, then one entry in the tenant's
audit log (`dti_portal.audit`); every status change is a move of the one transitions table."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from dti_portal.audit import transitions
from dti_portal.audit.services import changes, entry, record, record_all
from dti_portal.tenancy.models import Unit
from indicators.models import Framework, Indicator
from indicators.scoring import ScoringError, score

from .answer_forms import answer_version
from .carry_over import unconfirmed_answers, unconfirmed_codes  # noqa: F401 - the submit page lists them
from .evidence import check_upload
from .models import Answer, Assessment, Assignment, Evidence, Period, PeriodFramework, Review, end_of_day
from .notifications import notify, notify_all
from .selectors import missing_items
from .totals import refresh_totals


# --- periods ------------------------------------------------------------------------------
@transaction.atomic
def period_save(*, period: Period, frameworks: dict, actor) -> Period:
    """Create or edit a period (dates, and the framework each unit kind answers) before it opens."""
    before = Period.objects.filter(pk=period.pk).first() if period.pk else None
    if before is not None and before.status != Period.Status.DRAFT:
        raise ValidationError("Kỳ đánh giá đã mở: không thể đổi bộ chỉ số hay lịch.")
    old = _period_values(before) if before else {}
    _check_schedule(period)
    for kind, framework in frameworks.items():
        if framework is not None and (framework.unit_kind_id != kind.pk or framework.province_id != period.province_id):
            raise ValidationError(f"Bộ chỉ số “{framework}” không dành cho {kind.name}.")
    period.save()
    for kind, framework in frameworks.items():
        PeriodFramework.objects.filter(period=period, unit_kind=kind).delete()
        if framework is not None:
            PeriodFramework.objects.create(period=period, unit_kind=kind, framework=framework)
    old, new = changes(old, _period_values(period))
    if before is None or new:
        record("period.updated" if before else "period.created", actor=actor, target=period, old=old, new=new)
    return period


PERIOD_FIELDS = ["name", "year", "self_assessment_start", "self_assessment_end", "round1_end", "explanation_end",
                 "round2_end", "publication_date"]


def _period_values(period: Period) -> dict:
    """A period as its audit entries show it: its fields and the framework of each unit kind."""
    values = {name: getattr(period, name) for name in PERIOD_FIELDS}
    values = {name: value.isoformat() if isinstance(value, date) else value for name, value in values.items()}
    for link in period.period_frameworks.select_related("unit_kind", "framework"):
        values[f"framework:{link.unit_kind.name}"] = str(link.framework)
    return values


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
    transitions.create_all("assessment.created", new, actor=actor, new=lambda a: {"framework": a.framework_id})
    transitions.move("period.opened", period, actor=actor, new={"assessments": len(new)})
    return len(new)


# --- the appraisal team -------------------------------------------------------------------
@transaction.atomic
def lead_set(*, period: Period, lead, actor) -> Period:
    """The province admin names the period's lead (tổ trưởng tổ thẩm định)."""
    old = str(period.lead) if period.lead_id else None
    period.lead = lead
    period.save(update_fields=["lead"])
    if old != str(lead):
        record("period.lead_set", actor=actor, target=period, old={"lead": old}, new={"lead": str(lead)})
    return period


def _assignment_values(assignment: Assignment) -> dict:
    return {"appraiser": str(assignment.appraiser), "unit": str(assignment.unit) if assignment.unit_id else None,
            "group": str(assignment.group) if assignment.group_id else None}


def _assignment_label(assignment: Assignment) -> str:
    scope = " / ".join(str(part) for part in (assignment.unit, assignment.group) if part is not None)
    return f"{assignment.appraiser}: {scope}"


@transaction.atomic
def assignment_add(*, period: Period, appraiser, unit: Unit | None, group: Indicator | None, actor) -> tuple[Assignment, bool]:
    """Give an appraiser a unit, a group of indicators, or a group within a unit; (assignment, created)."""
    if unit is None and group is None:
        raise ValidationError("Hãy chọn đơn vị, nhóm chỉ tiêu, hoặc cả hai.")
    assignment, created = Assignment.objects.get_or_create(period=period, appraiser=appraiser, unit=unit, group=group)
    if created:
        record("assignment.added", actor=actor, target=assignment, label=_assignment_label(assignment),
               new=_assignment_values(assignment))
    return assignment, created


@transaction.atomic
def assignment_remove(*, assignment: Assignment, actor) -> None:
    record("assignment.removed", actor=actor, target=assignment, label=_assignment_label(assignment),
           old=_assignment_values(assignment))
    assignment.delete()


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
    record("assessment.extension", actor=actor, target=assessment, old={"until": str(old) if old else None},
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
        record("answer.saved", actor=actor, target=assessment, indicator=indicator, old=old, new=new, reason=answer.error)
    elif was_carried:
        record("answer.carry_confirmed", actor=actor, target=assessment, indicator=indicator, new={"inputs": answer.inputs, "note": answer.note})
    return answer


@transaction.atomic
def answers_save_bulk(*, assessment: Assessment, values: dict, actor, now=None,
                      expected_versions: dict[int, str] | None = None, source: str = "") -> list[Answer]:
    """`answer_save` for many indicators of one assessment at once ({indicator: (inputs, note)}):
    the same guard, the same engine, refused inputs kept with their error, one audit entry per changed
    answer — in a fixed number of queries whatever the number of indicators (used by the scale
    data and imports). All or nothing: an indicator that cannot be answered refuses the whole call,
    and so does any answer changed since its form was drawn (`expected_versions`, indicator pk →
    version: `StaleAnswer` naming every such indicator). `source` names the file the values came from
    (the offline workbook): one more entry says so."""
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
            events.append(entry("answer.saved", actor=actor, target=assessment, indicator=indicator,
                                old=old, new=new, reason=answer.error))
    Answer.objects.bulk_create(created, batch_size=1000)
    Answer.objects.bulk_update(changed, ["inputs", "note", "self_score", "error", "carried_over", "updated_by", "updated_at"],
                               batch_size=500)
    if source:
        events.append(entry("answers.workbook_imported", actor=actor, target=assessment,
                            new={"file": source, "answers": len(events), "codes": [i.code for i in values]}))
    record_all(events)
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
    record("evidence.added", actor=actor, target=assessment, indicator=indicator,
        new={"evidence": evidence.pk, "name": evidence.original_name, "sha256": evidence.sha256, "size": evidence.size})
    return evidence


@transaction.atomic
def evidence_remove(*, evidence: Evidence, actor, now=None) -> None:
    """Only while the unit is still entering data: after submission evidence is append-only."""
    assessment = evidence.answer.assessment
    _guard_entry(assessment, now)
    record("evidence.removed", actor=actor, target=assessment, indicator=evidence.answer.indicator,
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
    transitions.move("assessment.submitted", assessment, actor=actor,
                     fields={"submitted_at": now or timezone.now(), "submitted_by": actor})
    notify(assessment, "submitted")
    return assessment


@transaction.atomic
def assessment_withdraw(*, assessment: Assessment, actor, now=None) -> Assessment:
    assessment = Assessment.objects.select_for_update().select_related("period").get(pk=assessment.pk)
    reason = assessment.withdraw_refused_reason(now or timezone.now())
    if reason:
        raise ValidationError(reason)
    transitions.move("assessment.withdrawn", assessment, actor=actor)
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
            marked.append(assessment)
    transitions.move_all("assessment.not_reported", marked, actor=None)
    notify_all(marked, "not_reported")
    return marked


def is_past(day: date, now: datetime) -> bool:
    return now > end_of_day(day)
