"""Progress reports: an owner organisation's officer sees only its own tasks and reports on them while a
period is open; the coordinating agency (province admin) and leadership see who reported and download
the consolidated report. Thin views: access through national.reports' helpers, writes through its services."""

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
from .reports import (QUARTER_NAMES, READERS, YEARLY, current_quarter, get_evidence_for_user, get_report_for_user,
                      get_task_for_user, local_today, next_window, open_windows, owner_tasks, period_overview,
                      report_evidence_add, report_submit, window)

OWNER_OR_READER = (Role.UNIT_OFFICER, Role.PROVINCE_ADMIN, Role.LEADERSHIP)
YEARS_BACK, YEARS_AHEAD = 10, 1  # the years a period can be asked for, around today


def home_context(request) -> dict:
    """What this part shows on the national home page (national/views.py): an owner's officer sees its tasks and
    what is due; the coordinating agency and leadership see who reported in this quarter."""
    today = local_today()
    context = {"reports_today": today}
    units = officer_unit_ids(request)
    if units:
        context["reports_owner_tasks"] = owner_tasks(units, today.year, today)
        context["reports_open"] = open_windows(today)
        context["reports_next"] = next_window(today)
    if request.roles & READERS:
        overview = period_overview(today.year, current_quarter(today))
        context["reports_overview"] = {k: overview[k] for k in ("window", "state", "counts", "total")}
    return context


def _year(request, name: str = "nam") -> int:
    today = local_today()
    raw = request.GET.get(name, "")
    if not raw:
        return today.year
    if not raw.isdigit() or not today.year - YEARS_BACK <= int(raw) <= today.year + YEARS_AHEAD:
        raise Http404("Năm không hợp lệ.")
    return int(raw)


def _quarter(value) -> int:
    if str(value) not in {"0", "1", "2", "3", "4"}:
        raise Http404("Kỳ báo cáo không hợp lệ.")
    return int(value)


@province_view(Role.UNIT_OFFICER)
def report_tasks(request):
    """The owner's tasks of a year with a cell per period: the report, or why it cannot be written now."""
    year = _year(request)
    today = local_today()
    return render(request, "national/report_tasks.html", {
        "year": year, "years": range(today.year - 2, today.year + YEARS_AHEAD + 1), "today": today,
        "tasks": owner_tasks(officer_unit_ids(request), year, today), "open": open_windows(today), "next": next_window(today),
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
    editable = can_report and closed_reason is None
    initial = {"value": None if report.value is None else format_number(report.value), "account": report.account} if report else {}
    needs_value = bool(targets)
    if request.method == "POST":
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
        "editable": editable, "can_report": can_report, "closed_reason": closed_reason,
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


def _period(request) -> tuple[int, int]:
    today = local_today()
    year = _year(request)
    quarter = _quarter(request.GET.get("ky", current_quarter(today) if year == today.year else YEARLY))
    return year, quarter


@province_view(*READERS)
def report_overview(request):
    """Who reported in a period: every task of the plans running that year, reported or not, late."""
    year, quarter = _period(request)
    today = local_today()
    return render(request, "national/report_overview.html", {
        "overview": period_overview(year, quarter), "year": year, "quarter": quarter,
        "years": range(today.year - 2, today.year + YEARS_AHEAD + 1), "quarters": list(QUARTER_NAMES.items()),
    })


@province_view(*READERS)
def report_consolidated(request, fmt: str):
    """The consolidated report of a period as PDF or Excel, to send to the ministry."""
    year, quarter = _period(request)
    report = consolidated_report.consolidated(request.province, year, quarter)
    if fmt == "pdf":
        content, content_type = consolidated_report.render_pdf(report), "application/pdf"
    else:
        content = consolidated_report.render_workbook(report)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{consolidated_report.file_name(report, fmt)}"'
    return response

