"""For cron, once a day: remind the owners' officers of the plan's progress reports N days before each
deadline (a quarter's: the 25th of its last month; the year's: 20/12), naming the tasks not yet reported,
and the coordinating agency (province admins) N days before its own report to the ministry (the 30th of
the quarter's last month; 25/12) with how many tasks were reported.

    python manage.py send_plan_reminders --days 3

Each reminder is an in-app notification (accounts.Notification) and an e-mail queued for the worker
(assessments.tasks.send_mail_task, `manage.py db_worker`) once the province's transaction commits.
Run once a day: a deadline is reminded on the one day that is exactly `--days` before it.
"""

from collections import defaultdict
from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.urls import reverse
from django_scopes import scope

from assessments.tasks import send_mail_task
from dti_portal.accounts.models import Membership, Notification, Role
from dti_portal.tenancy.models import Province
from national.models import ProgressReport, Task
from national.reports import Window, plans_of_year, windows_of_year

TASKS_LISTED = 15  # a longer list is cut with "và N nhiệm vụ khác"
FOOTER = "Thư gửi tự động từ Cổng đánh giá Chỉ số chuyển đổi số; vui lòng không trả lời thư này."


def _due(today: date, days: int) -> tuple[list[Window], list[Window]]:
    """(windows whose owners' deadline is `days` away, windows whose agency deadline is)."""
    windows = windows_of_year(today.year)
    return ([w for w in windows if (w.closes - today).days == days],
            [w for w in windows if (w.agency_deadline - today).days == days])


def _task_lines(tasks: list[Task]) -> str:
    lines = [f"- {t.indicator.code} {t.title}" for t in tasks[:TASKS_LISTED]]
    if len(tasks) > TASKS_LISTED:
        lines.append(f"- và {len(tasks) - TASKS_LISTED} nhiệm vụ khác")
    return "\n".join(lines)


def remind(province: Province, today: date, days: int) -> tuple[int, int]:
    """Write the province's reminders of `today` (inside its scope); (owners' notifications, agency's)."""
    owner_windows, agency_windows = _due(today, days)
    if not owner_windows and not agency_windows:
        return 0, 0
    rows, mails = [], []
    year = today.year
    tasks = list(Task.objects.filter(plan__in=plans_of_year(year)).select_related("indicator", "owner")
                 .order_by("owner__name", "position", "pk"))
    if not tasks:  # no plan runs this year in the province
        return 0, 0
    reported = set(ProgressReport.objects.filter(task__in=tasks, year=year).values_list("task_id", "quarter"))
    officers = defaultdict(list)
    for m in Membership.objects.filter(province=province, role=Role.UNIT_OFFICER,
                                       unit__in={t.owner_id for t in tasks}).select_related("user"):
        if m.user.is_active:
            officers[m.unit_id].append(m.user)
    tasks_link = reverse("national:report_tasks", kwargs={"province": province.slug})
    owners_count = 0
    for w in owner_windows:
        missing = defaultdict(list)
        for task in tasks:
            if (task.pk, w.quarter) not in reported:
                missing[task.owner].append(task)
        for owner, owed in missing.items():
            title = f"Nhắc hạn báo cáo tiến độ {w.label}: {owner.name}"
            body = (f"Còn {days} ngày đến hạn báo cáo {w.label} (hết ngày {w.closes:%d/%m/%Y}). "
                    f"Đơn vị chưa báo cáo {len(owed)} nhiệm vụ của Kế hoạch nâng cao chỉ số DTI:\n{_task_lines(owed)}")
            people = officers.get(owner.pk, [])
            rows += [Notification(user=u, province=province, title=title, body=body, link=tasks_link) for u in people]
            owners_count += len(people)
            mails += _mail(title, body, people)
    agency_count = 0
    if agency_windows:
        admins = [m.user for m in Membership.objects.filter(province=province, role=Role.PROVINCE_ADMIN).select_related("user")
                  if m.user.is_active]
        for w in agency_windows:
            done = sum(1 for t in tasks if (t.pk, w.quarter) in reported)
            title = f"Nhắc hạn báo cáo Bộ: kết quả thực hiện kế hoạch {w.label}"
            body = (f"Còn {days} ngày đến hạn báo cáo Bộ {w.label} (trước ngày {w.agency_deadline:%d/%m/%Y}). "
                    f"Đã có {done}/{len(tasks)} nhiệm vụ được đơn vị chủ trì báo cáo.")
            link = reverse("national:report_overview", kwargs={"province": province.slug}) + f"?nam={w.year}&ky={w.quarter}"
            rows += [Notification(user=u, province=province, title=title, body=body, link=link) for u in admins]
            agency_count += len(admins)
            mails += _mail(title, body, admins)
    Notification.objects.bulk_create(rows, batch_size=1000)
    if mails:
        transaction.on_commit(lambda: send_mail_task.enqueue(mails))
    return owners_count, agency_count


def _mail(title: str, body: str, users) -> list[list]:
    to = sorted({u.email for u in users if u.email})
    return [[f"[DTI] {title}", f"{title}.\n\n{body}\n\n{FOOTER}", settings.DEFAULT_FROM_EMAIL, to]] if to else []


class Command(BaseCommand):
    help = "Nhắc đơn vị chủ trì báo cáo tiến độ kế hoạch nâng cao chỉ số DTI và nhắc cơ quan thường trực báo cáo Bộ."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=3, help="nhắc trước hạn bao nhiêu ngày (mặc định 3)")
        parser.add_argument("--today", type=date.fromisoformat, default=None, help="YYYY-MM-DD (để chạy thử)")

    def handle(self, *args, days, today, **options):
        from django.utils import timezone

        today = today or timezone.localdate()
        owners = agency = 0
        for province in Province.objects.filter(is_active=True):
            with scope(province=province), transaction.atomic():
                o, a = remind(province, today, days)
                owners, agency = owners + o, agency + a
        self.stdout.write(f"Đã gửi {owners} lời nhắc cho cán bộ đơn vị chủ trì; {agency} lời nhắc cho cơ quan thường trực.")
