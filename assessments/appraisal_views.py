"""Pages of the appraisal team: the board of a period, the appraisal of one unit, the lead's acts."""

import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from dti_portal.accounts.access import province_view
from dti_portal.accounts.models import Role, User
from dti_portal.tenancy.models import Unit
from dti_portal.tenancy.names import vn_sort_key
from indicators.display import url_maker
from indicators.models import Indicator
from indicators.scoring import Rule

from . import acts, appraisal, selectors, services
from .answer_forms import answer_form
from .forms import ExplanationForm
from .history import CSV_HEADER, csv_rows, history_rows
from .models import Assessment, Assignment, Period, Review
from .rows import AppraisalRows, board_rows
from .views import _back as entry_back
from .views import period_province_label

TEAM = (Role.APPRAISER, Role.APPRAISAL_LEAD, Role.PROVINCE_ADMIN)
LEADS = (Role.APPRAISAL_LEAD, Role.PROVINCE_ADMIN)


def _messages(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _board(request, period):
    return redirect("assessments:appraisal_board", province=request.province.slug, period_id=period.pk)


@province_view(*TEAM, Role.LEADERSHIP)
def board(request, period_id: int):
    """The appraisal of a period: per unit its state, decisions left, team and signatures; the
    lead's acts and assignments. The same number of queries for 10 or 150 units."""
    period = get_object_or_404(Period.objects.select_related("lead"), pk=period_id)
    assessments = selectors.period_assessments(period)
    assignments = selectors.period_assignments(period)
    teams = selectors.teams_of(assessments, assignments)
    is_lead = bool(request.roles & set(LEADS))
    if not is_lead and Role.LEADERSHIP not in request.roles:  # an appraiser sees the units assigned to them
        assessments = [a for a in assessments if any(x.appraiser_id == request.user.pk for x in teams[a.pk])]
    decisions = selectors.decisions_of(period, assessments)
    precision = dict(period.period_frameworks.values_list("framework_id", "framework__precision"))
    signoffs = selectors.signoffs_of(period)
    rows = board_rows(assessments, teams, signoffs, decisions.undecided, precision, request.province.slug)
    context = {"period": period, "rows": rows, "is_lead": is_lead, "is_admin": Role.PROVINCE_ADMIN in request.roles,
               "per_appraiser": decisions.per_appraiser, "former_province": period_province_label(request, period)}
    if is_lead:
        # Only the acts that fit the stage; a unit whose whole team signed offers its finalising.
        keys, waiting = acts.stage_acts(period, assessments)
        act_url = url_maker("assessments:lead_act", {"province": request.province.slug, "period_id": period.pk}, "act")
        finalise_url = url_maker("assessments:finalise", {"province": request.province.slug}, "assessment_id")
        context |= {"acts": [{"key": key, "label": acts.PERIOD_ACTS[key][0], "count": count, "url": act_url(key)}
                             for key, count in keys],
                    "waiting": waiting}
        for row, a in zip(rows, assessments, strict=True):
            team = {x.appraiser for x in teams.get(a.pk, [])}
            if a.status == Assessment.Status.ROUND2 and team and team <= {name for name, _ in signoffs.get(a.pk, ())}:
                row["finalise_url"] = finalise_url(a.pk)
        ready = sum("finalise_url" in row for row in rows)
        if ready:
            waiting.insert(0, f"{ready} đơn vị đã đủ chữ ký: bấm “Chốt kết quả…” ở dòng của đơn vị.")
        remove = url_maker("assessments:assignment_remove", {"province": request.province.slug}, "assignment_id")
        context |= {
            "assignments": [{"appraiser": a.appraiser, "unit": a.unit or "mọi đơn vị", "group": a.group or "mọi nhóm",
                             "remove_url": remove(a.pk)} for a in assignments],
            "people": User.objects.filter(memberships__province=request.province,
                                          memberships__role__in=[Role.APPRAISER, Role.APPRAISAL_LEAD]).distinct(),
            "groups": Indicator.objects.filter(framework__period_uses__period=period, parent__isnull=True).order_by("framework_id", "position"),
            "units": sorted(({"pk": a.unit_id, "name": a.unit} for a in assessments), key=lambda unit: vn_sort_key(unit["name"])),
        }
    if context["is_admin"]:
        context["leads"] = User.objects.filter(memberships__province=request.province, memberships__role=Role.APPRAISAL_LEAD)
    return render(request, "assessments/appraisal_board.html", context)


def _confirm(request, plan: acts.Plan, back: str, *, refusal: str = "", status: int = 200, extra: dict | None = None):
    """A confirmation page: what the act will do (GET), or why it was just refused (POST, 400)."""
    return render(request, "assessments/confirm_act.html", {
        "plan": plan, "back": back, "refusal": refusal or plan.refusal, **(extra or {})}, status=status)


def _board_url(request, period) -> str:
    return reverse("assessments:appraisal_board", kwargs={"province": request.province.slug, "period_id": period.pk})


PERIOD_SERVICES = {"bat-dau-vong-1": appraisal.round1_start, "dong-vong-1": appraisal.round1_close,
                   "bat-dau-vong-2": appraisal.round2_start}


def _done_text(act: str, result) -> str:
    if act == "dong-vong-1":
        return f"Đã đóng vòng 1: {result['returned']} đơn vị chờ giải trình, {result['round2']} đơn vị sang vòng 2."
    return f"Đã bắt đầu thẩm định lần {1 if act == 'bat-dau-vong-1' else 2} cho {result} đơn vị."


@require_http_methods(["GET", "POST"])
@province_view(*LEADS)
def lead_act(request, period_id: int, act: str):
    """A period act of the lead: GET shows what it will do, POST does it."""
    period = get_object_or_404(Period.objects.select_related("lead"), pk=period_id)
    if act not in PERIOD_SERVICES:
        raise Http404("Không có việc này.")
    if request.method == "POST":
        try:
            result = PERIOD_SERVICES[act](period=period, actor=request.user)
        except ValidationError as error:
            return _confirm(request, acts.period_plan(period, act), _board_url(request, period),
                            refusal=" ".join(error.messages), status=400)
        messages.success(request, _done_text(act, result))
        return _board(request, period)
    return _confirm(request, acts.period_plan(period, act), _board_url(request, period))


@require_POST
@province_view(*LEADS)
def assignment_add(request, period_id: int):
    period = get_object_or_404(Period, pk=period_id)
    appraiser = User.objects.filter(pk=request.POST.get("appraiser") or 0, memberships__province=request.province,
                                    memberships__role__in=[Role.APPRAISER, Role.APPRAISAL_LEAD]).first()
    unit = Unit.objects.filter(pk=request.POST.get("unit") or 0).first() if request.POST.get("unit") else None
    group = (Indicator.objects.filter(pk=request.POST.get("group") or 0, parent__isnull=True,
                                      framework__period_uses__period=period).first() if request.POST.get("group") else None)
    if appraiser is None:
        messages.error(request, "Hãy chọn một thẩm định viên của tỉnh.")
    elif (request.POST.get("unit") and unit is None) or (request.POST.get("group") and group is None):
        messages.error(request, "Đơn vị hoặc nhóm chỉ tiêu đã chọn không thuộc kỳ đánh giá này.")
    else:
        try:
            _, created = services.assignment_add(period=period, appraiser=appraiser, unit=unit, group=group,
                                                 actor=request.user)
        except ValidationError as error:
            _messages(request, error)
        else:
            messages.success(request, "Đã phân công." if created else "Phân công này đã có.")
    return _board(request, period)


@require_POST
@province_view(*LEADS)
def assignment_remove(request, assignment_id: int):
    assignment = get_object_or_404(Assignment.objects.select_related("period", "appraiser", "unit", "group"), pk=assignment_id)
    services.assignment_remove(assignment=assignment, actor=request.user)
    messages.success(request, "Đã bỏ phân công.")
    return _board(request, assignment.period)


@require_POST
@province_view(Role.PROVINCE_ADMIN)
def lead_set(request, period_id: int):
    period = get_object_or_404(Period, pk=period_id)
    lead = User.objects.filter(pk=request.POST.get("lead") or 0, memberships__province=request.province,
                               memberships__role=Role.APPRAISAL_LEAD).first()
    if lead is None:
        messages.error(request, "Hãy chọn một tổ trưởng tổ thẩm định của tỉnh.")
    else:
        services.lead_set(period=period, lead=lead, actor=request.user)
        messages.success(request, f"Tổ trưởng: {lead}.")
    return _board(request, period)


# --- one unit -----------------------------------------------------------------------------
@province_view()  # a unit officer (or anyone off the team) gets 404 from the access helper
def unit_appraisal(request, assessment_id: int):
    assessment = selectors.get_assessment_for_appraiser(request, assessment_id)
    sheet = selectors.entry_sheet(assessment)
    selectors.attach_reviews(assessment, sheet.items)
    assignments = selectors.assignments_for(assessment)
    mine = selectors.assigned_indicator_ids(assessment, request.user, assignments, indicators=sheet.indicators)
    current_round = {Assessment.Status.ROUND1: 1, Assessment.Status.ROUND2: 2}.get(assessment.status)
    for item in sheet.items:
        item.editable = current_round is not None and item.indicator.pk in mine and item.is_leaf and item.indicator.rule != Rule.COLLECTED
        item.current = (item.round1, item.round2)[current_round - 1] if current_round else None
        item.adjust_fields = [] if item.indicator.rule == Rule.MANUAL else item.fields
    assigned = {a.appraiser_id for a in assignments}
    signed = list(assessment.signoffs.select_related("appraiser"))
    builder = AppraisalRows(assessment, request.province.slug, _decisions(current_round))
    return render(request, "assessments/unit_appraisal.html", {
        "assessment": assessment, "rows": [builder.row(item) for item in sheet.items], "round": current_round,
        "grand_total": sheet.grand_total, "max_total": sheet.max_total, "signed": signed,
        "can_sign": current_round == 2 and request.user.pk in assigned and request.user.pk not in {s.appraiser_id for s in signed},
        "is_lead": bool(request.roles & set(LEADS)), "is_admin": Role.PROVINCE_ADMIN in request.roles, "has_mine": bool(mine),
    })


def _decisions(round_no):
    D = Review.Decision
    return [(d.value, d.label) for d in ((D.CONFIRM, D.ADJUST, D.REQUEST) if round_no == 1 else (D.CONFIRM, D.ADJUST, D.WITHDRAW))]


def _back(request, assessment, anchor=""):
    url = reverse("assessments:unit_appraisal", kwargs={"province": request.province.slug, "assessment_id": assessment.pk})
    return redirect(url + (f"#{anchor}" if anchor else ""))


@require_POST
@province_view(*TEAM)
def review(request, assessment_id: int, indicator_id: int):
    assessment = selectors.get_assessment_for_appraiser(request, assessment_id)
    indicator = get_object_or_404(Indicator, pk=indicator_id, framework=assessment.framework_id)
    round_no = {Assessment.Status.ROUND1: 1, Assessment.Status.ROUND2: 2}.get(assessment.status, 0)
    if not round_no:
        messages.error(request, "Bản đánh giá không ở vòng thẩm định nào.")
        return _back(request, assessment)
    decision = request.POST.get("decision", "")
    inputs = None
    if decision == Review.Decision.ADJUST and indicator.rule != Rule.MANUAL:
        form = answer_form(indicator, request.POST)  # the same reading of numbers and choices as the entry page
        if not form.is_valid():
            messages.error(request, f"Chỉ tiêu {indicator.code}: " + " ".join(form.error_list()))
            return _back(request, assessment, f"i-{indicator.pk}")
        inputs = form.inputs()
    try:
        version = int(request.POST.get("version", "0"))
        appraisal.review_save(assessment=assessment, indicator=indicator, round=round_no, decision=decision,
                              reviewer=request.user, inputs=inputs, points=request.POST.get("points", ""),
                              reason=request.POST.get("reason", ""), expected_version=version)
    except ValueError:
        messages.error(request, "Biểu mẫu không hợp lệ; hãy tải lại trang.")
    except ValidationError as error:
        messages.error(request, f"Chỉ tiêu {indicator.code}: " + " ".join(error.messages))
    else:
        messages.success(request, f"Đã lưu quyết định cho chỉ tiêu {indicator.code}.")
    return _back(request, assessment, f"i-{indicator.pk}")


def _act(request, assessment, service, success) -> None:
    """Run one appraisal service; its refusal becomes messages, its result the success text."""
    try:
        result = service()
    except ValidationError as error:
        _messages(request, error)
    else:
        messages.success(request, success(result) if callable(success) else success)


def _round_of(assessment) -> int:
    round_no = {Assessment.Status.ROUND1: 1, Assessment.Status.ROUND2: 2}.get(assessment.status, 0)
    if not round_no:
        raise ValidationError("Bản đánh giá không ở vòng thẩm định nào.")
    return round_no


@require_POST
@province_view(*TEAM)
def confirm_all(request, assessment_id: int):
    assessment = selectors.get_assessment_for_appraiser(request, assessment_id)
    _act(request, assessment,
         lambda: appraisal.confirm_all(assessment=assessment, round=_round_of(assessment), reviewer=request.user),
         lambda count: f"Đã xác nhận {count} chỉ tiêu chưa có quyết định.")
    return _back(request, assessment)


@require_POST
@province_view(*TEAM)
def sign(request, assessment_id: int):
    assessment = selectors.get_assessment_for_appraiser(request, assessment_id)
    _act(request, assessment, lambda: appraisal.sign_off(assessment=assessment, appraiser=request.user),
         "Đã ký xác nhận kết quả thẩm định.")
    return _back(request, assessment)


def _unit_url(request, assessment) -> str:
    return reverse("assessments:unit_appraisal", kwargs={"province": request.province.slug, "assessment_id": assessment.pk})


@require_http_methods(["GET", "POST"])
@province_view(*LEADS)
def finalise(request, assessment_id: int):
    """GET shows what finalising will do; POST finalises."""
    assessment = selectors.get_assessment_for_appraiser(request, assessment_id)
    if request.method == "POST":
        try:
            appraisal.finalise(assessment=assessment, actor=request.user)
        except ValidationError as error:
            return _confirm(request, acts.finalise_plan(assessment), _unit_url(request, assessment),
                            refusal=" ".join(error.messages), status=400)
        messages.success(request, "Đã chốt kết quả.")
        return _back(request, assessment)
    return _confirm(request, acts.finalise_plan(assessment), _unit_url(request, assessment))


@require_http_methods(["GET", "POST"])
@province_view(Role.PROVINCE_ADMIN)
def reopen(request, assessment_id: int):
    """GET shows what re-opening will do and asks for the reason; POST re-opens."""
    assessment = selectors.get_assessment_for_user(request, assessment_id)
    reason = request.POST.get("reason", "").strip()
    extra = {"reason_field": True, "reason": reason}
    if request.method == "POST":
        try:
            appraisal.reopen(assessment=assessment, actor=request.user, reason=reason)
        except ValidationError as error:
            return _confirm(request, acts.reopen_plan(assessment), _unit_url(request, assessment),
                            refusal=" ".join(error.messages), status=400, extra=extra)
        messages.success(request, "Đã mở lại kết quả; các chữ ký cũ được lưu trong nhật ký.")
        return _back(request, assessment)
    return _confirm(request, acts.reopen_plan(assessment), _unit_url(request, assessment), extra=extra)


# --- the unit's explanation ---------------------------------------------------------------
@require_POST
@province_view(Role.UNIT_OFFICER)
def explanation_save(request, assessment_id: int, indicator_id: int):
    assessment = selectors.get_assessment_for_user(request, assessment_id)
    if not selectors.is_officer_of(request, assessment):
        raise PermissionDenied
    indicator = get_object_or_404(Indicator, pk=indicator_id, framework=assessment.framework_id)
    form = ExplanationForm(request.POST)
    if not form.is_valid():  # too long: shown again with what was typed, never cut
        return render(request, "form_page.html", {
            "form": form, "title": f"Giải trình chỉ tiêu {indicator.code}", "submit_label": "Lưu giải trình",
            "intro": f"{assessment.unit} – {indicator.code} {indicator.name}",
            "cancel_url": reverse("assessments:entry", kwargs={"province": request.province.slug,
                                                               "assessment_id": assessment.pk}) + f"#i-{indicator.pk}",
        }, status=400)
    _act(request, assessment, lambda: appraisal.explanation_save(
        assessment=assessment, indicator=indicator, text=form.cleaned_data["explanation"], actor=request.user),
        f"Đã lưu giải trình chỉ tiêu {indicator.code}.")
    return entry_back(request, assessment, f"i-{indicator.pk}")


@require_POST
@province_view(Role.UNIT_OFFICER)
def explanation_submit(request, assessment_id: int):
    assessment = selectors.get_assessment_for_user(request, assessment_id)
    if not selectors.is_officer_of(request, assessment):
        raise PermissionDenied
    _act(request, assessment, lambda: appraisal.explanation_submit(assessment=assessment, actor=request.user),
         "Đã gửi giải trình tới Tổ thẩm định.")
    return entry_back(request, assessment)


@province_view()
def history_csv(request, assessment_id: int):
    """The assessment's whole event log as CSV (UTF-8 with BOM for Excel), with the page's labels."""
    assessment = selectors.get_assessment_for_user(request, assessment_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="lich-su-{assessment.pk}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    writer.writerows(csv_rows(history_rows(assessment)))
    return response
