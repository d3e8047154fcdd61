"""Browser journeys of the work queues: an appraiser works through the queue on the home page;
a notification is opened from the navbar's count."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from playwright.sync_api import expect

from assessments.models import Assessment, Assignment, Period
from assessments.services import answer_save
from dti_portal.tenancy.services import unit_create
from tests.assessments.conftest import assessment, indicators, period, team  # noqa: F401  (fixtures)
from tests.e2e.test_accessibility import violations

pytestmark = pytest.mark.e2e
S = Assessment.Status


@pytest.fixture
def second_unit(world):
    """A second sở, created before the period opens so that it gets an assessment too."""
    with scopes_disabled():
        kind = world.province_a.unit_kinds.get(code="so")
        return unit_create(actor=None, province=world.province_a, kind=kind, name="Sở Tài chính")


@pytest.fixture
def two_units_in_round1(second_unit, team, assessment, indicators):  # noqa: F811
    """Sở Y tế (team fixture) and Sở Tài chính in round 1, both assigned to a.thamdinh."""
    with scope(province=team.province_a):
        other = Assessment.objects.select_related("period", "unit").get(period=assessment.period, unit=second_unit)
        for code, inputs in [("1.1", {"value": "không"}), ("1.2", {"a": "4", "b": "10"}), ("1.3", {"count": "2"}),
                             ("2", {"points": "8"})]:
            answer_save(assessment=other, indicator=indicators[code], inputs=inputs, note="", actor=team.officer_a1)
        # set-up shortcut: submission and round 1 by services are covered in tests/assessments/test_appraisal.py
        Assessment.objects.filter(pk=other.pk).update(status=S.ROUND1, submitted_at=timezone.now())
        Assignment.objects.create(period=assessment.period, appraiser=team.appraiser_a, unit=second_unit)
    return other


def _queue_rows(page):
    return page.get_by_test_id("queue-row")


def test_an_appraiser_works_through_the_queue_on_the_home_page(two_units_in_round1, team, assessment, page, login, snapshot):  # noqa: F811
    other = two_units_in_round1
    page.set_viewport_size({"width": 1366, "height": 768})
    login("a.thamdinh")  # lands on the appraiser's home
    expect(page.get_by_test_id("role-home")).to_have_text("Tổ thẩm định")
    expect(_queue_rows(page)).to_have_count(2)
    expect(page.get_by_test_id("queue-count")).to_have_text("2 đơn vị")
    row = page.locator(f"[data-testid=queue-row][data-assessment='{other.pk}']")
    expect(row).to_contain_text("Sở Tài chính")
    expect(row.get_by_test_id("undecided")).to_have_text("4")
    assert violations(page) == []
    expect(page.get_by_test_id("queue-group")).to_contain_text("Kỳ đánh giá 2025 · Thẩm định lần 1")
    expect(page.get_by_test_id("queue-group").get_by_test_id("deadline")).to_have_text(re.compile("Hạn thẩm định lần 1: .* còn 10 ngày"))
    snapshot("-home-before")

    # Opens the unit from the queue, decides one criterion, comes back: 3 left.
    row.get_by_role("link", name=re.compile("Thẩm định")).click()
    expect(page).to_have_url(re.compile(f"/tinh-a/tham-dinh/danh-gia/{other.pk}/$"))
    criterion = page.locator("tr[data-code='1.2']")
    criterion.get_by_label("Xác nhận", exact=True).check()
    criterion.get_by_role("button", name="Lưu").click()
    expect(page.get_by_test_id("r1-1.2")).to_contain_text("Xác nhận")
    page.get_by_role("link", name="Trang của tôi").click()
    row = page.locator(f"[data-testid=queue-row][data-assessment='{other.pk}']")
    expect(row.get_by_test_id("undecided")).to_have_text("3")

    # Decides the rest of that unit: it leaves the queue.
    row.get_by_role("link", name=re.compile("Thẩm định")).click()
    page.get_by_role("button", name="Xác nhận tất cả chỉ tiêu chưa xem").click()
    expect(page.locator(".alert-success")).to_contain_text("Đã xác nhận 3 chỉ tiêu")
    page.get_by_role("link", name="Trang của tôi").click()
    expect(_queue_rows(page)).to_have_count(1)
    expect(_queue_rows(page)).to_contain_text("Sở Y tế")
    snapshot("-home-after")

    # And the last one: the queue is empty and says so.
    _queue_rows(page).get_by_role("link", name=re.compile("Thẩm định")).click()
    page.get_by_role("button", name="Xác nhận tất cả chỉ tiêu chưa xem").click()
    page.get_by_role("link", name="Trang của tôi").click()
    expect(page.get_by_test_id("queue-empty")).to_have_text("Không có đơn vị nào chờ bạn thẩm định hoặc ký xác nhận.")


def test_a_notification_is_opened_from_the_navbar_and_counted_read(team, assessment, page, login):  # noqa: F811
    page.set_viewport_size({"width": 1366, "height": 768})
    login("a.canbo1")  # round 1 started: the officer was told; the officer's home says the unit waits
    expect(page.get_by_test_id("officer-queue")).to_contain_text("Đang chờ Tổ thẩm định xem xét (thẩm định lần 1).")
    assert violations(page) == []
    expect(page.get_by_test_id("unread-count")).to_contain_text("1")
    page.get_by_test_id("notifications-link").click()
    item = page.get_by_test_id("notification").first
    expect(item).to_contain_text("Bắt đầu thẩm định lần 1: Sở Y tế")
    assert violations(page) == []
    expect(item).to_have_attribute("data-read", "0")
    item.get_by_role("button", name="Bắt đầu thẩm định lần 1: Sở Y tế").click()
    expect(page).to_have_url(re.compile(f"/tinh-a/tu-danh-gia/{assessment.pk}/$"))
    expect(page.get_by_test_id("unread-count")).to_have_count(0)
    page.get_by_test_id("notifications-link").click()
    expect(page.get_by_test_id("notification").first).to_have_attribute("data-read", "1")


def test_the_lead_and_the_admin_see_what_waits_for_them(two_units_in_round1, team, assessment, page, login, snapshot):  # noqa: F811
    page.set_viewport_size({"width": 1366, "height": 768})
    login("a.totruong")
    expect(page.get_by_test_id("round1-blockers")).to_contain_text("Chưa đóng được vòng 1: 2 đơn vị còn chỉ tiêu chưa thẩm định")
    page.get_by_text("Xem danh sách").first.click()
    expect(page.get_by_test_id("round1-blockers")).to_contain_text("Sở Tài chính: còn 4 chỉ tiêu chưa thẩm định")
    assert violations(page) == []
    snapshot("-lead")

    with scopes_disabled():  # the self-assessment deadline passed with Sở Tài chính still drafting
        Period.objects.filter(pk=assessment.period_id).update(self_assessment_end=timezone.localdate() - timedelta(days=2))
        Assessment.objects.filter(pk=two_units_in_round1.pk).update(status=S.DRAFT)
    page.context.clear_cookies()
    login("a.quantri")
    late = page.get_by_test_id("late")
    expect(late).to_contain_text("1 đơn vị chưa gửi bản tự đánh giá")
    expect(late.get_by_test_id("deadline")).to_contain_text("quá hạn 2 ngày")
    late.get_by_text("Xem danh sách đơn vị").click()
    late.get_by_role("link", name="Sở Tài chính").click()
    expect(page.get_by_test_id("unit-name")).to_have_text("Sở Tài chính")
    page.go_back()
    assert violations(page) == []
    snapshot("-admin")
