import base64

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe

from assessments.selectors import periods_of
from dti_portal.accounts.access import province_view
from dti_portal.accounts.models import Role
from dti_portal.tenancy.models import UnitKind
from dti_portal.tenancy.selectors import units_by_kind

from . import selectors
from .charts import bar_chart
from .exporters import ranking_rows, render_csv, render_xlsx
from .results import results_import

SESSION_KEY = "results_import"


@province_view(Role.LEADERSHIP, Role.PROVINCE_ADMIN)
def leadership_home(request):
    """Leadership's home: the rankings available, the periods under way, the units."""
    return render(request, "rankings/leadership_home.html", {
        "rankings": selectors.available(request.province), "periods": periods_of(request.province),
        "groups": units_by_kind(request.province),
    })


@province_view()
def ranking_list(request):
    return render(request, "rankings/ranking_list.html", {
        "rankings": selectors.available(request.province), "can_import": Role.PROVINCE_ADMIN in request.roles,
    })


def _table(request, year, kind_code):
    kind = get_object_or_404(UnitKind, code=kind_code)
    table = selectors.ranking_table(request.province, year, kind)
    if table is None:
        raise Http404("Chưa có kết quả cho năm và loại đơn vị này.")
    return table


@province_view()
def ranking_detail(request, year: int, kind_code: str):
    table = _table(request, year, kind_code)
    sort = request.GET.get("sap-xep", "")
    rows = list(table.rows)
    if sort and sort in {c.key for c in table.columns}:
        rows.sort(key=lambda r: (r.parts.get(sort) is None, -(r.parts.get(sort) or 0)))
    elif sort == "don-vi":
        rows.sort(key=lambda r: r.unit)
    return render(request, "rankings/ranking_detail.html", {
        "table": table, "rows": rows, "sort": sort,
        "chart": mark_safe(bar_chart(table.rows if table.by == "total" else [], maximum=table.max_total)),
    })


@province_view()
def ranking_export(request, year: int, kind_code: str):
    table = _table(request, year, kind_code)
    header, rows = ranking_rows(table)
    name = f"xep-hang-{request.province.slug}-{year}-{kind_code}"
    if request.GET.get("format") == "csv":
        response = HttpResponse(render_csv(header, rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    sheets = [("Xếp hạng", header, rows)]
    for aggregate in table.aggregates:
        sheets.append((aggregate.name, ["rank", "unit", "points"],
                       [[r.rank, r.unit, r.total if r.total is not None else "-"] for r in aggregate.rows]))
    response = HttpResponse(render_xlsx(sheets), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


@province_view(Role.PROVINCE_ADMIN)
def results_upload(request):
    """Upload a published results file → preview (dry run) → confirm (all or nothing)."""
    report = None
    if request.method == "POST" and "confirm" in request.POST:
        pending = request.session.pop(SESSION_KEY, None)
        if not pending or pending["province"] != request.province.pk:
            messages.error(request, "Phiên nhập đã hết hạn; hãy tải tệp lên lại.")
            return redirect("rankings:results_upload", province=request.province.slug)
        report = results_import(province=request.province, year=pending["year"], filename=pending["name"],
                                content=base64.b64decode(pending["content"]))
        if report.ok:
            messages.success(request, f"Đã nhập kết quả năm {pending['year']}: {report.imported} đơn vị.")
            return redirect("rankings:ranking_list", province=request.province.slug)
    elif request.method == "POST":
        upload, year = request.FILES.get("file"), request.POST.get("year", "")
        if upload is None or not year.isdigit() or not 2000 <= int(year) <= 2100:
            messages.error(request, "Hãy chọn tệp CSV và nhập năm (ví dụ 2023).")
        elif upload.size > 2 * 1024 * 1024:
            messages.error(request, "Tệp lớn hơn 2 MB.")
        else:
            content = upload.read()
            report = results_import(province=request.province, year=int(year), filename=upload.name, content=content, dry_run=True)
            if report.ok:
                request.session[SESSION_KEY] = {"province": request.province.pk, "year": int(year), "name": upload.name,
                                                "content": base64.b64encode(content).decode()}
    status = 400 if report is not None and not report.ok else 200
    return render(request, "rankings/results_upload.html", {"report": report}, status=status)
