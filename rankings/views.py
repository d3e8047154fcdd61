import base64

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST

from assessments.selectors import periods_of
from dti_portal.accounts.access import get_unit_for_user, province_view
from dti_portal.accounts.models import Role
from dti_portal.tenancy.models import UnitKind
from dti_portal.tenancy.names import vn_sort_key
from dti_portal.tenancy.selectors import province_in_lineage, registry_context

from . import selectors
from .charts import bar_chart
from .exporters import ranking_sheets, render_csv, render_xlsx, results_file
from .forms import PublicationForm
from .models import Publication, Scorecard
from .publication import file_slug, publication_discard, publication_plan, publication_request, publication_retry
from .publication import snapshot_of  # the table as the page shows it, for the downloads
from .results import results_import

SESSION_KEY = "results_import"


@province_view(Role.LEADERSHIP, Role.PROVINCE_ADMIN)
def leadership_home(request):
    """Leadership's home: the rankings available, the periods under way, the units."""
    query = request.GET.get("q", "")
    return render(request, "rankings/leadership_home.html", {
        "rankings": selectors.available(request.province), "periods": periods_of(request.province),
        **registry_context(request.province, query),
    })


@province_view()
def ranking_list(request):
    return render(request, "rankings/ranking_list.html", {
        "rankings": selectors.available(request.province), "can_import": Role.PROVINCE_ADMIN in request.roles,
        "history": selectors.province_history(request.province),
    })


def _shown(request):
    """The province whose page of a year is asked for: the tenant, or a province merged into it
    named by `?tinh=` (its pages keep the name they were published under); 404 for any other."""
    return province_in_lineage(request.province, request.GET.get("tinh"))


def _table(request, year, kind_code):
    shown = _shown(request)
    kind = get_object_or_404(UnitKind, province=shown, code=kind_code)
    table = selectors.ranking_table(shown, year, kind)
    if table is None:
        raise Http404("Chưa có kết quả cho năm và loại đơn vị này.")
    return shown, table


@province_view()
def ranking_detail(request, year: int, kind_code: str):
    shown, table = _table(request, year, kind_code)
    sort = request.GET.get("sap-xep", "")
    rows = list(table.rows)
    if sort and sort in {c.key for c in table.columns}:
        rows.sort(key=lambda r: (r.parts.get(sort) is None, -(r.parts.get(sort) or 0)))
    elif sort == "don-vi":
        rows.sort(key=lambda r: vn_sort_key(r.unit))
    return render(request, "rankings/ranking_detail.html", {
        "table": table, "rows": rows, "sort": sort, "shown": shown, "own": shown.pk == request.province.pk,
        "tinh": "" if shown.pk == request.province.pk else shown.slug,
        "chart": mark_safe(bar_chart(table.rows if table.by == "total" else [], maximum=table.max_total)),
    })


@province_view()
def ranking_export(request, year: int, kind_code: str):
    """The ranking page as a workbook (its columns and headers, then the pillar rankings), or as a
    results CSV that `import_results` reads back."""
    shown, table = _table(request, year, kind_code)
    table = snapshot_of(table)
    name = f"xep-hang-{shown.slug}-{year}-{kind_code}"
    if request.GET.get("format") == "csv":
        response = HttpResponse(render_csv(*results_file([table])), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    response = HttpResponse(render_xlsx(ranking_sheets(table)), content_type=XLSX)
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
        report = results_import(actor=request.user, province=request.province, year=pending["year"], filename=pending["name"],
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
            report = results_import(actor=request.user, province=request.province, year=int(year), filename=upload.name, content=content, dry_run=True)
            if report.ok:
                request.session[SESSION_KEY] = {"province": request.province.pk, "year": int(year), "name": upload.name,
                                                "content": base64.b64encode(content).decode()}
    status = 400 if report is not None and not report.ok else 200
    return render(request, "rankings/results_upload.html", {"report": report}, status=status)


# --- publication --------------------------------------------------------------------------
# Province-wide roles read publications; a unit's officers may also fetch their own unit's scorecard.
PUBLICATION_READERS = (Role.LEADERSHIP, Role.PROVINCE_ADMIN, Role.APPRAISAL_LEAD, Role.APPRAISER)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@province_view(*PUBLICATION_READERS)
def publication_list(request):
    publications = selectors.publications_of(request.province)
    for publication in publications:
        publication.progress = selectors.publication_progress(publication)
    return render(request, "rankings/publication_list.html", {
        "publications": publications, "can_publish": Role.PROVINCE_ADMIN in request.roles,
        "years": _years(request.province), "form": PublicationForm(),
    })


def _years(province) -> list[int]:
    """Years the province itself may publish (a predecessor's history is read-only)."""
    return sorted({r.year for r in selectors.available(province) if r.own} | _period_years(province), reverse=True)


def _period_years(province) -> set[int]:
    from assessments.models import Period

    return set(Period.objects.filter(province=province).values_list("year", flat=True))


def _publication_form(request, form, refusal: str = "", status: int = 200):
    """The publish form on its own page, with what was typed and why it was refused."""
    return render(request, "rankings/publication_form.html", {
        "form": form, "years": _years(request.province), "refusal": refusal}, status=status)


@require_http_methods(["GET", "POST"])
@province_view(Role.PROVINCE_ADMIN)
def publication_create(request):
    """GET with the form's values: what publishing will do (the confirmation page); POST: validate,
    record the request and queue it (the workers make the files; the page shows progress). A
    refusal shows the form again with the typed values (400)."""
    if request.method == "GET":
        if not request.GET or "sua" in request.GET:  # the form alone, or again to change what was typed
            return _publication_form(request, PublicationForm(request.GET or None))
        form = PublicationForm(request.GET)
        if not form.is_valid():
            return _publication_form(request, form, status=400)
        plan = publication_plan(request.province, form.cleaned_data["year"])
        if plan["refusal"]:
            return _publication_form(request, form, plan["refusal"], status=400)
        return render(request, "rankings/publication_confirm.html", {"form": form, "plan": plan})
    form = PublicationForm(request.POST)
    if not form.is_valid():
        return _publication_form(request, form, status=400)
    data = form.cleaned_data
    try:
        publication = publication_request(
            province=request.province, year=data["year"], decision_number=data["decision_number"].strip(),
            decision_date=data["decision_date"], signer=data["signer"].strip(), actor=request.user)
    except ValidationError as error:
        return _publication_form(request, form, " ".join(error.messages), status=400)
    messages.success(request, f"Đã ghi nhận yêu cầu công bố kết quả năm {publication.year}; "
                              "báo cáo và phiếu điểm đang được tạo, tiến độ hiện ở trang này.")
    return redirect("rankings:publication_detail", province=request.province.slug, year=publication.year)


def _publication_for(request, year: int, *, acting: bool = False):
    """The publication of `year` of the province `?tinh=` names (the tenant's own without it).
    `acting` (retry, discard): the tenant's own only; a predecessor's publication is read-only history."""
    shown = _shown(request)
    if acting and shown.pk != request.province.pk:
        raise Http404("Công bố của tỉnh đã hợp nhất chỉ để xem, không thử lại hay huỷ được.")
    publication = selectors.publication_of(shown, year)
    if publication is None:
        raise Http404("Chưa có yêu cầu công bố cho năm này.")
    publication.own = shown.pk == request.province.pk
    publication.tinh = "" if publication.own else shown.slug
    return publication


@province_view(*PUBLICATION_READERS)
def publication_detail(request, year: int):
    """Progress while the workers make it (the page reloads itself), then the files and scorecards."""
    publication = _publication_for(request, year)
    return render(request, "rankings/publication_detail.html", {
        "publication": publication, "progress": selectors.publication_progress(publication),
        "scorecards": publication.scorecards.only("unit_id", "unit_name", "framework", "pdf_sha256", "position", "publication_id"),
        "can_publish": Role.PROVINCE_ADMIN in request.roles and publication.own, "stalled": publication.stalled(),
        "can_retry": publication.can_retry(),
    })


@require_POST
@province_view(Role.PROVINCE_ADMIN)
def publication_retry_view(request, year: int):
    publication = _publication_for(request, year, acting=True)
    try:
        publication_retry(publication=publication, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Đang thử lại lần công bố năm {year} (lần {publication.attempt}).")
    return redirect("rankings:publication_detail", province=request.province.slug, year=year)


@require_POST
@province_view(Role.PROVINCE_ADMIN)
def publication_discard_view(request, year: int):
    publication = _publication_for(request, year, acting=True)
    try:
        publication_discard(publication=publication, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("rankings:publication_detail", province=request.province.slug, year=year)
    messages.success(request, f"Đã huỷ yêu cầu công bố năm {year}; có thể gửi yêu cầu mới.")
    return redirect("rankings:publication_list", province=request.province.slug)


def _published(request, year: int):
    """The publication of `year` of the province `?tinh=` names (the tenant's own without it), only
    once published (files of one in progress are not served)."""
    return get_object_or_404(Publication.objects.select_related("province").defer("snapshot"), province=_shown(request),
                             year=year, status=Publication.Status.PUBLISHED)


def _publication_file(publication, kind):
    field = {"pdf": publication.pdf, "xlsx": publication.xlsx, "zip": publication.bundle}[kind]
    content_type = {"pdf": "application/pdf", "xlsx": XLSX, "zip": "application/zip"}[kind]
    # the stored file, byte for byte, under the name of the province that published it
    name = f"bao-cao-dti-{publication.province.slug}-{publication.year}.{kind}"
    if kind == "zip":
        name = f"phieu-diem-dti-{publication.province.slug}-{publication.year}.zip"
    return FileResponse(field.open("rb"), content_type=content_type, as_attachment=True, filename=name)


@province_view(*PUBLICATION_READERS)
def publication_download(request, year: int, kind: str):
    if kind not in ("pdf", "xlsx", "zip"):
        raise Http404
    publication = _published(request, year)
    if kind == "zip" and not publication.bundle:
        raise Http404("Lần công bố này không có phiếu điểm đơn vị.")
    return _publication_file(publication, kind)


@province_view()
def scorecard_download(request, year: int, unit_id: int):
    """One unit's scorecard: province-wide roles, or the unit's own officers; anyone else 404."""
    unit = get_unit_for_user(request, unit_id)
    card = get_object_or_404(Scorecard.objects.select_related("publication__province"), unit=unit, publication__year=year,
                             publication__province=_shown(request), publication__status=Publication.Status.PUBLISHED)
    return FileResponse(card.pdf.open("rb"), content_type="application/pdf", as_attachment=True,
                        filename=f"phieu-diem-{card.publication.province.slug}-{year}-{file_slug(card.unit_name)}.pdf")


def public_home(request, province):
    """Published results, for anyone, without login: only what has been published, the provinces'
    merged into this one too, under the name they were published under."""
    return render(request, "rankings/public_home.html", {
        "publications": selectors.publications_of(request.province, published_only=True),
    })


def public_year(request, province, year: int):
    shown = _shown(request)
    publication = get_object_or_404(Publication, province=shown, year=year, status=Publication.Status.PUBLISHED)
    return render(request, "rankings/public_year.html", {
        "publication": publication, "snapshot": publication.snapshot, "shown": shown,
        "tinh": "" if shown.pk == request.province.pk else shown.slug})


def public_download(request, province, year: int, kind: str):
    if kind not in ("pdf", "xlsx"):
        raise Http404
    return _publication_file(_published(request, year), kind)
