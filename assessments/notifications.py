"""E-mail on every transition, queued only once the transaction has committed, sent by a worker."""

from django.conf import settings
from django.db import transaction

from dti_portal.accounts.models import Membership, Role

from .tasks import send_mail_task

SUBJECTS = {
    "submitted": "[DTI] {unit} đã gửi bản tự đánh giá",
    "withdrawn": "[DTI] {unit} đã rút lại bản tự đánh giá",
    "round1": "[DTI] Bắt đầu thẩm định lần 1: {unit}",
    "returned": "[DTI] Kết quả thẩm định lần 1 của {unit}: mời giải trình",
    "explained": "[DTI] {unit} đã gửi giải trình",
    "round2": "[DTI] Bắt đầu thẩm định lần 2: {unit}",
    "signed": "[DTI] Thẩm định viên đã ký xác nhận {unit}",
    "final": "[DTI] Đã chốt kết quả của {unit}",
    "reopened": "[DTI] Mở lại kết quả của {unit}",
    "not_reported": "[DTI] {unit} không báo cáo",
    "reminder": "[DTI] Nhắc hạn: {unit}",
}


def _addresses(users) -> list[str]:
    return sorted({u.email for u in users if u.email and u.is_active})


def recipients(assessment, kind: str) -> list[str]:
    """The unit's officers, the appraisers assigned to it and the lead: who is concerned."""
    officers = [m.user for m in Membership.objects.filter(unit=assessment.unit, role=Role.UNIT_OFFICER).select_related("user")]
    from .selectors import assignments_for

    team = [a.appraiser for a in assignments_for(assessment)]
    lead = [assessment.period.lead] if assessment.period.lead_id else []
    if kind in ("returned", "final", "reopened", "not_reported", "reminder", "withdrawn"):
        return _addresses(officers + (team + lead if kind in ("final", "reopened") else []))
    return _addresses(team + lead + (officers if kind in ("round1", "round2") else []))


def notify(assessment, kind: str, detail: str = "") -> None:
    """Queue the e-mail for `kind`; it leaves only if the surrounding transaction commits."""
    to = recipients(assessment, kind)
    if not to:
        return
    subject = SUBJECTS[kind].format(unit=assessment.unit.name)
    body = (
        f"{subject.removeprefix('[DTI] ')}.\n\nKỳ đánh giá: {assessment.period.name}\n"
        f"Trạng thái: {assessment.get_status_display()}\n{detail}\n\n"
        "Thư gửi tự động từ Cổng đánh giá Chỉ số chuyển đổi số; vui lòng không trả lời thư này."
    )
    message = [subject, body, settings.DEFAULT_FROM_EMAIL, to]
    # Sent by a background worker, so a slow or absent mail server never holds up the request.
    transaction.on_commit(lambda: send_mail_task.enqueue([message]))
