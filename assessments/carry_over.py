"""Start from last year (issue 10 part 4): copy last year's answers into this year's assessment.

When this year's framework was cloned from last year's (`Framework.cloned_from`, with `code_map`
{last year's code: this year's code}), the officer of a unit may copy the unit's answers of the
assessment made under the source framework, criterion by criterion:

- a criterion is copied when a code of last year maps to it, last year's answer has inputs, and the
  two rules are compatible: the same rule with the same inputs (names and kinds; for a choice or a
  checklist the same option labels, in any order). Points, thresholds and max may differ: the
  score is recomputed with this year's rule;
- a criterion already answered this year (inputs, a note or a file) is left as it is, so copying
  twice neither overwrites what the officer typed nor duplicates files;
- evidence is copied as links: a new `Evidence` row naming the same stored file (never a copy of the
  bytes); `services.evidence_remove` deletes a stored file only when no row names it any more.

Each copied answer carries `carried_over` ("từ năm trước — cần xác nhận") until the officer
confirms it (`carried_confirm`) or saves it (`services.answer_save`); `services.assessment_submit`
refuses while any is left. Reading the plan and copying cost a fixed number of queries whatever the
size of the catalogue.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dti_portal.audit.services import record
from indicators.models import Indicator
from indicators.scoring import RULE_LABELS, Rule, ScoringError, input_fields, score

from .models import Answer, Assessment, Evidence
from .totals import refresh_totals

NOT_ANSWERED_RULES = (Rule.SUM,)  # a sum is rolled up from its children, never typed


@dataclass
class Skipped:
    code: str
    name: str
    why: str


@dataclass
class Plan:
    """What a copy would do now: `copy` (this year's indicator, last year's answer) pairs, the
    criteria left out with the reason (`skipped`), those matched but not answered last year
    (`unanswered`), those already answered this year (`kept`) and last year's answered codes that
    lead nowhere this year (`dropped`). `refused` says why nothing
    can be copied at all ("" when something may be)."""

    source: Assessment | None = None
    copy: list[tuple[Indicator, Answer]] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    unanswered: list[Skipped] = field(default_factory=list)  # matched, but last year's answer was empty
    kept: list[Skipped] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    evidence_count: int = 0
    refused: str = ""


@dataclass
class Copied:
    answers: int
    evidence: int
    codes: list[str]


def _inputs_spec(rule: str, params) -> tuple | None:
    """What an answer to this rule holds: (name, kind, option labels) per input; None if unreadable."""
    try:
        fields = input_fields(rule, params)
    except (ScoringError, KeyError, TypeError, ValueError):
        return None
    return tuple((f["name"], f["kind"], frozenset(f.get("choices") or ())) for f in fields)


def incompatibility(old: Indicator, new: Indicator) -> str:
    """Why last year's answer to `old` cannot stand as an answer to `new` ("" when it can)."""
    if old.rule != new.rule:
        return (f"cách tính điểm đã đổi (năm trước: {RULE_LABELS.get(Rule(old.rule), old.rule)}, "
                f"năm nay: {RULE_LABELS.get(Rule(new.rule), new.rule)})")
    old_spec, new_spec = _inputs_spec(old.rule, old.params), _inputs_spec(new.rule, new.params)
    if old_spec is None or new_spec is None or old_spec != new_spec:
        if new.rule in (Rule.CHOICE, Rule.CHECKLIST):
            return "các lựa chọn đã đổi so với năm trước"
        return "số liệu cần nhập đã đổi so với năm trước"
    return ""


def refused_reason(assessment: Assessment, now=None) -> str:
    """Why answers cannot be copied into this assessment now ("" when they can)."""
    if assessment.status != Assessment.Status.DRAFT:
        return ("Không sao chép được: bản tự đánh giá không còn ở trạng thái đang nhập liệu "
                f"({assessment.get_status_display().lower()}).")
    closed = assessment.entry_closed_reason(now or timezone.now())
    if closed:
        return f"Không sao chép được: {closed}"
    if assessment.framework.cloned_from_id is None:
        return ("Bộ chỉ số năm nay không được sao chép từ bộ chỉ số năm trước, "
                "nên không có số liệu năm trước để chép.")
    return ""


def previous_assessment(assessment: Assessment) -> Assessment | None:
    """The unit's latest assessment made under the framework this year's was cloned from."""
    source_framework = assessment.framework.cloned_from_id
    if source_framework is None:
        return None
    return (Assessment.objects.filter(unit=assessment.unit_id, framework=source_framework)
            .exclude(pk=assessment.pk).select_related("period").order_by("-period__year", "-pk").first())


def carry_over_plan(assessment: Assessment, now=None) -> Plan:
    """What `copy_previous_answers` would copy now, and what not and why. Seven queries at most."""
    plan = Plan(refused=refused_reason(assessment, now))
    if assessment.framework.cloned_from_id is None:
        return plan
    plan.source = previous_assessment(assessment)
    if plan.source is None:
        plan.refused = plan.refused or "Năm trước đơn vị chưa có bản đánh giá theo bộ chỉ số gốc, nên không có gì để chép."
        return plan
    framework = assessment.framework
    new_indicators = list(Indicator.objects.filter(framework=framework.pk).order_by("position", "pk"))
    new_parents = {i.parent_id for i in new_indicators}
    leaves = [i for i in new_indicators if i.pk not in new_parents and i.rule not in NOT_ANSWERED_RULES]
    new_by_code = {i.code: i for i in new_indicators}
    old_indicators = {i.pk: i for i in Indicator.objects.filter(framework=framework.cloned_from_id)}
    old_by_code = {i.code: i for i in old_indicators.values()}
    old_answers = {a.indicator_id: a for a in Answer.objects.filter(assessment=plan.source).exclude(inputs={})}
    mine = {a.indicator_id: a for a in Answer.objects.filter(assessment=assessment)}
    with_files = set(Evidence.objects.filter(answer__assessment=assessment).values_list("answer_id", flat=True).distinct())
    old_files: dict[int, int] = {}
    for answer_id in Evidence.objects.filter(answer__assessment=plan.source).values_list("answer_id", flat=True):
        old_files[answer_id] = old_files.get(answer_id, 0) + 1

    came_from = {new: old for old, new in (framework.code_map or {}).items()}  # this year's code → last year's
    for new in leaves:
        old_code = came_from.get(new.code)
        old = old_by_code.get(old_code) if old_code is not None else None
        if old is None:
            plan.skipped.append(Skipped(new.code, new.name, "chỉ tiêu mới, không có trong bộ chỉ số năm trước"))
            continue
        answer = old_answers.get(old.pk)
        if answer is None:
            plan.unanswered.append(Skipped(new.code, new.name, f"năm trước chưa có số liệu (mã {old.code})"))
            continue
        why = incompatibility(old, new)
        if why:
            plan.skipped.append(Skipped(new.code, new.name, why))
            continue
        present = mine.get(new.pk)
        if present is not None and (present.inputs or present.note or present.pk in with_files):
            kept = "đã xác nhận hoặc đã có số liệu năm nay" if not present.carried_over else "đã chép, đang chờ xác nhận"
            plan.kept.append(Skipped(new.code, new.name, kept))
            continue
        plan.copy.append((new, answer))
        plan.evidence_count += old_files.get(answer.pk, 0)
    answered_old = {old_indicators[a].code for a in old_answers if a in old_indicators}
    plan.dropped = sorted(code for code in answered_old
                          if (framework.code_map or {}).get(code) not in new_by_code)
    return plan


@transaction.atomic
def copy_previous_answers(*, assessment: Assessment, actor, now=None) -> Copied:
    """Copy last year's answers (inputs and note, evidence as links) as the plan says; one audit entry.

    Refused (ValidationError, in Vietnamese) when the assessment is not open for entry, or when
    there is nothing to copy from. Criteria already answered this year are left untouched."""
    assessment = Assessment.objects.select_for_update().select_related("period", "framework").get(pk=assessment.pk)
    plan = carry_over_plan(assessment, now)
    if plan.refused:
        raise ValidationError(plan.refused)
    if not plan.copy:
        raise ValidationError("Không có chỉ tiêu nào để chép: các chỉ tiêu khớp mã đều đã có số liệu năm nay "
                              "hoặc năm trước chưa được trả lời.")
    stamp = timezone.now()
    existing = {a.indicator_id: a for a in Answer.objects.filter(
        assessment=assessment, indicator__in=[new.pk for new, _ in plan.copy])}
    created, updated = [], []
    for new, old_answer in plan.copy:
        answer = existing.get(new.pk) or Answer(assessment=assessment, indicator=new)
        answer.inputs, answer.note = dict(old_answer.inputs), old_answer.note
        try:
            answer.self_score, answer.error = score(new.rule, new.params, new.max_points, answer.inputs), ""
        except ScoringError as error:
            answer.self_score, answer.error = None, error.message
        answer.carried_over, answer.carried_from_id = True, old_answer.pk
        answer.updated_by, answer.updated_at = actor, stamp
        (updated if answer.pk else created).append(answer)
    Answer.objects.bulk_create(created, batch_size=1000)
    Answer.objects.bulk_update(updated, ["inputs", "note", "self_score", "error", "carried_over", "carried_from",
                                         "updated_by", "updated_at"], batch_size=500)
    links = []
    if plan.evidence_count:  # links to the same stored files, in last year's order
        mine = {a.indicator_id: a for a in created + updated}
        answer_of = {old.pk: mine[new.pk] for new, old in plan.copy}
        links = [
            Evidence(answer=answer_of[e.answer_id], file=e.file.name, original_name=e.original_name,
                     content_type=e.content_type, size=e.size, sha256=e.sha256, uploaded_by_id=e.uploaded_by_id)
            for e in Evidence.objects.filter(answer_id__in=list(answer_of)).order_by("uploaded_at", "pk")
        ]
    Evidence.objects.bulk_create(links, batch_size=1000)
    codes = [new.code for new, _ in plan.copy]
    record(
        "answers.carried_over", actor=actor, target=assessment,
        new={"from_assessment": plan.source.pk, "year": plan.source.period.year, "answers": len(codes),
             "evidence": len(links), "codes": codes},
    )
    refresh_totals([assessment.pk])
    return Copied(answers=len(codes), evidence=len(links), codes=codes)


@transaction.atomic
def carried_confirm(*, assessment: Assessment, indicator: Indicator, actor, now=None) -> Answer:
    """The officer keeps a copied answer as it is: the mark goes, an audit entry says so."""
    assessment = Assessment.objects.select_for_update().select_related("period").get(pk=assessment.pk)
    closed = assessment.entry_closed_reason(now or timezone.now())
    if closed:
        raise ValidationError(closed)
    answer = Answer.objects.filter(assessment=assessment, indicator=indicator).first()
    if answer is None or not answer.carried_over:
        raise ValidationError(f"Chỉ tiêu {indicator.code} không có số liệu chép từ năm trước đang chờ xác nhận.")
    answer.carried_over, answer.updated_by = False, actor
    answer.save(update_fields=["carried_over", "updated_by", "updated_at"])
    record("answer.carry_confirmed", actor=actor, target=assessment, indicator=indicator,
           new={"inputs": answer.inputs, "note": answer.note})
    return answer


def unconfirmed_answers(assessment: Assessment) -> list[dict]:
    """The copied answers still waiting for the officer (code, name, page anchor), in catalogue
    order. One query."""
    return [{"code": code, "name": name, "anchor": f"i-{pk}"} for code, name, pk in
            Answer.objects.filter(assessment=assessment, carried_over=True)
            .order_by("indicator__position", "indicator__pk").values_list("indicator__code", "indicator__name", "indicator_id")]


def unconfirmed_codes(assessment: Assessment) -> list[str]:
    return [row["code"] for row in unconfirmed_answers(assessment)]
