from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import CheckboxSelectMultiple
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from dti_portal.forms import add_service_errors
from dti_portal.accounts.access import province_view
from dti_portal.accounts.models import Role
from dti_portal.tenancy.selectors import former_province_label, lineage_provinces, registry_context
from indicators.models import Indicator

from . import queues, selectors, services
from .answer_forms import answer_form, initial_of
from .evidence import ACCEPT_ATTRIBUTE, EvidenceRefused, max_bytes
from .forms import EvidenceForm, ExtensionForm, PeriodForm
from .history import history_rows
from .models import Answer, Assessment, Period
from .rows import EntryRows, echo_text, keep_only_left, period_rows, typed_row

ADMIN = Role.PROVINCE_ADMIN


@province_view(Role.APPRAISER, Role.APPRAISAL_LEAD)
def appraiser_home(request):
    """The appraisal team's home: the units and criteria awaiting this appraiser's decision, the
    periods under way and the units of the province."""
    return render(request, "assessments/appraiser_home.html", {
        **_units(request), "title": "Tổ thẩm định", "periods": selectors.periods_of(request.province),
        **_queue(request),
    })


def _units(request) -> dict:
    """The units the tenant holds for the list under the queue (those of the provinces merged into it in
    their own sections), searched with ?q= (diacritics ignored)."""
    return registry_context(request.province, request.GET.get("q", ""))


def _queue(request) -> dict:
    queue = queues.appraiser_queue(request.user, request.province.slug, timezone.localdate(), province=request.province)
    return {"queue": queue, "queue_groups": queues.by_round(queue)}


@province_view(Role.APPRAISAL_LEAD)
def lead_home(request):
    return render(request, "assessments/appraiser_home.html", {
        **_units(request), "title": "Tổ trưởng Tổ thẩm định", "is_lead": True,
        "periods": selectors.periods_of(request.province),
        "blockers": queues.lead_queue(request.province, request.province.slug, timezone.localdate()), **_queue(request),
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


def period_province_label(request, period) -> str:
    """"" for the tenant's own period; "tỉnh Đắk Nông cũ (hợp nhất vào Lâm Đồng từ 01/07/2025)" for one of a
    province merged into it (no query for the tenant's own)."""
    if period.province_id == request.province.pk:
        return ""
    provinces = lineage_provinces(request.province)
    return former_province_label(provinces[period.province_id], provinces)


def _period_form(request, period):
    # a period of a province merged into the tenant keeps that province's unit kinds and frameworks
    province = request.province if period.province_id in (None, request.province.pk) else period.province
    form = PeriodForm(request.POST or None, instance=period, province=province)
    if request.method == "POST" and form.is_valid():
        try:
            period = services.period_save(period=form.save(commit=False), frameworks=form.frameworks(), actor=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
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
        "former_province": period_province_label(request, period),
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
# Without JavaScript every form posts and redirects back (the page reloads). With htmx (the
# HX-Request header) the same views answer with fragments swapped out of band: the cards saved,
# every group subtotal, the totals and the progress bar (assessments/_entry_update.html).
def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _entry_flags(request, assessment, now) -> dict:
    """What the page and each row fragment read besides the rows."""
    closed = assessment.entry_closed_reason(now)
    is_officer = selectors.is_officer_of(request, assessment)
    only_left = (request.GET.get("con-lai") or request.POST.get("con-lai")) == "1"
    return {
        "assessment": assessment, "can_edit": is_officer and not closed, "closed_reason": closed, "is_officer": is_officer,
        "explaining": is_officer and assessment.status == Assessment.Status.RETURNED,
        "show_results": assessment.status in (Assessment.Status.FINAL, Assessment.Status.PUBLISHED),
        "only_left": only_left, "accept": ACCEPT_ATTRIBUTE, "max_bytes": max_bytes(),
        "bulk_url": reverse("assessments:answers_save_group",
                            kwargs={"province": request.province.slug, "assessment_id": assessment.pk}),
    }


@never_cache  # coming back (the browser's Back) must show what is stored, not the page as first drawn
@province_view()
def entry(request, assessment_id: int):
    assessment = selectors.get_assessment_for_user(request, assessment_id)
    return _entry_page(request, assessment)


def _entry_page(request, assessment, cards: dict | None = None, status: int = 200):
    """The whole page; `cards` as in `_entry_update` (a save refused without JavaScript shows what
    was typed, and why, in place of the stored answer)."""
    now = timezone.now()
    sheet = selectors.entry_sheet(assessment)
    items = sheet.items
    selectors.attach_reviews(assessment, items)
    flags = _entry_flags(request, assessment, now)
    builder = EntryRows(assessment, request.province.slug)
    rows = [builder.row(item) for item in (keep_only_left(items) if flags["only_left"] else items)]
    for row in rows if cards else ():
        if row["leaf"] and row["pk"] in cards:
            _card(row, cards[row["pk"]])
    return render(request, "assessments/entry.html", flags | {
        "rows": rows, "progress": selectors.progress_of(items),
        "grand_total": sheet.grand_total, "max_total": sheet.max_total, "final_total": sheet.final_total,
        "can_withdraw": flags["is_officer"] and not assessment.withdraw_refused_reason(now),
        "time_left": assessment.time_left(now), "missing_count": sum(1 for i in items if i.missing),
        "max_mb": max_bytes() // (1024 * 1024),
    }, status=status)


def _entry_update(request, assessment, cards: dict[int, dict], group: tuple[str, str, str] | None = None):
    """The htmx answer to a save or an upload: the cards named in `cards` (indicator pk → what to
    show besides the stored answer: "form" a form whose typed values to show, "refused" whether
    it was refused, "saved" to say so with the numbers as read, "notice" (level, text),
    "upload_error", "upload_notice"), every
    group subtotal, the totals and the progress bar; `group` (anchor, level, text) the message
    beside a group's "Lưu cả nhóm"."""
    sheet = selectors.entry_sheet(assessment)
    items = sheet.items
    selectors.attach_reviews(assessment, items)
    builder = EntryRows(assessment, request.province.slug)
    rows, groups = [], []
    for item in items:
        if not item.is_leaf:
            groups.append(builder.row(item))
        elif item.indicator.pk in cards:
            rows.append(_card(builder.row(item), cards[item.indicator.pk], item, oob=True))
    return render(request, "assessments/_entry_update.html", _entry_flags(request, assessment, timezone.now()) | {
        "cards": rows, "groups": groups, "progress": selectors.progress_of(items), "grand_total": sheet.grand_total,
        "max_total": sheet.max_total, "final_total": sheet.final_total, "group": group, "oob": True,
        "missing_count": sum(1 for i in items if i.missing),
    })


def _card(row: dict, extra: dict, item=None, *, oob: bool = False) -> dict:
    """An entry row with what a save or an upload adds (see `_entry_update`)."""
    row |= {"oob": oob, "said": True, "notice": None, "echo": "", "upload_error": "", "upload_notice": ""}
    if extra.get("form") is not None:
        typed_row(row, extra["form"], refused=extra.get("refused", False))
    if extra.get("saved"):  # the engine's refusal is the card's own error line: not said twice
        row |= {"notice": ("warning", "Đã lưu số liệu nhưng chưa tính được điểm (xem lỗi ở trên).") if item.answer.error
                else _saved_notice(item.indicator, item.answer), "echo": echo_text(item.indicator, item.answer.inputs)}
    row |= {k: v for k, v in extra.items() if k not in ("form", "refused", "saved")}
    return row


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


def _saved_notice(indicator, answer) -> tuple[str, str]:
    if answer.error:
        return "warning", f"Chỉ tiêu {indicator.code}: đã lưu số liệu nhưng chưa tính được điểm — {answer.error}"
    return "success", f"Đã lưu chỉ tiêu {indicator.code}."


@require_POST
@province_view(Role.UNIT_OFFICER)
def answer_save(request, assessment_id: int, indicator_id: int):
    """Save one criterion. Refused input (a number that could mean two things, a text too long)
    saves nothing and shows what was typed with the reason; an answer changed since the page was
    drawn is not overwritten: the card comes back with the stored values and says so."""
    assessment = _officer_assessment(request, assessment_id)
    indicator = get_object_or_404(Indicator, pk=indicator_id, framework=assessment.framework_id)
    form = answer_form(indicator, request.POST)
    card: dict = {"form": form, "refused": True}
    if not form.is_valid():
        card["notice"] = ("danger", f"Chỉ tiêu {indicator.code}: chưa lưu — " + " ".join(form.error_list()))
    else:
        try:
            answer = services.answer_save(assessment=assessment, indicator=indicator, inputs=form.inputs(),
                                          note=form.note_text(), expected_version=form.expected_version(), actor=request.user)
        except services.StaleAnswer as error:
            card = {"notice": ("danger", error.messages[0] + _typed_text(form)), "dirty": False}
        except ValidationError as error:
            card["notice"] = ("danger", f"Chỉ tiêu {indicator.code}: " + " ".join(error.messages))
        else:
            card = {"saved": True}
    if _is_htmx(request):
        return _entry_update(request, assessment, {indicator.pk: card})
    if card.get("refused") and form.errors:  # show the page with what was typed, and why it was refused
        return _entry_page(request, assessment, cards={indicator.pk: card}, status=400)
    level, text = card["notice"] if "notice" in card else _saved_notice(indicator, answer)
    if card.get("saved") and echo_text(indicator, answer.inputs):
        text += f" Đã đọc: {echo_text(indicator, answer.inputs)}."
    getattr(messages, level if level != "danger" else "error")(request, text)
    return _back(request, assessment, f"i-{indicator.pk}")


def _typed_text(form) -> str:
    """What the officer had typed, for the message of a refused stale save (nothing is lost)."""
    typed = [f"{form.fields[name].label} = {form.data.get(form.add_prefix(name))}" for name in form.input_names
             if form.data.get(form.add_prefix(name)) not in (None, "")
             and not isinstance(form.fields[name].widget, CheckboxSelectMultiple)]
    return f" Bạn đã nhập: {'; '.join(typed)}." if typed else ""


@require_POST
@province_view(Role.UNIT_OFFICER)
def answers_save_group(request, assessment_id: int):
    """"Lưu cả nhóm": every changed criterion of a group in one request (htmx; `chi-tieu` lists
    them, their fields prefixed "i-<pk>"). All or nothing: a refused input or an answer changed
    elsewhere saves none of them; each card at fault shows why, the others keep what was typed."""
    assessment = _officer_assessment(request, assessment_id)
    pks = [int(pk) for pk in request.POST.getlist("chi-tieu") if pk.isdigit()]
    indicators = list(Indicator.objects.filter(framework=assessment.framework_id, pk__in=pks).order_by("position", "pk"))
    forms = {i: answer_form(i, request.POST, prefix=f"i-{i.pk}") for i in indicators}
    anchor = request.POST.get("nhom", "")
    refused = {i: f for i, f in forms.items() if not f.is_valid()}
    cards: dict[int, dict] = {}
    if not indicators:
        group = (anchor, "warning", "Không có chỉ tiêu nào thay đổi để lưu.")
    elif refused:
        cards = {i.pk: {"form": f, "refused": True, "dirty": True,
                        "notice": ("danger", f"Chỉ tiêu {i.code}: chưa lưu — " + " ".join(f.error_list()))}
                 for i, f in refused.items()}
        group = (anchor, "danger", f"Chưa lưu chỉ tiêu nào: {len(refused)} chỉ tiêu có lỗi "
                                   f"({', '.join(i.code for i in refused)}); sửa rồi lưu lại.")
    else:
        try:
            services.answers_save_bulk(
                assessment=assessment, actor=request.user, values={i: (f.inputs(), f.note_text()) for i, f in forms.items()},
                expected_versions={i.pk: f.expected_version() for i, f in forms.items() if f.expected_version() is not None})
        except services.StaleAnswer as error:
            cards = {i.pk: {"notice": ("danger", error.messages[0] + _typed_text(forms[i]))} for i in error.indicators}
            group = (anchor, "danger", "Chưa lưu chỉ tiêu nào: " + error.messages[0])
        except ValidationError as error:
            group = (anchor, "danger", "Chưa lưu chỉ tiêu nào: " + " ".join(error.messages))
        else:
            cards = {i.pk: {"saved": True} for i in indicators}
            group = (anchor, "success", f"Đã lưu {len(indicators)} chỉ tiêu.")
    if _is_htmx(request):
        return _entry_update(request, assessment, cards, group)
    getattr(messages, group[1] if group[1] != "danger" else "error")(request, group[2])
    return _back(request, assessment, anchor)


@require_POST
@province_view(Role.UNIT_OFFICER)
def evidence_upload(request, assessment_id: int, indicator_id: int):
    assessment = _officer_assessment(request, assessment_id)
    indicator = get_object_or_404(Indicator, pk=indicator_id, framework=assessment.framework_id)
    form = EvidenceForm(request.POST, request.FILES)
    card: dict = {}
    if not form.is_valid():
        card["upload_error"] = f"Chỉ tiêu {indicator.code}: " + " ".join(form.errors["file"])
    else:
        try:
            evidence = services.evidence_add(assessment=assessment, indicator=indicator, upload=form.cleaned_data["file"],
                                             actor=request.user)
        except (ValidationError, EvidenceRefused) as error:
            text = error.message if isinstance(error, EvidenceRefused) else " ".join(error.messages)
            card["upload_error"] = f"Chỉ tiêu {indicator.code}: {text}"
        else:
            card["upload_notice"] = f"Đã tải lên “{evidence.original_name}”."
    if _is_htmx(request):
        # The card's answer inputs come along (hx-include): what was typed and not saved stays.
        stored = Answer.objects.filter(assessment=assessment, indicator=indicator).first()
        typed = answer_form(indicator, request.POST, initial=initial_of(stored))
        if typed.add_prefix("version") in request.POST:
            card |= {"form": typed, "dirty": typed.has_changed()}
        return _entry_update(request, assessment, {indicator.pk: card})
    if "upload_error" in card:
        messages.error(request, card["upload_error"])
    else:
        messages.success(request, f"{card['upload_notice'][:-1]} cho chỉ tiêu {indicator.code}.")
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


@province_view(Role.UNIT_OFFICER)
def evidence_delete(request, evidence_id: int):
    """GET: what removing the file does, and a button; POST: remove it."""
    evidence = selectors.get_evidence_for_user(request, evidence_id)
    assessment = _officer_assessment(request, evidence.answer.assessment_id)
    indicator = evidence.answer.indicator
    if request.method == "POST":
        try:
            services.evidence_remove(evidence=evidence, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Đã gỡ “{evidence.original_name}” khỏi chỉ tiêu {indicator.code}.")
        return _back(request, assessment, f"i-{indicator.pk}")
    others = evidence.answer.evidence.exclude(pk=evidence.pk).count()
    return render(request, "assessments/evidence_delete.html", {
        "assessment": assessment, "evidence": evidence, "indicator": indicator, "others": others,
        "closed_reason": assessment.entry_closed_reason(timezone.now()),
        "leaves_missing": bool(indicator.evidence_required) and others == 0,
        "back_url": reverse("assessments:entry", kwargs={"province": request.province.slug, "assessment_id": assessment.pk})
        + f"#i-{indicator.pk}",
    })


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
    """The assessment's event log with Vietnamese labels and old → new values (assessments.history)."""
    assessment = selectors.get_assessment_for_user(request, assessment_id)
    code = request.GET.get("chi-tieu", "")
    return render(request, "assessments/history.html", {
        "assessment": assessment, "rows": history_rows(assessment, code), "code": code})
