"""Progress reports: an owner organisation's officer sees only its own tasks and reports on them while a
period is open; the coordinating agency (province admin) and leadership see who reported and download
the consolidated report. Thin views: access through national.reports' helpers, writes through its services."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from assessments.evidence import ALLOWED_SUMMARY, EvidenceRefused, max_bytes
from dti_portal.accounts.access import officer_unit_ids, province_view
from dti_portal.accounts.models import Role
from indicators.scoring import format_number

from . import consolidated as consolidated_report
from .report_forms import EvidenceForm, ReportForm
from .reports import (QUARTER_NAMES, READERS, YEARLY, current_quarter, default_year, get_evidence_for_user,
                      get_report_for_user, get_task_for_user, local_today, next_window, open_windows, owner_tasks,
                      period_overview, plan_years, report_evidence_add, report_submit, window)

OWNER_OR_READER = (Role.UNIT_OFFICER, Role.PROVINCE_ADMIN, Role.LEADERSHIP)


def home_context(request) -> dict:
    """What this part shows on the national home page (national/views.py): an owner's officer sees its tasks and
    what is due; the coordinating agency and leadership see who reported in this quarter."""
    today = local_today()
    units, reads = officer_unit_ids(request), bool(request.roles & READERS)
    if not units and not reads:
        return {}
    planned = plan_years()
    year = default_year(today, planned)
    context = {"reports_today": today, "reports_year": year}
    if units:
        context["reports_owner_tasks"] = owner_tasks(units, year, today)
        context["reports_plan_over"] = _plan_over(today, planned)
        context["reports_open"] = [] if context["reports_plan_over"] else open_windows(today)
        context["reports_next"] = next_window(today)
    if reads:
        overview = period_overview(year, _default_quarter(year, today))
        context["reports_overview"] = {k: overview[k] for k in ("window", "state", "counts", "total")}
    return context


def _plan_over(today: date, planned: list[int]) -> int | None:
    """The last plan year when every plan has ended (no report is due any more), else None."""
    return planned[-1] if planned and today.year > planned[-1] else None


def _default_quarter(year: int, today: date) -> int:
    """This quarter in this year; the yearly report of another year."""
    return current_quarter(today) if year == today.year else YEARLY


def _year(request) -> tuple[int, list[int]]:
    """The year asked for (?nam=), one a plan runs or this one, else 404; and the years to offer."""
    today, planned = local_today(), plan_years()
    years = sorted(set(planned) | {today.year})
    raw = request.GET.get("nam", "")
    if not raw:
        return default_year(today, planned), years
    if not raw.isdigit() or int(raw) not in years:
        raise Http404("Năm không hợp lệ.")
    return int(raw), years


def _quarter(value) -> int:
    if str(value) not in {"0", "1", "2", "3", "4"}:
        raise Http404("Kỳ báo cáo không hợp lệ.")
    return int(value)


@province_view(Role.UNIT_OFFICER)
def report_tasks(request):
    """The owner's tasks of a year with a cell per period: the report, or why it cannot be written now."""
    year, years = _year(request)
    today = local_today()
    over = _plan_over(today, plan_years())
    return render(request, "national/report_tasks.html", {
        "year": year, "years": years, "today": today,
        "tasks": owner_tasks(officer_unit_ids(request), year, today), "next": next_window(today),
        "open": [] if over else open_windows(today), "plan_over": over,
    })


@province_view(*OWNER_OR_READER)
def report_edit(request, task_id: int, year: int, quarter: int):
    """GET: the period's report (a form while the window is open and the user is the owner's officer).
    POST: save it, with a first evidence file if one is chosen (both or neither)."""
    task, can_report = get_task_for_user(request, task_id)
    quarter = _quarter(quarter)
    if not task.plan.first_year <= year <= task.plan.last_year:
        raise Http404("Kế hoạch không có năm này.")
    w = window(year, quarter)
    today = local_today()
    report = task.reports.filter(year=year, quarter=quarter).select_related("submitted_by").first()
    targets = list(task.targets.all())
    closed_reason = w.refusal(today)
    merged = task.plan.province if task.plan.province_id != request.province.pk else None
    editable = can_report and closed_reason is None
    initial = {"value": None if report.value is None else format_number(report.value), "account": report.account} if report else {}
    needs_value = bool(targets)
    if request.method == "POST":
        if merged is not None:
            raise PermissionDenied(f"Nhiệm vụ thuộc kế hoạch của {merged.name} (đã hợp nhất): chỉ xem, không báo cáo thêm.")
        if not can_report:
            raise PermissionDenied("Chỉ cán bộ đầu mối của đơn vị chủ trì được báo cáo nhiệm vụ này.")
        form = ReportForm(request.POST, request.FILES, needs_value=needs_value)
        if form.is_valid():
            try:
                with transaction.atomic():
                    report = report_submit(task=task, year=year, quarter=quarter, value=form.cleaned_data["value"],
                                           account=form.cleaned_data["account"], actor=request.user)
                    if form.cleaned_data.get("file"):
                        report_evidence_add(report=report, upload=form.cleaned_data["file"], actor=request.user)
            except (ValidationError, EvidenceRefused) as error:
                form.add_error(None, error.message if isinstance(error, EvidenceRefused) else " ".join(error.messages))
            else:
                messages.success(request, f"Đã lưu báo cáo {w.label} của nhiệm vụ “{task.title}”.")
                return redirect(_edit_url(request, task.pk, year, quarter))
        status = 400
    else:
        form, status = ReportForm(initial=initial, needs_value=needs_value), 200
    return render(request, "national/report_form.html", {
        "task": task, "window": w, "year": year, "report": report, "targets": targets, "form": form,
        "editable": editable, "can_report": can_report, "closed_reason": closed_reason, "merged": merged,
        "evidence": list(report.evidence.select_related("uploaded_by")) if report else [],
        "evidence_form": EvidenceForm(), "max_mb": max_bytes() // (1024 * 1024), "allowed": ALLOWED_SUMMARY,
    }, status=status)


def _edit_url(request, task_id: int, year: int, quarter: int) -> str:
    return reverse("national:report_edit", kwargs={"province": request.province.slug, "task_id": task_id,
                                                   "year": year, "quarter": quarter})


@require_POST
@province_view(Role.UNIT_OFFICER)
def report_evidence_upload(request, report_id: int):
    report, can_report = get_report_for_user(request, report_id)
    if not can_report:
        raise Http404("Không có báo cáo này.")
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["file"]))
    else:
        try:
            evidence = report_evidence_add(report=report, upload=form.cleaned_data["file"], actor=request.user)
        except (ValidationError, EvidenceRefused) as error:
            messages.error(request, error.message if isinstance(error, EvidenceRefused) else " ".join(error.messages))
        else:
            messages.success(request, f"Đã tải lên “{evidence.original_name}”.")
    return redirect(_edit_url(request, report.task_id, report.year, report.quarter))


@province_view(*OWNER_OR_READER)
def report_evidence_download(request, report_evidence_id: int):
    """Evidence only through here: the permission check, then the stored file as an attachment, sandboxed."""
    evidence = get_evidence_for_user(request, report_evidence_id)
    response = FileResponse(evidence.file.open("rb"), content_type=evidence.content_type,
                            as_attachment=request.GET.get("xem") != "1", filename=evidence.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response


def _period(request) -> tuple[int, int, list[int]]:
    year, years = _year(request)
    return year, _quarter(request.GET.get("ky", _default_quarter(year, local_today()))), years


@province_view(*READERS)
def report_overview(request):
    """Who reported in a period: every task of the plans running that year, reported or not, late."""
    year, quarter, years = _period(request)
    return render(request, "national/report_overview.html", {
        "overview": period_overview(year, quarter), "year": year, "quarter": quarter,
        "years": years, "quarters": list(QUARTER_NAMES.items()),
    })


@province_view(*READERS)
def report_consolidated(request, fmt: str):
    """The consolidated report of a period as PDF or Excel, to send to the ministry."""
    year, quarter, _ = _period(request)
    report = consolidated_report.consolidated(request.province, year, quarter)
    if fmt == "pdf":
        content, content_type = consolidated_report.render_pdf(report), "application/pdf"
    else:
        content = consolidated_report.render_workbook(report)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{consolidated_report.file_name(report, fmt)}"'
    return response

