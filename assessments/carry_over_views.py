"""Start from last year: the officer's copy page (GET shows what would be copied, POST copies) and
the "Xác nhận" of one copied answer. Writes are in `assessments.carry_over`."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from dti_portal.accounts.access import province_view
from dti_portal.accounts.models import Role
from indicators.models import Indicator
from indicators.scoring import input_fields

from . import selectors
from .carry_over import carried_confirm, carry_over_plan, copy_previous_answers
from .models import Assessment


def _officer_assessment(request, assessment_id: int) -> Assessment:
    """Another unit's (or province's) assessment: 404; a province-wide role without the unit: 403."""
    assessment = selectors.get_assessment_for_user(request, assessment_id)
    if not selectors.is_officer_of(request, assessment):
        raise PermissionDenied("Chỉ cán bộ đầu mối của đơn vị mới sao chép số liệu.")
    return assessment


def _entry_url(request, assessment, anchor: str = "") -> str:
    url = reverse("assessments:entry", kwargs={"province": request.province.slug, "assessment_id": assessment.pk})
    return url + (f"#{anchor}" if anchor else "")


def _shown(indicator: Indicator, inputs: dict) -> str:
    """Last year's inputs as this year's form labels them ("Tử số (a): 4; Mẫu số (b): 10")."""
    parts = []
    for spec in input_fields(indicator.rule, indicator.params):
        value = inputs.get(spec["name"])
        if value in (None, "", []):
            continue
        parts.append(f"{spec['label']}: " + (", ".join(str(v) for v in value) if isinstance(value, list) else str(value)))
    return "; ".join(parts) or "—"


@province_view(Role.UNIT_OFFICER)
def carry_over(request, assessment_id: int):
    """GET: what would be copied from last year, what not and why. POST: copy."""
    assessment = _officer_assessment(request, assessment_id)
    if request.method == "POST":
        try:
            copied = copy_previous_answers(assessment=assessment, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            files = f" và {copied.evidence} tài liệu kiểm chứng (dạng liên kết)" if copied.evidence else ""
            messages.success(request, f"Đã chép số liệu năm trước cho {copied.answers} chỉ tiêu{files}. "
                                      "Hãy kiểm tra từng chỉ tiêu và bấm “Xác nhận” (hoặc sửa rồi Lưu) trước khi gửi.")
            return redirect(_entry_url(request, assessment))
    plan = carry_over_plan(assessment, timezone.now())
    return render(request, "assessments/carry_over.html", {
        "assessment": assessment, "plan": plan, "entry_url": _entry_url(request, assessment),
        "copy": [{"code": new.code, "name": new.name, "inputs": _shown(new, old.inputs), "note": old.note}
                 for new, old in plan.copy],
    }, status=400 if request.method == "POST" else 200)


@require_POST
@province_view(Role.UNIT_OFFICER)
def carry_confirm(request, assessment_id: int, indicator_id: int):
    assessment = _officer_assessment(request, assessment_id)
    indicator = get_object_or_404(Indicator, pk=indicator_id, framework=assessment.framework_id)
    try:
        carried_confirm(assessment=assessment, indicator=indicator, actor=request.user)
    except ValidationError as error:
        notice = ("danger", " ".join(error.messages))
    else:
        notice = ("success", f"Đã xác nhận số liệu năm trước của chỉ tiêu {indicator.code}.")
    if request.headers.get("HX-Request") == "true":  # the entry page with htmx: this card, swapped in place
        from .views import _entry_update

        return _entry_update(request, assessment, {indicator.pk: {"notice": notice}})
    getattr(messages, "success" if notice[0] == "success" else "error")(request, notice[1])
    return redirect(_entry_url(request, assessment, f"i-{indicator.pk}"))
