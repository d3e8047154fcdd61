import base64

import tablib

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from dti_portal.accounts.access import province_view
from dti_portal.accounts.models import Role
from dti_portal.tenancy.models import UnitKind
from dti_portal.tenancy.selectors import former_province_label, lineage_provinces

from . import selectors, services
from .catalogue import rule_guide, template_rows
from .forms import CloneForm, FrameworkForm, ImportForm, IndicatorForm
from .resources import EXPORT_COLUMNS, IndicatorResource
from .tables import render_csv, render_xlsx

ADMIN = Role.PROVINCE_ADMIN
IMPORT_SESSION_KEY = "framework_import"
RULE_GUIDE = rule_guide()  # the columns, then every rule with an example, from the engine


def _url(request, framework):
    return redirect("indicators:framework_detail", province=request.province.slug, framework_id=framework.pk)


def _form_page(request, form, title, framework=None):
    if framework is None:
        cancel = reverse("indicators:framework_list", kwargs={"province": request.province.slug})
    else:
        cancel = reverse("indicators:framework_detail", kwargs={"province": request.province.slug, "framework_id": framework.pk})
    return render(request, "form_page.html", {"form": form, "title": title, "cancel_url": cancel})


def _refusal(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _merged_refusal(request, framework):
    """For a framework of a province merged into the tenant: a redirect to its page saying that it is
    history and can only be copied; None for the tenant's own."""
    if framework.province_id == request.province.pk:
        return None
    messages.error(request, f"Bộ chỉ số này thuộc {former_province_label(framework.province, lineage_provinces(request.province))}: "
                            f"giữ nguyên như đã dùng, không sửa, áp dụng hay xóa được. "
                            f"Hãy “Sao chép sang {request.province.name}” rồi sửa bản sao.")
    return _url(request, framework)


def _own_framework(request, framework_id: int):
    """(framework, None) for the tenant's own framework; (framework, the refusal) for a merged province's."""
    framework = selectors.get_framework(framework_id)
    return framework, _merged_refusal(request, framework)


@province_view()
def framework_list(request):
    return render(request, "indicators/framework_list.html", {
        "frameworks": selectors.frameworks_of(request.province), "can_edit": ADMIN in request.roles,
    })


@province_view()
def framework_detail(request, framework_id: int):
    framework = selectors.get_framework(framework_id, count_uses=True)
    query = request.GET.get("q", "")
    own = framework.province_id == request.province.pk
    can_edit = ADMIN in request.roles and own  # a merged province's framework is history: copied, never edited
    used_count = framework.use_count
    editable = can_edit and not used_count
    tree = selectors.framework_tree(framework, query, editable=editable, province_slug=request.province.slug)
    return render(request, "indicators/framework_detail.html", {
        "framework": framework, "nodes": tree.nodes, "query": query, "match_count": tree.match_count, "can_edit": can_edit,
        "editable": editable, "max_total": tree.max_total,
        # A framework in use cannot change, and it was checked when it was activated.
        "problems": services.framework_problems(framework) if editable else [],
        "bands": framework.bands.all(), "aggregates": tree.aggregates, "used_count": used_count,
        "can_clone": ADMIN in request.roles,
        "former_province": "" if own else former_province_label(framework.province, lineage_provinces(request.province)),
    })


@province_view(ADMIN)
def framework_create(request):
    form = FrameworkForm(request.POST or None, province=request.province)
    if request.method == "POST" and form.is_valid():
        meta, problems = services.parse_meta(request.province, form.meta_values())
        if problems:
            form.add_error("bands", [str(p) for p in problems])
        else:
            framework = services.framework_create(actor=request.user, province=request.province, meta=meta)
            messages.success(request, "Đã tạo bộ chỉ số (bản nháp). Hãy thêm chỉ tiêu hoặc nhập từ tệp.")
            return _url(request, framework)
    return _form_page(request, form, "Tạo bộ chỉ số")


@province_view(ADMIN)
def framework_edit(request, framework_id: int):
    framework, refused = _own_framework(request, framework_id)
    if refused:
        return refused
    initial = services.meta_values(framework) | {"unit_kind": framework.unit_kind_id,
                                                "decision_date": framework.decision_date}
    form = FrameworkForm(request.POST or None, initial=initial, province=request.province)
    if request.method == "POST" and form.is_valid():
        meta, problems = services.parse_meta(request.province, form.meta_values())
        try:
            if problems:
                raise ValidationError({"bands": [str(p) for p in problems]})
            services.framework_update(actor=request.user, framework=framework, meta=meta)
        except ValidationError as error:
            form.add_error("bands" if hasattr(error, "error_dict") else None, error.messages)
        else:
            messages.success(request, "Đã lưu thông tin bộ chỉ số.")
            return _url(request, framework)
    return _form_page(request, form, f"Sửa {framework.name}", framework)


@require_POST
@province_view(ADMIN)
def framework_delete(request, framework_id: int):
    framework, refused = _own_framework(request, framework_id)
    if refused:
        return refused
    try:
        services.framework_delete(actor=request.user, framework=framework)
    except ValidationError as error:
        _refusal(request, error)
        return _url(request, framework)
    messages.success(request, f"Đã xóa bộ chỉ số {framework.name}.")
    return redirect("indicators:framework_list", province=request.province.slug)


@require_POST
@province_view(ADMIN)
def framework_activate(request, framework_id: int):
    framework, refused = _own_framework(request, framework_id)
    if refused:
        return refused
    try:
        services.framework_activate(actor=request.user, framework=framework)
    except ValidationError as error:
        messages.error(request, "Chưa thể áp dụng bộ chỉ số:")
        _refusal(request, error)
    else:
        messages.success(request, "Bộ chỉ số đã được áp dụng.")
    return _url(request, framework)


@require_POST
@province_view(ADMIN)
def framework_retire(request, framework_id: int):
    framework, refused = _own_framework(request, framework_id)
    if refused:
        return refused
    framework = services.framework_retire(actor=request.user, framework=framework)
    messages.success(request, "Bộ chỉ số đã ngừng áp dụng.")
    return _url(request, framework)


@province_view(ADMIN)
def framework_clone(request, framework_id: int):
    """A draft copy for another year; a framework of a province merged into the tenant is copied into the
    tenant, for one of its unit kinds (the one of the same code offered first)."""
    framework = selectors.get_framework(framework_id)
    into = None if framework.province_id == request.province.pk else request.province
    initial = {"year": framework.year + 1}
    if into is not None:
        initial["unit_kind"] = UnitKind.objects.filter(province=into, code=framework.unit_kind.code).first()
    form = CloneForm(request.POST or None, initial=initial, into=into)
    if request.method == "POST" and form.is_valid():
        clone = services.framework_clone(actor=request.user, framework=framework, **form.cleaned_data)
        where = f" của {request.province.name}" if into is not None else ""
        messages.success(request, f"Đã sao chép thành bộ chỉ số{where} năm {clone.year} (bản nháp).")
        return _url(request, clone)
    title = f"Sao chép {framework.name}" + (f" sang {request.province.name}" if into is not None else "")
    return _form_page(request, form, title, framework)


@province_view()
def framework_export(request, framework_id: int):
    framework = selectors.get_framework(framework_id)
    fmt = request.GET.get("format", "xlsx")
    dataset = IndicatorResource(framework).export()
    name = slugify(f"bo-chi-so-{framework.unit_kind.code}-{framework.year}-{framework.pk}")
    if fmt == "csv":
        response = HttpResponse(render_csv(dataset), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    content = render_xlsx(dataset, services.meta_values(framework), RULE_GUIDE)
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


@province_view(ADMIN)
def import_template(request):
    dataset = tablib.Dataset(headers=EXPORT_COLUMNS)
    for row in template_rows():  # one indicator per common rule, written as decisions write them
        dataset.append(row)
    meta = {"name": "Bộ chỉ số …", "year": "2025", "unit_kind": "so", "precision": "2", "bands_on": "points",
            "non_reporting": "last", "bands": "Tốt:800|Khá:650|Trung bình:500|Yếu:0"}
    response = HttpResponse(render_xlsx(dataset, meta, RULE_GUIDE),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="mau-bo-chi-so.xlsx"'
    return response


@province_view(ADMIN)
def framework_import(request):
    """Upload → preview (dry run, every row with its outcome) → confirm (all or nothing)."""
    form = ImportForm(request.POST or None, request.FILES or None, province=request.province)
    if request.method == "POST" and "confirm" in request.POST:
        pending = request.session.get(IMPORT_SESSION_KEY)
        if not pending or pending.get("province") != request.province.pk:
            messages.error(request, "Phiên nhập đã hết hạn; hãy tải tệp lên lại.")
            return redirect("indicators:framework_import", province=request.province.slug)
        report = services.framework_import(
            actor=request.user, province=request.province, filename=pending["filename"], content=base64.b64decode(pending["content"]),
            meta=pending["meta"],
        )
        del request.session[IMPORT_SESSION_KEY]
        if report.saved:
            messages.success(request, f"Đã nhập bộ chỉ số với {len(report.rows)} chỉ tiêu.")
            return _url(request, report.framework)
        return render(request, "indicators/import.html", {"form": ImportForm(province=request.province), "report": report})
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        report = services.framework_import(
            actor=request.user, province=request.province, filename=upload.name, content=content, meta=form.meta_values(), dry_run=True,
        )
        if report.ok:
            request.session[IMPORT_SESSION_KEY] = {
                "province": request.province.pk, "filename": upload.name, "meta": form.meta_values(),
                "content": base64.b64encode(content).decode(),
            }
    status = 400 if report is not None and not report.ok else 200
    return render(request, "indicators/import.html", {"form": form, "report": report}, status=status)


@province_view(ADMIN)
def indicator_create(request, framework_id: int):
    framework, refused = _own_framework(request, framework_id)
    if refused:
        return refused
    initial = {"parent": request.GET.get("parent")} if request.GET.get("parent", "").isdigit() else {}
    return _indicator_form(request, framework, None, initial)


@province_view(ADMIN)
def indicator_edit(request, framework_id: int, indicator_id: int):
    framework, refused = _own_framework(request, framework_id)
    if refused:
        return refused
    indicator = selectors.get_indicator(framework, indicator_id)
    return _indicator_form(request, framework, indicator, IndicatorForm.initial_for(indicator))


def _indicator_form(request, framework, indicator, initial):
    form = IndicatorForm(request.POST or None, initial=initial, framework=framework,
                         exclude_pk=indicator.pk if indicator else None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        parent = data.pop("parent")
        try:
            services.indicator_save(actor=request.user, framework=framework, indicator=indicator, parent=parent, data=data)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, f"Đã lưu chỉ tiêu {data['code']}.")
            return _url(request, framework)
    title = f"Sửa chỉ tiêu {indicator.code}" if indicator else "Thêm chỉ tiêu"
    return _form_page(request, form, title, framework)


@require_POST
@province_view(ADMIN)
def indicator_delete(request, framework_id: int, indicator_id: int):
    framework, refused = _own_framework(request, framework_id)
    if refused:
        return refused
    indicator = selectors.get_indicator(framework, indicator_id)
    try:
        services.indicator_delete(actor=request.user, indicator=indicator)
    except ValidationError as error:
        _refusal(request, error)
    else:
        messages.success(request, f"Đã xóa chỉ tiêu {indicator.code} và các chỉ tiêu con.")
    return _url(request, framework)
