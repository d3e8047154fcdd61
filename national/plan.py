"""The improvement plan (*Kế hoạch nâng cao chỉ số*): services that write plans, their tasks and targets.

Every write validates, runs in one transaction and leaves one entry in the province's audit log. Refusals
are `ValidationError`s with Vietnamese messages, keyed by the form field they concern where there is one.

Owner organisations are units: state agencies already are; others (Công an tỉnh, Cục Thuế, Viettel…) are
units of the kind "tochuc", which no period's framework names, so they are never assessed.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from dti_portal.audit.services import changes, record
from dti_portal.tenancy.models import Province, Unit, UnitKind
from dti_portal.tenancy.services import unit_create
from indicators.models import Indicator
from indicators.scoring import InputError, format_number, parse_number

from .models import Plan, Target, Task
from .whatif import MEASURES, national_catalogue, target_inputs, target_points, targetable

ORGANISATION_KIND = "tochuc"
ORGANISATION_KIND_NAME = "Cơ quan, tổ chức phối hợp"
FIRST_YEAR, LAST_YEAR = 2000, 2100
LONGEST_PLAN = 10  # years: a plan runs to 2025 or 2030, never a generation


# ------------------------------------------------------------------------------ owner organisations


def organisation_kind(province: Province) -> UnitKind:
    """The province's kind of units for organisations that own tasks without being assessed."""
    kind = UnitKind.objects.filter(province=province, code=ORGANISATION_KIND).first()
    if kind is None:
        kind = UnitKind.objects.create(province=province, code=ORGANISATION_KIND, name=ORGANISATION_KIND_NAME, order=90)
        record("unit_kind.created", actor=None, target=kind,
               new={"code": kind.code, "name": kind.name, "order": kind.order})
    return kind


@transaction.atomic
def owner_create(*, province: Province, name: str, actor) -> Unit:
    """A new organisation (a unit of kind "tochuc") that can own or share tasks and have officers."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Hãy nhập tên cơ quan, tổ chức."})
    if len(name) > 255:
        raise ValidationError({"name": "Tên cơ quan, tổ chức dài quá 255 ký tự."})
    return unit_create(province=province, kind=organisation_kind(province), name=name, actor=actor)


# ------------------------------------------------------------------------------------------- plans


def _plan_values(plan: Plan) -> dict:
    return {"name": plan.name, "decision": plan.decision, "base_year": plan.base_year,
            "first_year": plan.first_year, "last_year": plan.last_year}


def _check_plan(plan: Plan) -> None:
    errors: dict[str, str] = {}
    plan.name, plan.decision = (plan.name or "").strip(), (plan.decision or "").strip()
    if not plan.name:
        errors["name"] = "Hãy nhập tên kế hoạch."
    elif len(plan.name) > 255:
        errors["name"] = "Tên kế hoạch dài quá 255 ký tự."
    if len(plan.decision) > 120:
        errors["decision"] = "Số, ngày văn bản dài quá 120 ký tự."
    for field in ("base_year", "first_year", "last_year"):
        year = getattr(plan, field)
        if not isinstance(year, int) or not FIRST_YEAR <= year <= LAST_YEAR:
            errors[field] = f"Năm phải là số nguyên từ {FIRST_YEAR} đến {LAST_YEAR}."
    if errors:
        raise ValidationError(errors)
    if plan.first_year <= plan.base_year:
        errors["first_year"] = (f"Kế hoạch bắt đầu sau năm kết quả làm căn cứ ({plan.base_year}): "
                                f"năm đầu phải từ {plan.base_year + 1}.")
    elif plan.last_year < plan.first_year:
        errors["last_year"] = f"Năm cuối ({plan.last_year}) phải không trước năm đầu ({plan.first_year})."
    elif plan.last_year - plan.first_year >= LONGEST_PLAN:
        errors["last_year"] = f"Một kế hoạch kéo dài tối đa {LONGEST_PLAN} năm."
    if not errors and national_catalogue(plan.province, plan.base_year) is None:
        errors["base_year"] = (f"Tỉnh chưa có bộ chỉ số DTI cấp tỉnh (922/QĐ-BTTTT) năm {plan.base_year}: "
                               "hãy nhập bộ chỉ số và kết quả năm đó trước.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def plan_create(*, province: Province, name: str, decision: str = "", base_year: int, first_year: int,
                last_year: int, actor) -> Plan:
    """A plan answering the national result of `base_year`, with targets from `first_year` to `last_year`."""
    plan = Plan(province=province, name=name, decision=decision, base_year=base_year, first_year=first_year,
                last_year=last_year)
    _check_plan(plan)
    plan.save()
    record("plan.created", actor=actor, target=plan, new=_plan_values(plan))
    return plan


@transaction.atomic
def plan_update(*, plan: Plan, actor, **fields) -> Plan:
    """Change the plan's name, decision or years. Its tasks' criteria belong to the base year's catalogue, so
    the base year is fixed once a task exists; its targets must stay within the years."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    before = _plan_values(plan)
    for name, value in fields.items():
        if name not in before:
            raise TypeError(f"plan_update: unknown field {name}")
        setattr(plan, name, value)
    if plan.base_year != before["base_year"] and plan.tasks.exists():
        raise ValidationError({"base_year": "Kế hoạch đã có nhiệm vụ gắn với chỉ số của năm căn cứ "
                                            f"{before['base_year']}: không đổi được năm căn cứ."})
    _check_plan(plan)
    outside = (Target.objects.filter(task__plan=plan).exclude(year__range=(plan.first_year, plan.last_year))
               .order_by("year").values_list("year", flat=True).first())
    if outside is not None:
        raise ValidationError({"first_year" if outside < plan.first_year else "last_year":
                               f"Đã có chỉ tiêu năm {outside}, nằm ngoài {plan.first_year}–{plan.last_year}: "
                               "hãy sửa chỉ tiêu đó trước."})
    plan.save()
    old, new = changes(before, _plan_values(plan))
    if new:
        record("plan.updated", actor=actor, target=plan, old=old, new=new)
    return plan


# ------------------------------------------------------------------------------------------- tasks


def plan_criteria(plan: Plan):
    """The criteria a task of the plan may aim at: the leaves of the base year's national catalogue that
    are scored (a parent's sum and a collected figure are not)."""
    framework = national_catalogue(plan.province, plan.base_year)
    if framework is None:
        return Indicator.objects.none()
    return (Indicator.objects.filter(framework=framework, children__isnull=True, rule__in=list(MEASURES))
            .order_by("position", "pk"))


def _task_values(task: Task, collaborators) -> dict:
    return {"indicator": task.indicator.code, "title": task.title, "description": task.description,
            "owner": task.owner.name, "collaborators": sorted(u.name for u in collaborators),
            "deadline": task.deadline.isoformat() if task.deadline else None, "unit_of_measure": task.unit_of_measure}


def _check_task(plan: Plan, indicator: Indicator, title: str, description: str, owner: Unit, collaborators: list[Unit],
                unit_of_measure: str) -> None:
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = "Hãy nhập tên nhiệm vụ."
    elif len(title) > 500:
        errors["title"] = "Tên nhiệm vụ dài quá 500 ký tự."
    if len(description) > 20000:
        errors["description"] = "Nội dung dài quá 20 000 ký tự."
    if len(unit_of_measure) > 40:
        errors["unit_of_measure"] = "Đơn vị tính dài quá 40 ký tự."
    framework = national_catalogue(plan.province, plan.base_year)
    if framework is None or indicator.framework_id != framework.pk:
        errors["indicator"] = f"Chỉ số phải thuộc bộ chỉ số DTI cấp tỉnh năm {plan.base_year} của tỉnh."
    elif not targetable(indicator.rule) or Indicator.objects.filter(parent=indicator).exists():
        errors["indicator"] = (f"“{indicator.code}” là nhóm hoặc chỉ số không tính điểm: "
                               "hãy chọn một chỉ số thành phần có điểm.")
    if owner.province_id != plan.province_id:
        errors["owner"] = "Đơn vị chủ trì phải là đơn vị của tỉnh."
    if any(u.province_id != plan.province_id for u in collaborators):
        errors["collaborators"] = "Đơn vị phối hợp phải là đơn vị của tỉnh."
    elif any(u.pk == owner.pk for u in collaborators):
        errors["collaborators"] = f"{owner.name} đã là đơn vị chủ trì, không đồng thời là đơn vị phối hợp."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def task_save(*, plan: Plan, task: Task | None = None, indicator: Indicator, title: str, description: str = "",
              owner: Unit, collaborators=(), deadline: date | None = None, unit_of_measure: str = "", actor) -> Task:
    """Create a task of `plan` (task None) or change `task`: one national criterion, one owner, collaborators.
    Changing the criterion of a task with targets keeps them only if the new criterion can reach each one."""
    title, description, unit_of_measure = (title or "").strip(), (description or "").strip(), (unit_of_measure or "").strip()
    collaborators = list(dict.fromkeys(collaborators))
    _check_task(plan, indicator, title, description, owner, collaborators, unit_of_measure)
    if not unit_of_measure and MEASURES.get(indicator.rule) in ("%", "điểm"):
        unit_of_measure = MEASURES[indicator.rule]
    if task is None:
        task = Task(plan=plan, position=(plan.tasks.aggregate(m=Max("position"))["m"] or 0) + 1)
        before = None
    else:
        if task.plan_id != plan.pk:
            raise ValidationError("Nhiệm vụ không thuộc kế hoạch này.")
        task = Task.objects.select_for_update().select_related("indicator", "owner").get(pk=task.pk)
        before = _task_values(task, task.collaborators.all())
    criterion_changed = task.pk is not None and task.indicator_id != indicator.pk
    task.indicator, task.title, task.description, task.owner = indicator, title, description, owner
    task.deadline, task.unit_of_measure = deadline, unit_of_measure
    task.save()
    task.collaborators.set(collaborators)
    if criterion_changed:
        for target in task.targets.all():
            target.inputs = _inputs_for(indicator, target.year, target.value)
            target.save(update_fields=["inputs"])
    after = _task_values(task, collaborators)
    if before is None:
        record("task.created", actor=actor, target=task, indicator=indicator, new=after)
    else:
        old, new = changes(before, after)
        if new:
            record("task.updated", actor=actor, target=task, indicator=indicator, old=old, new=new)
    return task


@transaction.atomic
def task_delete(*, task: Task, actor) -> None:
    """Remove a task and its targets; a task its owner has reported on stays (its reports are a record)."""
    task = Task.objects.select_related("indicator", "owner", "plan").get(pk=task.pk)
    if task.reports.exists():
        raise ValidationError("Đơn vị chủ trì đã báo cáo tiến độ nhiệm vụ này nên không xoá được.")
    record("task.deleted", actor=actor, target=task, indicator=task.indicator,
           old=_task_values(task, task.collaborators.all()) | {"targets": _targets_values(task.targets.all())})
    task.targets.all().delete()
    task.collaborators.clear()
    task.delete()


# ----------------------------------------------------------------------------------------- targets


def _targets_values(targets) -> dict:
    return {str(t.year): format_number(t.value) for t in targets}


def _inputs_for(indicator: Indicator, year: int, value: Decimal) -> dict:
    """The rule's inputs for the target, checked by scoring them; else a ValidationError naming the year."""
    try:
        inputs = target_inputs(indicator.rule, indicator.params or {}, indicator.max_points, value)
        target_points(indicator.rule, indicator.params or {}, indicator.max_points, inputs)
    except InputError as error:
        raise ValidationError({"targets": f"Năm {year}: {error.message}"}) from None
    return inputs


@transaction.atomic
def targets_save(*, task: Task, targets: list[tuple[int, Decimal]], actor) -> list[Target]:
    """Set the task's targets: one (year, value) or a series, years strictly increasing as given, each within
    the plan and reachable by the criterion's rule. Replaces the task's previous targets; [] clears them."""
    task = Task.objects.select_related("plan", "indicator").get(pk=task.pk)
    plan, indicator = task.plan, task.indicator
    checked: list[tuple[int, Decimal]] = []
    for year, value in targets:
        if isinstance(year, bool) or not isinstance(year, int):
            raise ValidationError({"targets": f"Năm “{year}” không phải là một năm."})
        if checked and year <= checked[-1][0]:
            raise ValidationError({"targets": (
                f"Chuỗi chỉ tiêu ghi các năm không theo thứ tự: năm {year} đứng sau năm {checked[-1][0]}. "
                "Hãy ghi mỗi năm một lần, từ năm sớm đến năm muộn.")})
        if not plan.first_year <= year <= plan.last_year:
            raise ValidationError({"targets": f"Năm {year} nằm ngoài kế hoạch ({plan.first_year}–{plan.last_year})."})
        try:
            number = parse_number(value, field=None)
        except InputError as error:
            raise ValidationError({"targets": f"Năm {year}: chỉ tiêu {error.message[:1].lower()}{error.message[1:]}"}) from None
        checked.append((year, number))
    saved = [Target(task=task, year=year, value=value, inputs=_inputs_for(indicator, year, value)) for year, value in checked]
    before = _targets_values(task.targets.all())
    task.targets.all().delete()
    Target.objects.bulk_create(saved)
    record("targets.saved", actor=actor, target=task, indicator=indicator, old=before, new=_targets_values(saved))
    return list(task.targets.all())
