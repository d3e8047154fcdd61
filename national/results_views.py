"""Pages of the national results: a year's table as published, the lost-points analysis, and the
admin's entry of ranks, pillars, other provinces' totals and the import of a year.

The province admin (the coordinating agency) manages; leadership reads. A unit officer gets 404
(an owner organisation's officer sees only its own tasks); other roles get 403.
"""

import base64

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from dti_portal.accounts.access import province_view
from dti_portal.accounts.models import Role
from dti_portal.tenancy.selectors import province_in_lineage
from indicators.scoring import format_number

from . import analysis
from .access import ReadOnly, refuse_read_only
from .results import peers_save, pillars_save, result_import, result_save
from .results_forms import ImportForm, PeersForm, ResultForm

READERS = frozenset({Role.PROVINCE_ADMIN, Role.LEADERSHIP})
SESSION_KEY = "national_result_import"


def _check(request, *, manage: bool = False) -> bool:
    """404 for a unit officer, 403 for another role; True when the user may manage."""
    if not request.roles & READERS:
        if request.roles <= {Role.UNIT_OFFICER}:
            raise Http404("Không có trang này.")
        raise PermissionDenied("Vai trò của bạn không được mở trang này.")
    can_manage = Role.PROVINCE_ADMIN in request.roles
    if manage and not can_manage:
        raise PermissionDenied("Chỉ cơ quan đầu mối (quản trị cấp tỉnh) ghi được kết quả DTI cấp tỉnh.")
    return can_manage


def _result(request, year: int, *, manage: bool = False):
    """The year's result of the province named by `?tinh=` (the current one by default, or a province
    merged into it: 404 for any other). A merged province's results are read-only."""
    holder = province_in_lineage(request.province, request.GET.get("tinh"))
    if manage and holder.pk != request.province.pk:
        raise ReadOnly(f"Kết quả DTI cấp tỉnh năm {year} của {holder.name} (đã hợp nhất vào {request.province.name}) "
                       "được giữ nguyên như đã công bố: chỉ xem, không sửa được.",
                       reverse("national:result", kwargs={"province": request.province.slug, "year": year})
                       + f"?tinh={holder.slug}")
    result = analysis.result_of(holder, year)
    if result is None:
        raise Http404("Chưa có kết quả DTI cấp tỉnh của năm này.")
    result.province = holder  # already read: no query for its name
    return result


def _page(result, can_manage: bool, request) -> dict:
    """What the header of a year's pages needs: a predecessor's result is labelled and never managed."""
    predecessor = result.province if result.province_id != request.province.pk else None
    return {"predecessor": predecessor, "can_manage": can_manage and predecessor is None,
            "tinh_query": f"?tinh={predecessor.slug}" if predecessor else ""}


def home_context(request) -> dict:
    """What this part shows on the national home page (national/views.py)."""
    if not request.roles & READERS:
        return {}
    return {"national_results": analysis.results_of(request.province),
            "can_manage_results": Role.PROVINCE_ADMIN in request.roles}


@province_view()
@require_http_methods(["GET"])
def result(request, year: int):
    can_manage = _check(request)
    found = _result(request, year)
    table = analysis.result_table(found)
    return render(request, "national/result.html", {"table": table, **_page(found, can_manage, request)})


@province_view()
@require_http_methods(["GET"])
def result_analysis(request, year: int):
    can_manage = _check(request)
    result = _result(request, year)
    found = analysis.lost_points(result)
    return render(request, "national/analysis.html",
                  {"analysis": found, "table": found.table, **_page(result, can_manage, request)})


@province_view()
@require_http_methods(["GET", "POST"])
@refuse_read_only
def result_edit(request, year: int):
    _check(request, manage=True)
    found = _result(request, year, manage=True)
    pillars = list(found.assessment.framework.indicators.filter(parent__isnull=True).order_by("position", "pk"))
    saved = {p.indicator_id: p for p in found.pillars.all()}
    initial = {"rank": found.rank or "", "provinces": found.provinces, "published_total": _shown(found.published_total),
               "source": found.source}
    for pillar in pillars:
        if pillar.pk in saved:
            initial[f"rank_{pillar.pk}"] = saved[pillar.pk].rank or ""
            initial[f"points_{pillar.pk}"] = _shown(saved[pillar.pk].published_points)
    form = ResultForm(request.POST or None, initial=initial, pillars=pillars)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    result_save(province=request.province, year=year, assessment=found.assessment, rank=data["rank"],
                                provinces=data["provinces"], published_total=data["published_total"], source=data["source"],
                                actor=request.user)
                    found.refresh_from_db()
                    pillars_save(result=found, pillars=form.pillar_values(), actor=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"Đã ghi kết quả và thứ hạng năm {year}.")
                return redirect("national:result", province=request.province.slug, year=year)
        status = 400
    return render(request, "national/result_edit.html", {"form": form, "result": found}, status=status)


@province_view()
@require_http_methods(["GET", "POST"])
@refuse_read_only
def result_peers(request, year: int):
    _check(request, manage=True)
    found = _result(request, year, manage=True)
    text = "\n".join(f"{p.name}: {format_number(p.total)}" for p in found.peers.all())
    form = PeersForm(request.POST or None, initial={"peers": text})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                peers_save(result=found, peers=form.cleaned_data["peers"], actor=request.user)
            except ValidationError as error:
                form.add_error("peers", error)
            else:
                messages.success(request, f"Đã ghi tổng điểm của {len(form.cleaned_data['peers'])} tỉnh, thành phố năm {year}.")
                return redirect("national:result", province=request.province.slug, year=year)
        status = 400
    return render(request, "national/result_peers.html", {"form": form, "result": found}, status=status)


@province_view()
@require_http_methods(["GET", "POST"])
def result_upload(request):
    """Upload a year's table → preview (nothing saved) → confirm (all or nothing)."""
    _check(request, manage=True)
    report, status = None, 200
    form = ImportForm(initial={"year": request.GET.get("nam", "")})
    if request.method == "POST" and "confirm" in request.POST:
        pending = request.session.pop(SESSION_KEY, None)
        if not pending or pending["province"] != request.province.pk:
            messages.error(request, "Phiên nhập đã hết hạn; hãy tải tệp lên lại.")
            return redirect("national:result_import", province=request.province.slug)
        report = result_import(province=request.province, year=pending["year"], filename=pending["name"],
                               content=base64.b64decode(pending["content"]), rank=pending["rank"],
                               provinces=pending["provinces"], source=pending["source"], actor=request.user)
        if report.ok:
            messages.success(request, f"Đã nhập kết quả DTI cấp tỉnh năm {report.year}: {report.criteria} chỉ số có điểm.")
            return redirect("national:analysis", province=request.province.slug, year=report.year)
        status = 400
    elif request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            data, upload = form.cleaned_data, form.cleaned_data["file"]
            content = upload.read()
            report = result_import(province=request.province, year=data["year"], filename=upload.name, content=content,
                                   rank=data["rank"], provinces=data["provinces"], source=data["source"], dry_run=True,
                                   actor=request.user)
            if report.ok:
                request.session[SESSION_KEY] = {
                    "province": request.province.pk, "year": data["year"], "name": upload.name, "rank": data["rank"],
                    "provinces": data["provinces"], "source": data["source"], "content": base64.b64encode(content).decode()}
            else:
                status = 400
        else:
            status = 400
    return render(request, "national/result_import.html", {"form": form, "report": report}, status=status)


def _shown(value) -> str:
    return format_number(value) if value is not None else ""
