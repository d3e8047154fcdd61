"""For cron, once a day: reminders before each deadline; "không báo cáo" when the window closed.

    python manage.py send_reminders --days 3
"""

from datetime import date, timedelta

from django.core.management.base import BaseCommand
from django_scopes import scope

from assessments.models import Assessment, Period
from assessments.notifications import notify
from assessments.services import mark_not_reported
from dti_portal.tenancy.models import Province

REMINDED = {
    # status of the unit -> (the period's date field, what the deadline is for)
    Assessment.Status.DRAFT: ("self_assessment_end", "tự đánh giá"),
    Assessment.Status.RETURNED: ("explanation_end", "giải trình"),
}


class Command(BaseCommand):
    help = "Gửi thư nhắc hạn và đánh dấu đơn vị không báo cáo khi hết hạn tự đánh giá."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=3, help="nhắc trước hạn bao nhiêu ngày (mặc định 3)")
        parser.add_argument("--today", type=date.fromisoformat, default=None, help="YYYY-MM-DD (để chạy thử)")

    def handle(self, *args, days, today, **options):
        from django.utils import timezone

        from assessments.models import end_of_day

        today = today or timezone.localdate()
        now = end_of_day(today)
        reminded = marked = 0
        for province in Province.objects.filter(is_active=True):
            with scope(province=province):
                for period in Period.objects.filter(status=Period.Status.OPEN):
                    for assessment in period.assessments.filter(status__in=list(REMINDED)).select_related("unit", "period"):
                        field, what = REMINDED[assessment.status]
                        deadline = assessment.deadline if field == "self_assessment_end" else getattr(period, field)
                        if deadline and deadline - today == timedelta(days=days):
                            notify(assessment, "reminder", f"Hạn {what}: {deadline:%d/%m/%Y} (còn {days} ngày).")
                            reminded += 1
                    marked += len(mark_not_reported(period=period, now=now))
        self.stdout.write(f"Đã gửi {reminded} thư nhắc; {marked} đơn vị được ghi nhận không báo cáo.")
