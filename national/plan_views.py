"""Pages of the improvement plan and its what-if. The province admin (coordinating agency) manages; leadership
reads; an officer of a task's owner unit reads that task only. Anything else of the province: 404 for an
officer, 403 for another role; another province's plan, task, unit or criterion: 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from dti_portal.forms import add_service_errors
from dti_portal.accounts.access import officer_unit_ids, province_view
from dti_portal.accounts.models import Role
from dti_portal.tenancy.models import Unit
from indicators.models import Indicator

from . import plan as services
from .access import ReadOnly, refuse_read_only
from .models import Plan, Task
from .plan_forms import PlanForm, TaskForm, targets_initial
from .whatif import catalogue_points, national_catalogue, plan_whatif, score_target

MANAGERS = {Role.PROVINCE_ADMIN}
READERS = {Role.PROVINCE_ADMIN, Role.LEADERSHIP}


# ------------------------------------------------------------------------------------------ access


def _deny(request):
    """Not a reader of the plan: an officer learns nothing (404), another role is told no (403)."""
    if request.roles <= {Role.UNIT_OFFICER}:
        raise Http404("Không có trang này.")
    raise PermissionDenied("Vai trò của bạn không được mở trang này.")


def _require(request, roles) -> None:
    if not request.roles & roles:
        _deny(request)


def _refuse_predecessors(request, plan: Plan) -> None:
    """A plan of a province merged into this one is kept as it was: read, never changed (403, said why)."""
    if plan.province_id != request.province.pk:
        raise ReadOnly(f"Kế hoạch “{plan.name}” là của {plan.province.name} (đã hợp nhất vào "
                       f"{request.province.name}): chỉ xem, không sửa, thêm hay xoá nhiệm vụ được.",
                       reverse("national:plan_detail", kwargs={"province": request.province.slug, "plan_id": plan.pk}))


def get_plan_for_user(request, plan_id: int, *, write: bool = False) -> Plan:
    _require(request, MANAGERS if write else READERS)
    plan = get_object_or_404(Plan.objects.select_related("province"), pk=plan_id)
    if write:
        _refuse_predecessors(request, plan)
    return plan


def get_task_for_user(request, task_id: int, *, write: bool = False) -> tuple[Task, bool]:
    """The task and whether the user manages it. An officer reads the tasks its unit owns; 404 for others."""
    task = get_object_or_404(Task.objects.select_related("plan__province", "indicator", "owner__kind"), pk=task_id)
    if write:
        _require(request, MANAGERS)
        _refuse_predecessors(request, task.plan)
    if request.roles & MANAGERS:
        return task, task.plan.province_id == request.province.pk
    if request.roles & READERS:
        return task, False
    if task.owner_id in officer_unit_ids(request):
        return task, False
    _deny(request)


# ------------------------------------------------------------------------------------------- home


def home_context(request) -> dict:
    """The plan section of the national home: the plans for readers, an owner's own tasks for its officer."""
    if request.roles & READERS:
        # the tenant's plans and those of provinces merged into it (the scope covers them), own first
        plans = list(Plan.objects.annotate(task_count=Count("tasks")).select_related("province")
                     .order_by("-first_year", "name"))
        plans.sort(key=lambda p: p.province_id != request.province.pk)  # stable: years kept within each
        for plan in plans:
            plan.predecessor = plan.province if plan.province_id != request.province.pk else None
        return {"plans": plans, "plan_manager": bool(request.roles & MANAGERS), "plan_reader": True}
    units = officer_unit_ids(request)
    if units:
        tasks = list(Task.objects.filter(owner_id__in=units).select_related("plan", "indicator", "owner")
                     .prefetch_related("targets").order_by("plan__first_year", "position", "pk"))
        return {"own_tasks": tasks}
    return {}


# ------------------------------------------------------------------------------------------- plans


@province_view()
@require_http_methods(["GET", "POST"])
def plan_create(request):
    _require(request, MANAGERS)
    form = PlanForm(request.POST or None, initial={"base_year": 2021, "first_year": 2022, "last_year": 2025})
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(province=request.province, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Đã tạo kế hoạch “{plan.name}”. Hãy thêm các nhiệm vụ.")
            return redirect("national:plan_detail", province=request.province.slug, plan_id=plan.pk)
    return render(request, "national/plan_form.html", {"form": form, "title": "Tạo kế hoạch nâng cao chỉ số",
                                                       "cancel_url": reverse("national:home", kwargs={"province": request.province.slug})},
                  status=400 if form.errors else 200)


@province_view()
@require_http_methods(["GET", "POST"])
@refuse_read_only
def plan_edit(request, plan_id: int):
    plan = get_plan_for_user(request, plan_id, write=True)
    initial = {f: getattr(plan, f) for f in ("name", "decision", "base_year", "first_year", "last_year")}
    form = PlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_update(plan=plan, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Đã lưu kế hoạch.")
            return redirect("national:plan_detail", province=request.province.slug, plan_id=plan.pk)
    return render(request, "national/plan_form.html", {"form": form, "title": f"Sửa kế hoạch – {plan.name}", "plan": plan,
                                                       "cancel_url": _plan_url(request, plan)},
                  status=400 if form.errors else 200)


def _plan_url(request, plan: Plan) -> str:
    return reverse("national:plan_detail", kwargs={"province": request.province.slug, "plan_id": plan.pk})


@province_view()
def plan_detail(request, plan_id: int):
    plan = get_plan_for_user(request, plan_id)
    whatif = plan_whatif(plan)
    return render(request, "national/plan_detail.html", {
        "plan": plan, "whatif": whatif,
        "can_manage": bool(request.roles & MANAGERS) and plan.province_id == request.province.pk,
        "predecessor": plan.province if plan.province_id != request.province.pk else None,
        "years": list(range(plan.first_year, plan.last_year + 1)),
    })


# ------------------------------------------------------------------------------------------- tasks


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _check_posted_ids(request, plan: Plan, framework, units: list[Unit]) -> None:
    """Ids that name no criterion of the plan's catalogue, or no unit of the province: 404, as for any
    object outside the request's reach (a wrong type stays a form error)."""
    data = request.POST if request.method == "POST" else request.GET
    indicator = _int_or_none(data.get("indicator"))
    if indicator is not None and not Indicator.objects.filter(pk=indicator, framework=framework).exists():
        raise Http404("Không có chỉ số này trong bộ chỉ số của kế hoạch.")
    unit_ids = {u.pk for u in units}
    for value in [data.get("owner"), *data.getlist("collaborators")]:
        number = _int_or_none(value)
        if number is not None and number not in unit_ids:
            raise Http404("Không có đơn vị này.")


def _task_form_page(request, plan: Plan, task: Task | None):
    framework = national_catalogue(plan.province, plan.base_year)
    if framework is None:
        messages.error(request, f"Tỉnh chưa có bộ chỉ số DTI cấp tỉnh năm {plan.base_year}.")
        return redirect("national:plan_detail", province=request.province.slug, plan_id=plan.pk)
    criteria_by_id, _, _, _ = catalogue_points(framework, plan.base_year)
    criteria = sorted(criteria_by_id.values(), key=lambda c: [int(p) if p.isdigit() else p for p in c.code.split(".")])
    units = list(Unit.objects.select_related("kind"))
    _check_posted_ids(request, plan, framework, units)
    if task is None:
        initial = {"indicator": request.GET.get("indicator", "")}
        initial |= targets_initial([], list(range(plan.first_year, plan.last_year + 1)))
    else:
        initial = {"indicator": task.indicator_id, "title": task.title, "description": task.description,
                   "owner": task.owner_id, "collaborators": [u.pk for u in task.collaborators.all()],
                   "deadline": task.deadline, "unit_of_measure": task.unit_of_measure}
        initial |= targets_initial(list(task.targets.all()), list(range(plan.first_year, plan.last_year + 1)))
    form = TaskForm(request.POST or None, initial=initial, plan=plan, criteria=criteria, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            task = _save_task(request, plan, task, form.cleaned_data, {u.pk: u for u in units},
                              {c.id: c for c in Indicator.objects.filter(framework=framework,
                                                                         pk=form.cleaned_data["indicator"])})
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Đã lưu nhiệm vụ “{task.title}” và các chỉ tiêu.")
            return redirect("national:task_detail", province=request.province.slug, task_id=task.pk)
    return render(request, "national/task_form.html", {
        "form": form, "plan": plan, "task": task, "measures": form.measures,
        "title": f"Sửa nhiệm vụ – {task.title}" if task else "Thêm nhiệm vụ",
        "cancel_url": reverse("national:task_detail", kwargs={"province": request.province.slug, "task_id": task.pk})
        if task else _plan_url(request, plan),
    }, status=400 if form.errors else 200)


def _save_task(request, plan, task, data, units: dict[int, Unit], indicators: dict[int, Indicator]) -> Task:
    """The task, its new organisations and its targets: all or nothing."""
    with transaction.atomic():
        if data["new_owner"]:
            owner = services.owner_create(province=plan.province, name=data["new_owner"], actor=request.user)
        else:
            owner = units[data["owner"]]
        collaborators = [units[pk] for pk in data["collaborators"]]
        collaborators += [services.owner_create(province=plan.province, name=name, actor=request.user)
                          for name in data["new_collaborators"]]
        task = services.task_save(
            plan=plan, task=task, indicator=indicators[data["indicator"]], title=data["title"],
            description=data["description"], owner=owner, collaborators=collaborators, deadline=data["deadline"],
            unit_of_measure=data["unit_of_measure"], actor=request.user)
        services.targets_save(task=task, targets=data["targets"], actor=request.user)
    return task


@province_view()
@require_http_methods(["GET", "POST"])
@refuse_read_only
def task_create(request, plan_id: int):
    plan = get_plan_for_user(request, plan_id, write=True)
    return _task_form_page(request, plan, None)


@province_view()
@require_http_methods(["GET", "POST"])
@refuse_read_only
def task_edit(request, task_id: int):
    task, _ = get_task_for_user(request, task_id, write=True)
    return _task_form_page(request, task.plan, task)


@province_view()
def task_detail(request, task_id: int):
    task, can_manage = get_task_for_user(request, task_id)
    framework = national_catalogue(task.plan.province, task.plan.base_year)
    criteria, pillars, base_total, _ = catalogue_points(framework, task.plan.base_year) if framework else ({}, [], 0, False)
    criterion = criteria.get(task.indicator_id)

    rows = [score_target(criterion, task.pk, t.year, t.value, t.inputs) for t in task.targets.all()] if criterion else []
    pillar = next((p for p in pillars if criterion and p.id == criterion.pillar_id), None)
    return render(request, "national/task_detail.html", {
        "task": task, "plan": task.plan, "criterion": criterion, "rows": rows, "pillar": pillar,
        "collaborators": list(task.collaborators.all()), "can_manage": can_manage,
        "sees_province": bool(request.roles & READERS),
    })


@province_view()
@require_http_methods(["GET", "POST"])
@refuse_read_only
def task_delete(request, task_id: int):
    task, _ = get_task_for_user(request, task_id, write=True)
    if request.method == "POST":
        try:
            services.task_delete(task=task, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("national:task_detail", province=request.province.slug, task_id=task.pk)
        messages.success(request, f"Đã xoá nhiệm vụ “{task.title}”.")
        return redirect("national:plan_detail", province=request.province.slug, plan_id=task.plan_id)
    return render(request, "national/task_confirm_delete.html", {"task": task, "plan": task.plan})
