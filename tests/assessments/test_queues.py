"""Work queues on each role's home: what waits for the officer, the appraiser, the lead and the
province admin, with deadlines told in words; the same number of queries for 5 or 30 units and for
20 or 80 criteria."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from assessments import appraisal, queues
from assessments.models import Assessment, Assignment, Period
from indicators.models import Indicator
from assessments.services import answer_save, evidence_add
from dti_portal.tenancy.services import unit_create
from tests.assessments.test_page_queries import _period, _queries
from tests.conftest import Rewind

S = Assessment.Status
TODAY = date(2026, 11, 23)


def _review(user, assessment, indicator, **kwargs):
    with scope(province=assessment.period.province):
        return appraisal.review_save(assessment=assessment, indicator=indicator, round=kwargs.pop("round", 1),
                                     reviewer=user, **{"expected_version": 0} | kwargs)


# --- deadlines ------------------------------------------------------------------------------
@pytest.mark.parametrize("days, text, overdue", [(5, "còn 5 ngày", False), (0, "hôm nay là hạn cuối", False),
                                                 (-3, "quá hạn 3 ngày", True)])
def test_a_deadline_says_in_words_how_many_days_are_left(days, text, overdue):
    deadline = queues.Deadline("Hạn tự đánh giá", TODAY + timedelta(days=days), TODAY)
    assert (deadline.text, deadline.overdue, deadline.days_left) == (text, overdue, days)


# --- officer --------------------------------------------------------------------------------
def test_the_officer_sees_what_is_missing_and_the_deadline(world, assessment, indicators, client_as):
    with scope(province=world.province_a):
        answer_save(assessment=assessment, indicator=indicators["1.1"], inputs={"value": "có"}, note="", actor=world.officer_a1)
        answer_save(assessment=assessment, indicator=indicators["1.2"], inputs={"a": "4", "b": "10"}, note="", actor=world.officer_a1)
        [task] = queues.officer_queue(world.unit_a1.pk, "tinh-a", timezone.localdate())
    assert (task.status, task.unanswered, task.total, task.missing_evidence) == (S.DRAFT, 2, 4, 1)
    assert task.deadline.text == "còn 5 ngày" and task.deadline.label == "Hạn tự đánh giá"
    page = client_as(world.officer_a1).get(reverse("tenancy:unit_detail", kwargs={"province": "tinh-a", "unit_id": world.unit_a1.pk}))
    html = page.content.decode()
    assert 'data-testid="officer-queue"' in html
    assert '<strong data-testid="unanswered">2</strong> / 4 chỉ tiêu chưa có điểm' in html
    assert '<strong data-testid="missing-evidence">1</strong> chỉ tiêu có điểm nhưng thiếu tài liệu kiểm chứng' in html
    assert "còn 5 ngày" in html

    with scope(province=world.province_a):
        evidence_add(assessment=assessment, indicator=indicators["1.1"], actor=world.officer_a1,
                     upload=SimpleUploadedFile("anh.pdf", b"%PDF-1.4\n%%EOF\n"))
        [task] = queues.officer_queue(world.unit_a1.pk, "tinh-a", timezone.localdate())
    assert task.missing_evidence == 0


def test_an_overdue_self_assessment_is_said_in_words_and_in_red(world, assessment, client_as):
    with scopes_disabled():
        Period.objects.filter(pk=assessment.period_id).update(self_assessment_end=timezone.localdate() - timedelta(days=2))
    html = client_as(world.officer_a1).get(
        reverse("tenancy:unit_detail", kwargs={"province": "tinh-a", "unit_id": world.unit_a1.pk})).content.decode()
    assert 'data-overdue="1"' in html and "text-danger" in html and "quá hạn 2 ngày" in html and ">Quá hạn<" in html


def test_an_extension_moves_the_officers_deadline(world, assessment):
    with scopes_disabled():
        Assessment.objects.filter(pk=assessment.pk).update(extended_until=timezone.localdate() + timedelta(days=9))
    with scope(province=world.province_a):
        [task] = queues.officer_queue(world.unit_a1.pk, "tinh-a", timezone.localdate())
    assert task.deadline.text == "còn 9 ngày"


def test_another_units_officer_sees_no_queue_on_this_units_page(world, assessment, client_as):
    html = client_as(world.admin_a).get(
        reverse("tenancy:unit_detail", kwargs={"province": "tinh-a", "unit_id": world.unit_a1.pk})).content.decode()
    assert 'data-testid="officer-queue"' not in html


def test_the_officer_sees_the_criteria_awaiting_an_explanation(team, assessment, indicators, client_as):
    _review(team.appraiser_a, assessment, indicators["1.2"], decision="adjust", inputs={"a": "3", "b": "10"}, reason="Chỉ 3 hồ sơ")
    _review(team.appraiser2, assessment, indicators["2"], decision="request", reason="Thiếu kế hoạch")
    with scope(province=team.province_a):
        appraisal.confirm_all(assessment=assessment, round=1, reviewer=team.appraiser_a)
        appraisal.round1_close(period=assessment.period, actor=team.lead_a)
        [task] = queues.officer_queue(team.unit_a1.pk, "tinh-a", timezone.localdate())
        assert (task.status, task.to_explain, task.deadline.label) == (S.RETURNED, 2, "Hạn giải trình")
        appraisal.explanation_save(assessment=assessment, indicator=indicators["1.2"], text="Có 4 hồ sơ", actor=team.officer_a1)
        [task] = queues.officer_queue(team.unit_a1.pk, "tinh-a", timezone.localdate())
    assert task.to_explain == 1
    html = client_as(team.officer_a1).get(
        reverse("tenancy:unit_detail", kwargs={"province": "tinh-a", "unit_id": team.unit_a1.pk})).content.decode()
    assert '<strong data-testid="to-explain">1</strong> chỉ tiêu Tổ thẩm định điều chỉnh hoặc yêu cầu bổ sung' in html


# --- appraiser ------------------------------------------------------------------------------
def _appraiser_queue(user, province):
    with scope(province=province):
        return queues.appraiser_queue(user, "tinh-a", timezone.localdate())


def test_each_appraiser_sees_the_criteria_of_their_assignment_awaiting_a_decision(team, assessment, indicators):
    [whole] = _appraiser_queue(team.appraiser_a, team.province_a)  # the whole unit: 4 criteria
    [group] = _appraiser_queue(team.appraiser2, team.province_a)  # group 2 of every unit: 1 criterion
    assert (whole.unit, whole.round, whole.undecided, whole.assigned) == ("Sở Y tế", 1, 4, 4)
    assert (group.undecided, group.assigned) == (1, 1)
    assert whole.url == f"/tinh-a/tham-dinh/danh-gia/{assessment.pk}/" and whole.deadline.text == "còn 10 ngày"

    _review(team.appraiser2, assessment, indicators["2"], decision="confirm")
    assert _appraiser_queue(team.appraiser2, team.province_a) == []  # done: off the queue
    [whole] = _appraiser_queue(team.appraiser_a, team.province_a)
    assert whole.undecided == 3


def test_in_round_two_the_appraiser_is_asked_to_sign_once_everything_is_decided(team, assessment, indicators):
    with scope(province=team.province_a):
        appraisal.confirm_all(assessment=assessment, round=1, reviewer=team.appraiser_a)
        appraisal.confirm_all(assessment=assessment, round=1, reviewer=team.appraiser2)
        appraisal.round1_close(period=assessment.period, actor=team.lead_a)  # nothing queried: straight to round 2
        appraisal.confirm_all(assessment=assessment, round=2, reviewer=team.appraiser2)
    [task] = _appraiser_queue(team.appraiser2, team.province_a)
    assert (task.round, task.undecided, task.to_sign) == (2, 0, True)
    with scope(province=team.province_a):
        appraisal.sign_off(assessment=assessment, appraiser=team.appraiser2)
    assert _appraiser_queue(team.appraiser2, team.province_a) == []


def test_the_appraisers_home_lists_the_queue_with_links_to_the_units_page(team, assessment, client_as):
    html = client_as(team.appraiser_a).get(reverse("assessments:appraiser_home", kwargs={"province": "tinh-a"})).content.decode()
    assert 'data-testid="appraiser-queue"' in html and f'href="/tinh-a/tham-dinh/danh-gia/{assessment.pk}/"' in html
    assert '<strong data-testid="undecided">4</strong> / 4' in html


def test_an_appraiser_without_assignments_has_an_empty_queue(world, assessment, client_as):
    html = client_as(world.appraiser_a).get(reverse("assessments:appraiser_home", kwargs={"province": "tinh-a"})).content.decode()
    assert "Không có đơn vị nào chờ bạn thẩm định hoặc ký xác nhận." in html


# --- lead -----------------------------------------------------------------------------------
def _lead_queue(world):
    with scope(province=world.province_a):
        [blockers] = queues.lead_queue(world.province_a, "tinh-a", timezone.localdate())
    return blockers


def test_the_lead_sees_what_keeps_round_one_from_closing_and_then_that_it_can(team, assessment, indicators, client_as):
    blockers = _lead_queue(team)
    assert [(b.unit, b.reason) for b in blockers.round1_blockers] == [("Sở Y tế", "còn 4 chỉ tiêu chưa thẩm định")]
    assert not blockers.round1_closable
    html = client_as(team.lead_a).get(reverse("assessments:lead_home", kwargs={"province": "tinh-a"})).content.decode()
    assert "Chưa đóng được vòng 1" in html and "còn 4 chỉ tiêu chưa thẩm định" in html
    with scope(province=team.province_a):
        appraisal.confirm_all(assessment=assessment, round=1, reviewer=team.appraiser_a)
        appraisal.confirm_all(assessment=assessment, round=1, reviewer=team.appraiser2)
    blockers = _lead_queue(team)
    assert blockers.round1_blockers == [] and blockers.round1_closable


def test_the_lead_sees_the_missing_signatures_before_finalising(team, assessment, indicators):
    with scope(province=team.province_a):
        appraisal.confirm_all(assessment=assessment, round=1, reviewer=team.appraiser_a)
        appraisal.confirm_all(assessment=assessment, round=1, reviewer=team.appraiser2)
        appraisal.round1_close(period=assessment.period, actor=team.lead_a)
        appraisal.confirm_all(assessment=assessment, round=2, reviewer=team.appraiser_a)
        appraisal.confirm_all(assessment=assessment, round=2, reviewer=team.appraiser2)
        appraisal.sign_off(assessment=assessment, appraiser=team.appraiser_a)
    [blocker] = _lead_queue(team).finalise_blockers
    assert blocker.reason == "thiếu 1/2 chữ ký xác nhận"
    with scope(province=team.province_a):
        appraisal.sign_off(assessment=assessment, appraiser=team.appraiser2)
    blockers = _lead_queue(team)
    assert blockers.finalise_blockers == [] and [b.unit for b in blockers.ready_to_finalise] == ["Sở Y tế"]


# --- province admin -------------------------------------------------------------------------
def test_the_admin_sees_the_units_late_after_the_self_assessment_deadline(world, assessment, client_as):
    with scopes_disabled():
        Period.objects.filter(pk=assessment.period_id).update(self_assessment_end=timezone.localdate() - timedelta(days=1))
    with scope(province=world.province_a):
        [schedule] = queues.admin_queue(world.province_a, "tinh-a", timezone.localdate())
    [late] = schedule.late
    assert late.what == "chưa gửi bản tự đánh giá" and [name for name, _ in late.units] == ["Sở Y tế"]
    assert late.deadline.text == "quá hạn 1 ngày"
    html = client_as(world.admin_a).get(reverse("tenancy:admin_home", kwargs={"province": "tinh-a"})).content.decode()
    assert "đơn vị chưa gửi bản tự đánh giá" in html and "quá hạn 1 ngày" in html


def test_a_unit_with_an_extension_is_not_late(world, assessment):
    with scopes_disabled():
        Period.objects.filter(pk=assessment.period_id).update(self_assessment_end=timezone.localdate() - timedelta(days=1))
        Assessment.objects.filter(pk=assessment.pk).update(extended_until=timezone.localdate() + timedelta(days=3))
    with scope(province=world.province_a):
        [schedule] = queues.admin_queue(world.province_a, "tinh-a", timezone.localdate())
    assert schedule.late == []


def test_the_admin_is_warned_of_a_period_not_opened_on_its_start_date(world):
    with scope(province=world.province_a):
        Period.objects.create(province=world.province_a, year=2026, name="Kỳ 2026",
                              self_assessment_start=timezone.localdate() - timedelta(days=2))
        [schedule] = queues.admin_queue(world.province_a, "tinh-a", timezone.localdate())
    assert "Kỳ chưa được mở" in schedule.warning


# --- query counts ---------------------------------------------------------------------------
HOMES = {
    "appraiser": lambda w: (w.appraiser_a, reverse("assessments:appraiser_home", kwargs={"province": "tinh-a"})),
    "lead": lambda w: (w.lead_a, reverse("assessments:lead_home", kwargs={"province": "tinh-a"})),
    "admin": lambda w: (w.admin_a, reverse("tenancy:admin_home", kwargs={"province": "tinh-a"})),
    "officer": lambda w: (w.officer_a1, reverse("tenancy:unit_detail", kwargs={"province": "tinh-a", "unit_id": w.unit_a1.pk})),
}


def _late_and_by_group(world, period):
    """Some units late (the admin's queue lists them); the lead appraises group 2 of every unit
    (the appraiser queue's per-group count)."""
    with scopes_disabled():
        Period.objects.filter(pk=period.pk).update(self_assessment_end=timezone.localdate() - timedelta(days=1))
        group = Indicator.objects.get(framework__period_uses__period=period, code="2")
        Assignment.objects.create(period=period, appraiser=world.lead_a, group=group)


@pytest.mark.parametrize("home", sorted(HOMES))
def test_a_home_costs_the_same_queries_for_5_and_for_30_units(world, home):
    counts, rewind = [], Rewind()
    for units in (5, 30):
        rewind()
        period = _period(world, units, extra_leaves=0)
        _late_and_by_group(world, period)
        counts.append(_queries(*HOMES[home](world)))
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize("home", sorted(HOMES))
def test_a_home_costs_the_same_queries_for_20_and_for_80_criteria(world, home):
    counts, rewind = [], Rewind()
    for extra in (16, 76):
        rewind()
        _late_and_by_group(world, _period(world, 3, extra_leaves=extra))
        counts.append(_queries(*HOMES[home](world)))
    assert counts[0] == counts[1], counts


def test_queues_list_units_in_vietnamese_order(world, assessment):
    """Đắk … after Cư … and before Ea … (not after every ASCII letter, as a byte sort would)."""
    with scopes_disabled():
        kind = world.province_a.unit_kinds.get(code="so")
        for name in ["Sở Đắk", "Sở Ea", "Sở Cư"]:
            unit = unit_create(actor=None, province=world.province_a, kind=kind, name=name)
            Assessment.objects.create(period=assessment.period, unit=unit, framework=assessment.framework)
        Period.objects.filter(pk=assessment.period_id).update(self_assessment_end=timezone.localdate() - timedelta(days=1))
    with scope(province=world.province_a):
        [schedule] = queues.admin_queue(world.province_a, "tinh-a", timezone.localdate())
    assert [name for name, _ in schedule.late[0].units] == ["Sở Cư", "Sở Đắk", "Sở Ea", "Sở Y tế"]
