"""The plan's reminders: owners N days before their deadline, naming only the tasks not yet reported;
the coordinating agency N days before its report to the ministry; e-mail queued after commit."""

from decimal import Decimal
from io import StringIO
from unittest import mock

from django.core.management import call_command
from django_scopes import scope, scopes_disabled

from dti_portal.accounts.models import Notification
from national.reports import report_submit
from tests.national.reports_fixtures import at, plan, tasks  # noqa: F401


def _run(day: str, days: int = 3) -> str:
    out = StringIO()
    call_command("send_plan_reminders", "--days", str(days), "--today", day, stdout=out)
    return out.getvalue()


def test_owners_are_reminded_three_days_before_the_25th_of_tasks_not_yet_reported(world, tasks, django_capture_on_commit_callbacks):
    world.officer_a1.email, world.officer_a2.email = "a1@example.vn", "a2@example.vn"
    world.officer_a1.save(), world.officer_a2.save()
    with scope(province=world.province_a):
        report_submit(task=tasks[0], year=2026, quarter=1, value=Decimal(40), account="x", actor=world.officer_a1,
                      now=at(2026, 3, 10))
    with mock.patch("national.management.commands.send_plan_reminders.send_mail_task") as queue, \
            django_capture_on_commit_callbacks(execute=True):
        out = _run("2026-03-22")
    assert "Đã gửi 1 lời nhắc cho cán bộ đơn vị chủ trì; 0 lời nhắc" in out
    with scopes_disabled():
        note = Notification.objects.get()
    assert note.user == world.officer_a2 and note.title == "Nhắc hạn báo cáo tiến độ Quý I 2026: UBND huyện Krông Pắc"
    assert "hết ngày 25/03/2026" in note.body and "8.1 Phổ cập tài khoản định danh điện tử (UBND huyện Krông Pắc, 1)" in note.body
    assert note.link == "/tinh-a/dti-cap-tinh/bao-cao/nhiem-vu/"
    (messages,), _ = queue.enqueue.call_args
    assert [m[3] for m in messages] == [["a2@example.vn"]]


def test_the_agency_is_reminded_before_the_ministry_deadline_with_the_count(world, tasks):
    out = _run("2026-12-22")  # 25/12 (the year, to the ministry) is 3 days away; 25/12 is also Q4's owners' deadline
    with scopes_disabled():
        titles = sorted(Notification.objects.values_list("title", flat=True))
    assert "2 lời nhắc cho cán bộ đơn vị chủ trì; 1 lời nhắc cho cơ quan thường trực" in out
    assert "Nhắc hạn báo cáo Bộ: kết quả thực hiện kế hoạch Báo cáo năm 2026" in titles
    with scopes_disabled():
        agency = Notification.objects.get(user=world.admin_a)
    assert "Đã có 0/2 nhiệm vụ" in agency.body and agency.link.endswith("?nam=2026&ky=0")


def test_no_reminder_on_other_days_or_for_other_provinces(world, tasks):
    assert "Đã gửi 0 lời nhắc cho cán bộ đơn vị chủ trì; 0" in _run("2026-03-21")
    assert "Đã gửi 0 lời nhắc" in _run("2026-03-22", days=1)
    with scopes_disabled():
        assert not Notification.objects.exists()
    _run("2026-06-22")
    with scopes_disabled():
        assert not Notification.objects.filter(province=world.province_b).exists()
        assert Notification.objects.count() == 2
