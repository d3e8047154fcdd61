"""Issue 11, part 5: every write of a period, an assessment and its appraisal is an entry of the
province's one audit log, written by the service that made it; deleting what has entries is refused."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from assessments import appraisal, services
from assessments.models import Assessment, Assignment, Period
from dti_portal.audit.models import Entry
from tests.assessments.test_appraisal import _review, _round_one

S = Assessment.Status


def _actions(**filters) -> list[str]:
    with scopes_disabled():
        return list(Entry.objects.filter(**filters).order_by("pk").values_list("action", flat=True))


def test_opening_a_period_is_logged_for_the_period_and_for_every_unit(world, assessment):
    period = assessment.period
    assert _actions(period=period, assessment__isnull=True) == ["period.created", "period.opened"]
    with scopes_disabled():
        opened = Entry.objects.get(period=period, action="period.opened")
        created = Entry.objects.get(assessment=assessment, action="assessment.created")
    assert (opened.actor, opened.old, opened.new) == (world.admin_a, {"status": "draft"}, {"status": "open", "assessments": 1})
    assert created.province == world.province_a and created.target_label == "Sở Y tế – Kỳ đánh giá 2025"
    assert created.new["status"] == "draft"


def test_editing_a_draft_period_logs_only_what_changed(world):
    with scope(province=world.province_a):
        period = Period(province=world.province_a, year=2026, name="Kỳ 2026", self_assessment_start=timezone.localdate(),
                        self_assessment_end=timezone.localdate() + timedelta(days=10))
        services.period_save(period=period, frameworks={}, actor=world.admin_a)
        period.name = "Kỳ đánh giá năm 2026"
        services.period_save(period=period, frameworks={}, actor=world.admin_a)
        services.period_save(period=period, frameworks={}, actor=world.admin_a)  # nothing changed: no entry
    with scopes_disabled():
        entries = list(Entry.objects.filter(period=period).order_by("pk"))
    assert [e.action for e in entries] == ["period.created", "period.updated"]
    assert (entries[1].old, entries[1].new) == ({"name": "Kỳ 2026"}, {"name": "Kỳ đánh giá năm 2026"})


def test_the_team_lead_and_assignments_are_logged_when_given_and_taken(world, assessment, indicators, client_as):
    admin, period = client_as(world.admin_a), assessment.period
    board = lambda name, **kw: reverse(f"assessments:{name}", kwargs={"province": "tinh-a", **kw})  # noqa: E731
    admin.post(board("lead_set", period_id=period.pk), {"lead": world.lead_a.pk})
    lead = client_as(world.lead_a)
    lead.post(board("assignment_add", period_id=period.pk), {"appraiser": world.appraiser_a.pk, "unit": world.unit_a1.pk})
    with scopes_disabled():
        assignment = Assignment.objects.get(period=period)
    lead.post(board("assignment_remove", assignment_id=assignment.pk))
    with scopes_disabled():
        entries = list(Entry.objects.filter(period=period, action__in=["period.lead_set", "assignment.added",
                                                                       "assignment.removed"]).order_by("pk"))
    assert [(e.action, e.actor) for e in entries] == [
        ("period.lead_set", world.admin_a), ("assignment.added", world.lead_a), ("assignment.removed", world.lead_a)]
    assert entries[1].new == {"appraiser": "A Thamdinh", "unit": "Sở Y tế", "group": None}
    assert entries[2].target_label == "A Thamdinh: Sở Y tế" and entries[2].old == entries[1].new


def test_the_whole_appraisal_leaves_one_entry_per_act_in_order(team, assessment, indicators):
    _round_one(team, assessment, indicators)
    with scope(province=team.province_a):
        appraisal.round1_close(period=assessment.period, actor=team.lead_a)
        appraisal.explanation_save(assessment=assessment, indicator=indicators["1.2"], text="Bổ sung", actor=team.officer_a1)
        appraisal.explanation_submit(assessment=assessment, actor=team.officer_a1)
        appraisal.round2_start(period=assessment.period, actor=team.lead_a)
    _review(team.appraiser_a, assessment, indicators["1.2"], round=2, decision="withdraw", reason="Chấp nhận giải trình")
    with scope(province=team.province_a):
        appraisal.confirm_all(assessment=assessment, round=2, reviewer=team.appraiser_a)
        appraisal.confirm_all(assessment=assessment, round=2, reviewer=team.appraiser2)
        appraisal.sign_off(assessment=assessment, appraiser=team.appraiser_a)
        appraisal.sign_off(assessment=assessment, appraiser=team.appraiser2)
        appraisal.finalise(assessment=assessment, actor=team.lead_a)
        appraisal.reopen(assessment=assessment, actor=team.admin_a, reason="Sai số liệu chỉ tiêu 2")
    actions = _actions(assessment=assessment)
    assert actions[:2] == ["assessment.created", "answer.saved"]
    assert actions[actions.index("assessment.submitted"):] == [
        "assessment.submitted", "assessment.round1.started",
        "assessment.round1.adjust", "assessment.round1.adjust", "assessment.round1.confirm", "assessment.round1.confirm",
        "assessment.returned", "assessment.explanation.saved", "assessment.explained", "assessment.round2.started",
        "assessment.round2.withdraw", "assessment.round2.confirm", "assessment.round2.confirm", "assessment.round2.confirm",
        "assessment.signed", "assessment.signed", "assessment.finalised", "assessment.reopened",
    ]
    with scopes_disabled():
        reopened = Entry.objects.get(assessment=assessment, action="assessment.reopened")
    assert reopened.reason == "Sai số liệu chỉ tiêu 2" and reopened.actor == team.admin_a
    assert reopened.old["status"] == "final" and len(reopened.old["signoffs"]) == 2 and reopened.new == {"status": "round2"}


def test_a_move_from_the_wrong_state_is_refused_in_vietnamese_and_writes_nothing(world, assessment):
    before = _actions(assessment=assessment)
    with scope(province=world.province_a), pytest.raises(ValidationError, match="Chỉ chốt được bản đánh giá đang ở vòng thẩm định lần 2"):
        appraisal.finalise(assessment=assessment, actor=world.lead_a)
    from dti_portal.audit import transitions

    with scope(province=world.province_a), pytest.raises(ValidationError, match="đang ở trạng thái “Đang nhập liệu”, không chuyển sang “Đã chốt kết quả”"):
        transitions.move("assessment.finalised", assessment, actor=world.lead_a)
    assessment.refresh_from_db()
    assert assessment.status == S.DRAFT and _actions(assessment=assessment) == before


def test_deleting_a_period_that_has_entries_is_refused_and_nothing_is_lost(world, assessment):
    count = len(_actions(period=assessment.period))
    with scopes_disabled(), pytest.raises(ProtectedError):
        Period.objects.filter(pk=assessment.period_id).delete()
    with scopes_disabled(), pytest.raises(ProtectedError):
        Assessment.objects.filter(pk=assessment.pk).delete()
    assert len(_actions(period=assessment.period)) == count
    with scopes_disabled():
        assert Period.objects.filter(pk=assessment.period_id).exists()


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the database's own refusal: PostgreSQL (CI runs it)")
def test_postgresql_itself_refuses_to_delete_a_period_under_its_entries(world, assessment):
    with pytest.raises(Exception, match="audit_entry"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("DELETE FROM assessments_assessment WHERE id = %s", [assessment.pk])
    assert len(_actions(assessment=assessment)) >= 1
