"""Messages on every transition: an in-app notification (thông báo) for each person concerned,
written with the change in one INSERT, and the same text by e-mail, queued only once the
transaction has committed and sent by a worker."""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django_scopes import get_scope

from dti_portal.accounts.models import Membership, Notification, Role

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
OFFICER, TEAM = "officer", "team"  # which page a recipient's notification links to


def _addresses(users) -> list[str]:
    return sorted({u.email for u in users if u.email and u.is_active})


def recipient_users(assessment, kind: str) -> list[tuple[object, str]]:
    """(user, OFFICER or TEAM) of every active person concerned: the unit's officers, the
    appraisers assigned to it and the lead, as `kind` decides. A person appears once."""
    officers = [m.user for m in Membership.objects.filter(unit=assessment.unit, role=Role.UNIT_OFFICER).select_related("user")]
    from .selectors import assignments_for

    team = [a.appraiser for a in assignments_for(assessment)]
    lead = [assessment.period.lead] if assessment.period.lead_id else []
    if kind in ("returned", "final", "reopened", "not_reported", "reminder", "withdrawn"):
        chosen = [(u, OFFICER) for u in officers] + ([(u, TEAM) for u in team + lead] if kind in ("final", "reopened") else [])
    else:
        chosen = [(u, TEAM) for u in team + lead] + ([(u, OFFICER) for u in officers] if kind in ("round1", "round2") else [])
    seen, found = set(), []
    for user, side in chosen:
        if user.is_active and user.pk not in seen:
            seen.add(user.pk)
            found.append((user, side))
    return found


def recipients(assessment, kind: str) -> list[str]:
    """The e-mail addresses of the people concerned (see `recipient_users`)."""
    return _addresses(user for user, _ in recipient_users(assessment, kind))


def _province_slug(assessment) -> str:
    """The slug of the assessment's province: from the active scope (the middleware and the
    commands enter it with the province itself), so that a period-wide act on 150 units does not
    read the province 150 times."""
    active = get_scope().get("province")
    if getattr(active, "pk", None) == assessment.period.province_id:
        return active.slug
    return assessment.period.province.slug


def _link(assessment, side: str) -> str:
    kwargs = {"province": _province_slug(assessment), "assessment_id": assessment.pk}
    return reverse("assessments:entry" if side == OFFICER else "assessments:unit_appraisal", kwargs=kwargs)


def notify(assessment, kind: str, detail: str = "") -> None:
    """Write the in-app notification of `kind` for every person concerned (one INSERT, in the
    caller's transaction) and queue the e-mail, which leaves only if that transaction commits."""
    people = recipient_users(assessment, kind)
    if not people:
        return
    subject = SUBJECTS[kind].format(unit=assessment.unit.name)
    title = subject.removeprefix("[DTI] ")
    summary = f"Kỳ đánh giá: {assessment.period.name}\nTrạng thái: {assessment.get_status_display()}\n{detail}".strip()
    Notification.objects.bulk_create([
        Notification(user=user, province_id=assessment.period.province_id, title=title, body=summary,
                     link=_link(assessment, side))
        for user, side in people
    ])
    to = _addresses(user for user, _ in people)
    if not to:
        return
    body = f"{title}.\n\n{summary}\n\nThư gửi tự động từ Cổng đánh giá Chỉ số chuyển đổi số; vui lòng không trả lời thư này."
    message = [subject, body, settings.DEFAULT_FROM_EMAIL, to]
    # Sent by a background worker, so a slow or absent mail server never holds up the request.
    transaction.on_commit(lambda: send_mail_task.enqueue([message]))
