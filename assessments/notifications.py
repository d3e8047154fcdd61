"""Messages on every transition: an in-app notification (thông báo) for each person concerned,
written with the change in one INSERT, and the same text by e-mail, queued only once the
transaction has committed and sent by a worker."""

from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django_scopes import get_scope

from dti_portal.accounts.models import Membership, Notification, Role, User

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


def _choose(kind: str, officers: list, team: list, lead: list) -> list[tuple[object, str]]:
    """(user, OFFICER or TEAM) of every active person concerned by `kind`, each once: the unit's
    officers, the appraisers assigned to it and the lead, as `kind` decides."""
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


def _people(assessments: list) -> dict[int, tuple[list, list, list]]:
    """Assessment pk → (officers, team, lead) as users, for any number of assessments in three
    queries: the units' officers, the periods' assignments with their appraisers, the leads."""
    from .models import Assignment

    officers: dict[int, list] = defaultdict(list)
    for membership in Membership.objects.filter(unit__in={a.unit_id for a in assessments}, role=Role.UNIT_OFFICER).select_related("user"):
        officers[membership.unit_id].append(membership.user)
    assignments = list(Assignment.objects.filter(period__in={a.period_id for a in assessments})
                       .select_related("appraiser", "group").order_by("pk"))
    lead_ids = {a.period.lead_id for a in assessments if a.period.lead_id}
    leads = {u.pk: u for u in User.objects.filter(pk__in=lead_ids)} if lead_ids else {}
    found = {}
    for a in assessments:
        team = [x.appraiser for x in assignments if x.period_id == a.period_id and (
            x.unit_id == a.unit_id or (x.unit_id is None and x.group.framework_id == a.framework_id))]
        found[a.pk] = (officers[a.unit_id], team, [leads[a.period.lead_id]] if a.period.lead_id in leads else [])
    return found


def recipient_users(assessment, kind: str) -> list[tuple[object, str]]:
    """(user, OFFICER or TEAM) of every active person concerned by `kind` (see `_choose`)."""
    return _choose(kind, *_people([assessment])[assessment.pk])


def recipients(assessment, kind: str) -> list[str]:
    """The e-mail addresses of the people concerned (see `recipient_users`)."""
    return _addresses(user for user, _ in recipient_users(assessment, kind))


def _tenant(assessment, seen: dict[int, tuple[int, str]]) -> tuple[int, str]:
    """(id, slug) of the province that holds the assessment's period today: its own, or the one it was
    merged into (the roles, the notifications and the URLs moved there; the period keeps its province).

    Read once per province of a call: from the active scope when the commands enter it with the
    province itself, so that a period-wide act on 150 units does not read the province 150 times."""
    province_id = assessment.period.province_id
    if province_id not in seen:
        active = get_scope().get("province")
        province = active if getattr(active, "pk", None) == province_id else assessment.period.province
        if province.merged_into_id:
            from dti_portal.tenancy.lineage import tenant_of

            province = tenant_of(province)
        seen[province_id] = (province.pk, province.slug)
    return seen[province_id]


def _link(slug: str, assessment, side: str) -> str:
    kwargs = {"province": slug, "assessment_id": assessment.pk}
    return reverse("assessments:entry" if side == OFFICER else "assessments:unit_appraisal", kwargs=kwargs)


def notify(assessment, kind: str, detail: str = "") -> None:
    """Tell the people concerned by `kind` about `assessment` (see `notify_all`)."""
    notify_all([assessment], kind, {assessment.pk: detail})


def notify_all(assessments, kind: str, details: dict[int, str] | None = None) -> None:
    """Write the in-app notification of `kind` for every person concerned by each assessment (one
    INSERT for all of them, in the caller's transaction) and queue the e-mails as one task that
    runs only if that transaction commits. `details` maps an assessment pk to a line of its own.

    A fixed number of queries whatever the number of assessments: a period-wide act on 150 units
    writes its notifications as one unit's do. The assessments carry their `period` and `unit`."""
    assessments = list(assessments)
    if not assessments:
        return
    details = details or {}
    people = _people(assessments)
    rows, messages, tenants = [], [], {}
    for assessment in assessments:
        chosen = _choose(kind, *people[assessment.pk])
        if not chosen:
            continue
        subject = SUBJECTS[kind].format(unit=assessment.unit.name)
        title = subject.removeprefix("[DTI] ")
        summary = (f"Kỳ đánh giá: {assessment.period.name}\nTrạng thái: {assessment.get_status_display()}\n"
                   f"{details.get(assessment.pk, '')}").strip()
        tenant_id, slug = _tenant(assessment, tenants)
        rows += [Notification(user=user, province_id=tenant_id, title=title, body=summary,
                              link=_link(slug, assessment, side)) for user, side in chosen]
        to = _addresses(user for user, _ in chosen)
        if to:
            body = f"{title}.\n\n{summary}\n\nThư gửi tự động từ Cổng đánh giá Chỉ số chuyển đổi số; vui lòng không trả lời thư này."
            messages.append([subject, body, settings.DEFAULT_FROM_EMAIL, to])
    Notification.objects.bulk_create(rows, batch_size=1000)
    if messages:
        # Sent by a background worker, so a slow or absent mail server never holds up the request.
        transaction.on_commit(lambda: send_mail_task.enqueue(messages))
