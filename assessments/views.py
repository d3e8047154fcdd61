from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from dti_portal.accounts.access import province_view
from dti_portal.accounts.models import Role
from dti_portal.tenancy.selectors import units_by_kind
from indicators.models import Indicator
from indicators.scoring import input_fields

from . import queues, selectors, services
from .evidence import ACCEPT_ATTRIBUTE, EvidenceRefused, max_bytes
from .forms import EvidenceForm, ExtensionForm, PeriodForm
from .models import Assessment, Event, Period
from .rows import EntryRows, keep_only_left, period_rows

ADMIN = Role.PROVINCE_ADMIN
MAX_INPUT_LENGTH = 200


@province_view(Role.APPRAISER, Role.APPRAISAL_LEAD)
def appraiser_home(request):
    """The appraisal team's home: the units and criteria awaiting this appraiser's decision, the
    periods under way and the units of the province."""
    return render(request, "assessments/appraiser_home.html", {
        "groups": units_by_kind(request.province), "title": "Tổ thẩm định", "periods": selectors.periods_of(request.province),
        "queue": queues.appraiser_queue(request.user, request.province.slug, timezone.localdate()),
    })


@province_view(Role.APPRAISAL_LEAD)
def lead_home(request):
    return render(request, "assessments/appraiser_home.html", {
        "groups": units_by_kind(request.province), "title": "Tổ trưởng Tổ thẩm định", "is_lead": True,
        "periods": selectors.periods_of(request.province),
        "blockers": queues.lead_queue(request.province, request.province.slug, timezone.localdate()),
        "queue": queues.appraiser_queue(request.user, request.province.slug, timezone.localdate()),
    })


# --- periods ------------------------------------------------------------------------------
@province_view(ADMIN, Role.APPRAISER, Role.APPRAISAL_LEAD, Role.LEADERSHIP)
def period_list(request):
    return render(request, "assessments/period_list.html", {
        "periods": selectors.periods_of(request.province), "can_edit": ADMIN in request.roles,
    })


@province_view(ADMIN)
def period_create(request):
    return _period_form(request, Period(province=request.province))


@province_view(ADMIN)
def period_edit(request, period_id: int):
    return _period_form(request, get_object_or_404(Period, pk=period_id))


def _period_form(request, period):
    form = PeriodForm(request.POST or None, instance=period, province=request.province)
    if request.method == "POST" and form.is_valid():
        try:
            period = services.period_save(period=form.save(commit=False), frameworks=form.frameworks())
        except ValidationError as error:
            errors_by_field = error.error_dict if hasattr(error, "error_dict") else {None: error.error_list}
            for field, errors in errors_by_field.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "Đã lưu kỳ đánh giá.")
            return redirect("assessments:period_detail", province=request.province.slug, period_id=period.pk)
    cancel = reverse("assessments:period_list", kwargs={"province": request.province.slug})
    title = f"Sửa {period.name}" if period.pk else "Tạo kỳ đánh giá"
    return render(request, "form_page.html", {"form": form, "title": title, "cancel_url": cancel})


@province_view(ADMIN, Role.APPRAISER, Role.APPRAISAL_LEAD, Role.LEADERSHIP)
def period_detail(request, period_id: int):
    """Progress per unit: who has submitted, who has not (leadership's view too).

    The same number of queries for 10 or 150 units: counts and totals are stored on each row."""
    period = get_object_or_404(Period.objects.prefetch_related("period_frameworks__framework", "period_frameworks__unit_kind"), pk=period_id)
    precision = {link.framework_id: link.framework.precision for link in period.period_frameworks.all()}
    rows = period_rows(selectors.period_assessments(period), selectors.leaf_counts(period), precision, request.province.slug)
    return render(request, "assessments/period_detail.html", {
        "period": period, "rows": rows, "can_edit": ADMIN in request.roles,
    })


@require_POST
@province_view(ADMIN)
def period_open(request, period_id: int):
    period = get_object_or_404(Period, pk=period_id)
    try:
        created = services.period_open(period=period, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"Đã mở kỳ đánh giá: {created} đơn vị có bản tự đánh giá.")
    return redirect("assessments:period_detail", province=request.province.slug, period_id=period.pk)


@require_POST
@province_view(ADMIN)
def extension_grant(request, assessment_id: int):
    assessment = selectors.get_assessment_for_user(request, assessment_id)
    form = ExtensionForm(request.POST)
    if form.is_valid():
        try:
            services.extension_grant(assessment=assessment, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            until = form.cleaned_data["until"]
            messages.success(request, f"{assessment.unit}: " + (f"gia hạn đến {until:%d/%m/%Y}." if until else "bỏ gia hạn."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("assessments:period_detail", province=request.province.slug, period_id=assessment.period_id)


# --- the data-entry page ------------------------------------------------------------------
@province_view()
def entry(request, assessment_id: int):
    assessment = selectors.get_assessment_for_user(request, assessment_id)
    now = timezone.now()
    sheet = selectors.entry_sheet(assessment)
    items = sheet.items
    selectors.attach_reviews(assessment, items)
    only_left = request.GET.get("con-lai") == "1"
    closed = assessment.entry_closed_reason(now)
    is_officer = selectors.is_officer_of(request, assessment)
    builder = EntryRows(assessment, request.province.slug)
    return render(request, "assessments/entry.html", {
        "assessment": assessment, "rows": [builder.row(item) for item in (keep_only_left(items) if only_left else items)],
        "progress": selectors.progress_of(items), "only_left": only_left,
        "grand_total": sheet.grand_total, "max_total": sheet.max_total, "final_total": sheet.final_total,
        "can_edit": is_officer and not closed, "closed_reason": closed, "is_officer": is_officer,
        "can_withdraw": is_officer and not assessment.withdraw_refused_reason(now),
        "explaining": is_officer and assessment.status == Assessment.Status.RETURNED,
        "show_results": assessment.status in (Assessment.Status.FINAL, Assessment.Status.PUBLISHED),
        "time_left": assessment.time_left(now), "missing_count": sum(1 for i in items if i.missing),
        "accept": ACCEPT_ATTRIBUTE, "max_bytes": max_bytes(), "max_mb": max_bytes() // (1024 * 1024),
    })


def _officer_assessment(request, assessment_id: int) -> Assessment:
    assessment = selectors.get_assessment_for_user(request, assessment_id)
    if not selectors.is_officer_of(request, assessment):
        raise PermissionDenied("Chỉ cán bộ đầu mối của đơn vị mới nhập số liệu.")
    return assessment


def _back(request, assessment, anchor=""):
    url = reverse("assessments:entry", kwargs={"province": request.province.slug, "assessment_id": assessment.pk})
    if request.POST.get("con-lai") == "1":
        url += "?con-lai=1"
    return redirect(url + (f"#{anchor}" if anchor else ""))


@require_POST
@province_view(Role.UNIT_OFFICER)
def answer_save(request, assessment_id: int, indicator_id: int):
    assessment = _officer_assessment(request, assessment_id)
    indicator = get_object_or_404(Indicator, pk=indicator_id, framework=assessment.framework_id)
    inputs = {}
    for spec in input_fields(indicator.rule, indicator.params):
        name = spec["name"]
        value = request.POST.getlist(name) if spec["kind"] == "multi" else request.POST.get(name, "")
        if spec["kind"] == "multi":
            inputs[name] = [v[:MAX_INPUT_LENGTH] for v in value]
        elif value != "":
            inputs[name] = value.strip()[:MAX_INPUT_LENGTH]
    try:
        answer = services.answer_save(assessment=assessment, indicator=indicator, inputs=inputs,
                                      note=request.POST.get("note", "")[:2000], actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if answer.error:
            messages.warning(request, f"Chỉ tiêu {indicator.code}: đã lưu số liệu nhưng chưa tính được điểm — {answer.error}")
        else:
            messages.success(request, f"Đã lưu chỉ tiêu {indicator.code}.")
    return _back(request, assessment, f"i-{indicator.pk}")


@require_POST
@province_view(Role.UNIT_OFFICER)
def evidence_upload(request, assessment_id: int, indicator_id: int):
    assessment = _officer_assessment(request, assessment_id)
    indicator = get_object_or_404(Indicator, pk=indicator_id, framework=assessment.framework_id)
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, f"Chỉ tiêu {indicator.code}: " + " ".join(form.errors["file"]))
        return _back(request, assessment, f"i-{indicator.pk}")
    try:
        evidence = services.evidence_add(assessment=assessment, indicator=indicator, upload=form.cleaned_data["file"],
                                         actor=request.user)
    except (ValidationError, EvidenceRefused) as error:
        text = error.message if isinstance(error, EvidenceRefused) else " ".join(error.messages)
        messages.error(request, f"Chỉ tiêu {indicator.code}: {text}")
    else:
        messages.success(request, f"Đã tải lên “{evidence.original_name}” cho chỉ tiêu {indicator.code}.")
    return _back(request, assessment, f"i-{indicator.pk}")


@province_view()
def evidence_download(request, evidence_id: int):
    """Evidence only through here: the permission check, then the stored file as an attachment."""
    evidence = selectors.get_evidence_for_user(request, evidence_id)
    response = FileResponse(evidence.file.open("rb"), content_type=evidence.content_type,
                            as_attachment=request.GET.get("xem") != "1", filename=evidence.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response


@require_POST
@province_view(Role.UNIT_OFFICER)
def evidence_delete(request, evidence_id: int):
    evidence = selectors.get_evidence_for_user(request, evidence_id)
    assessment = _officer_assessment(request, evidence.answer.assessment_id)
    try:
        services.evidence_remove(evidence=evidence, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Đã gỡ “{evidence.original_name}”.")
    return _back(request, assessment, f"i-{evidence.answer.indicator_id}")


@province_view(Role.UNIT_OFFICER)
def submit(request, assessment_id: int):
    """GET: what is still missing, or a confirmation. POST: submit."""
    assessment = _officer_assessment(request, assessment_id)
    if request.method == "POST":
        try:
            services.assessment_submit(assessment=assessment, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Đã gửi bản tự đánh giá. Trang chuyển sang chế độ chỉ xem.")
            return _back(request, assessment)
    missing = selectors.missing_items(assessment)
    return render(request, "assessments/submit.html", {
        "assessment": assessment, "missing": missing, "closed_reason": assessment.entry_closed_reason(timezone.now()),
        "carried": services.unconfirmed_answers(assessment),  # copied from last year, not yet confirmed
    }, status=400 if request.method == "POST" else 200)


@require_POST
@province_view(Role.UNIT_OFFICER)
def withdraw(request, assessment_id: int):
    assessment = _officer_assessment(request, assessment_id)
    try:
        services.assessment_withdraw(assessment=assessment, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Đã rút lại bản tự đánh giá; đơn vị có thể sửa và gửi lại trước hạn.")
    return _back(request, assessment)


@province_view()
def history(request, assessment_id: int):
    assessment = selectors.get_assessment_for_user(request, assessment_id)
    events = Event.objects.filter(assessment=assessment).select_related("actor", "indicator")
    code = request.GET.get("chi-tieu", "")
    if code:
        events = events.filter(indicator__code=code)
    return render(request, "assessments/history.html", {"assessment": assessment, "events": events, "code": code})
