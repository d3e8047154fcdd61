"""The offline workbook of a unit: download it, upload it filled, see what it changes, confirm.

Only the unit's officer, only while the unit may enter data (upload). The preview is carried to
the confirmation as a signed token (`workbook.preview_dump`): the client cannot change it, and the
confirmation refuses it when the answers changed meanwhile.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from dti_portal.accounts.access import province_view
from dti_portal.accounts.models import Role
from indicators.models import Indicator

from . import selectors, services
from .evidence import XLSX
from .models import Assessment
from .workbook import (
    WorkbookRefused,
    max_bytes,
    megabytes,
    preview_dump,
    preview_load,
    read_workbook,
    render_workbook,
    workbook_filename,
    workbook_layout,
)


class WorkbookForm(forms.Form):
    file = forms.FileField(label="Bảng tính đã điền (.xlsx)", allow_empty_file=True,
                           error_messages={"required": "Hãy chọn tệp bảng tính đã điền số liệu."})


class _SizeLimit(FileUploadHandler):
    """Stops storing an upload as soon as it passes the limit (the rest of the body is read and
    dropped): a 21 MB file never reaches the disk or memory; the view says how large it was."""

    def __init__(self, request, limit: int):
        super().__init__(request)
        self.limit, self.received, self.too_large, self.body_length = limit, 0, 0, 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.body_length = content_length

    def receive_data_chunk(self, raw_data, start):
        self.received = start + len(raw_data)
        if self.received > self.limit:
            self.too_large = max(self.body_length or 0, self.received)
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None


def _officer_assessment(request, assessment_id: int) -> Assessment:
    assessment = selectors.get_assessment_for_user(request, assessment_id)
    if not selectors.is_officer_of(request, assessment):
        raise PermissionDenied("Chỉ cán bộ đầu mối của đơn vị mới dùng bảng tính nhập liệu.")
    return assessment


def _entry_url(request, assessment) -> str:
    return reverse("assessments:entry", kwargs={"province": request.province.slug, "assessment_id": assessment.pk})


@province_view(Role.UNIT_OFFICER)
def workbook_download(request, assessment_id: int):
    assessment = _officer_assessment(request, assessment_id)
    content = render_workbook(workbook_layout(assessment))
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{workbook_filename(assessment)}"'
    return response


@csrf_exempt  # the check is made below, once the size guard is in place (Django's documented pattern)
@province_view(Role.UNIT_OFFICER)
def workbook_upload(request, assessment_id: int):
    """GET: the upload form. POST: the preview of what the workbook changes (nothing saved yet)."""
    guard = _SizeLimit(request, max_bytes())
    request.upload_handlers.insert(0, guard)
    return _upload(request, assessment_id, guard)


@csrf_protect
def _upload(request, assessment_id: int, guard: _SizeLimit):
    assessment = _officer_assessment(request, assessment_id)
    closed = assessment.entry_closed_reason(timezone.now())
    form = WorkbookForm(request.POST, request.FILES) if request.method == "POST" else WorkbookForm()
    context = {"assessment": assessment, "form": form, "closed_reason": closed, "entry_url": _entry_url(request, assessment),
               "max_mb": megabytes(max_bytes())}
    if request.method != "POST":
        return render(request, "assessments/workbook_upload.html", context)
    error = ""
    if closed:
        error = f"Không tải bảng tính lên được: {closed}"
    elif guard.too_large:
        error = f"Tệp quá lớn ({megabytes(guard.too_large)}); bảng tính nhập liệu chỉ được tối đa {megabytes(max_bytes())}."
    elif not form.is_valid():
        error = " ".join(m for messages_ in form.errors.values() for m in messages_)
    else:
        layout = workbook_layout(assessment)
        try:
            reading = read_workbook(form.cleaned_data["file"], layout)
        except WorkbookRefused as refused:
            error = refused.message
        else:
            return render(request, "assessments/workbook_preview.html", context | {
                "reading": reading, "token": preview_dump(assessment, request.user, reading) if reading.changes and not reading.refusals else "",
                "name": form.cleaned_data["file"].name,
            })
    return render(request, "assessments/workbook_upload.html", context | {"error": error}, status=400)


@require_POST
@province_view(Role.UNIT_OFFICER)
def workbook_confirm(request, assessment_id: int):
    """Save every change of the preview, all or nothing, through the entry page's service."""
    assessment = _officer_assessment(request, assessment_id)
    upload_url = reverse("assessments:workbook_upload", kwargs={"province": request.province.slug, "assessment_id": assessment.pk})
    try:
        changes = preview_load(request.POST.get("token", ""), assessment, request.user)
        indicators = Indicator.objects.filter(framework=assessment.framework_id, pk__in=list(changes))
        values = {indicator: changes[indicator.pk] for indicator in indicators}
        if len(values) != len(changes):
            raise WorkbookRefused("Bản xem trước có chỉ tiêu không thuộc bản đánh giá này; hãy tải bảng tính lên lại.")
        services.answers_save_bulk(assessment=assessment, values=values, actor=request.user,
                                   source=request.POST.get("filename", "")[:255] or "bảng tính Excel")
    except WorkbookRefused as refused:
        messages.error(request, refused.message)
        return redirect(upload_url)
    except ValidationError as error:
        messages.error(request, "Chưa lưu gì: " + " ".join(error.messages))
        return redirect(upload_url)
    messages.success(request, f"Đã lưu {len(values)} chỉ tiêu từ bảng tính.")
    return redirect(_entry_url(request, assessment))
