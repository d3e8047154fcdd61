"""Stored totals: computed once by `assessments.totals.refresh_totals`, read by pages and rankings."""

import random
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope, scopes_disabled

from assessments import appraisal
from assessments.models import Answer, Assessment, Review
from assessments.services import answer_save
from assessments.totals import Shape, compute, refresh_totals
from dti_portal.tenancy.models import Unit

from .conftest import build_framework

S = Assessment.Status


def _stored(assessment):
    with scopes_disabled():
        return Assessment.objects.get(pk=assessment.pk)


def test_a_deep_tree_totals_like_a_roll_up_by_hand():
    # 1 = 1.1 (= 1.1.1 + 1.1.2) + 1.2 ; 2 is a leaf ; 3 is collected (never scored, never counted as answered)
    tree = [(1, None, "1", "Nhận thức số", "sum"), (2, 1, "1.1", "a", "sum"), (3, 2, "1.1.1", "x", "manual"),
            (4, 2, "1.1.2", "y", "ratio"), (5, 1, "1.2", "b", "yes_no"), (6, None, "2", "Hạ tầng số", "manual"),
            (7, None, "3", "Thông tin thu thập", "collected")]
    shape = Shape([{"pk": pk, "parent_id": parent, "code": code, "name": name, "rule": rule, "position": pk}
                   for pk, parent, code, name, rule in tree])
    answers = [{"pk": 10 + i, "indicator_id": i, "self_score": s, "final_score": f} for i, s, f in [
        (3, Decimal("2.5"), Decimal("2")), (4, Decimal("1.25"), Decimal("1.25")), (5, None, None),
        (6, Decimal("7"), Decimal("4")), (7, Decimal("0"), None), (1, None, None)]]  # pk 1: evidence on a group
    reviews = {16: {1: type("R", (), {"decision": "adjust", "score": Decimal("1")})()}}  # 6 adjusted to 1 in round 1
    drafting = compute(shape, "round2", answers, reviews)
    assert drafting == {"self_total": Decimal("10.75"), "standing_total": Decimal("4.75"), "final_total": None,
                        "final_parts": {}, "answered_count": 3, "decided_round1": 1, "decided_round2": 0}
    final = compute(shape, "final", answers, reviews)
    assert final["final_total"] == Decimal("7.25")  # 2 + 1.25 + 4
    assert final["final_parts"] == {"nhan_thuc_so": "3.25", "ha_tang_so": "4", "thong_tin_thu_thap": "0"}
    assert compute(shape, "draft", [], {})["self_total"] is None


def test_each_save_changes_the_stored_total_and_progress(world, assessment, indicators):
    with scope(province=world.province_a):
        answer_save(assessment=assessment, indicator=indicators["2"], inputs={"points": "8"}, note="", actor=world.officer_a1)
        stored = _stored(assessment)
        assert (stored.self_total, stored.standing_total, stored.answered_count) == (Decimal("8"), Decimal("8"), 1)
        answer_save(assessment=assessment, indicator=indicators["1.2"], inputs={"a": "4", "b": "10"}, note="", actor=world.officer_a1)
        answer_save(assessment=assessment, indicator=indicators["2"], inputs={"points": "6,5"}, note="", actor=world.officer_a1)
        stored = _stored(assessment)
        assert (stored.self_total, stored.answered_count) == (Decimal("10.5"), 2)
        answer_save(assessment=assessment, indicator=indicators["2"], inputs={"points": "99"}, note="", actor=world.officer_a1)
        stored = _stored(assessment)
        assert (stored.self_total, stored.answered_count, stored.final_total) == (Decimal("4"), 1, None)


def test_decisions_move_the_standing_total_finalising_stores_the_final_parts_reopening_clears_them(team, assessment, indicators):
    # Self: 1.1 "không" 0, 1.2 4/10 → 4, 1.3 2 items → 4, 2 → 8: 16 in all.
    stored = _stored(assessment)
    assert (stored.self_total, stored.standing_total, stored.answered_count) == (Decimal("16"), Decimal("16"), 4)
    with scope(province=team.province_a):
        appraisal.review_save(assessment=assessment, indicator=indicators["2"], round=1, decision="adjust",
                              reviewer=team.appraiser2, points="5", reason="Thiếu kế hoạch")
        assert _stored(assessment).standing_total == Decimal("13")
        appraisal.review_save(assessment=assessment, indicator=indicators["1.2"], round=1, decision="adjust",
                              reviewer=team.appraiser_a, inputs={"a": "3", "b": "10"}, reason="Chỉ 3 hồ sơ")
        stored = _stored(assessment)
        assert (stored.standing_total, stored.decided_round1, stored.decided_round2) == (Decimal("12"), 2, 0)
        appraisal.confirm_all(assessment=assessment, round=1, reviewer=team.appraiser_a)
        stored = _stored(assessment)
        assert (stored.standing_total, stored.decided_round1) == (Decimal("12"), 4)  # the board: none undecided
        with scopes_disabled():  # each review knows its unit, whether saved one by one or in bulk
            assert set(Review.objects.filter(answer__assessment=assessment).values_list("assessment_id", flat=True)) == {assessment.pk}
        with scopes_disabled():
            Assessment.objects.filter(pk=assessment.pk).update(status=S.ROUND2)
        appraisal.review_save(assessment=assessment, indicator=indicators["1.2"], round=2, decision="withdraw",
                              reviewer=team.appraiser_a, reason="Chấp nhận giải trình")
        appraisal.confirm_all(assessment=assessment, round=2, reviewer=team.appraiser_a)
        appraisal.confirm_all(assessment=assessment, round=2, reviewer=team.appraiser2)
        stored = _stored(assessment)
        assert (stored.self_total, stored.standing_total, stored.final_total) == (Decimal("16"), Decimal("13"), None)
        assert (stored.decided_round1, stored.decided_round2) == (4, 4)
        for person in (team.appraiser_a, team.appraiser2):
            appraisal.sign_off(assessment=assessment, appraiser=person)
        appraisal.finalise(assessment=assessment, actor=team.lead_a)
        stored = _stored(assessment)
        assert stored.final_total == Decimal("13")
        assert stored.final_parts == {"nhan_thuc_so": "8.0000", "diem_do_don_vi_tu_cham": "5.0000"}
        appraisal.reopen(assessment=assessment, actor=team.admin_a, reason="Sai sót")
        stored = _stored(assessment)
        assert (stored.final_total, stored.final_parts, stored.standing_total) == (None, {}, Decimal("13"))


def _many(world, period, framework, count, rng):
    """`count` final assessments with random scores, written directly (their totals left empty)."""
    with scopes_disabled():
        leaves = list(framework.indicators.filter(children__isnull=True))
        kind = framework.unit_kind
        made = []
        for n in range(count):
            unit = Unit.objects.create(province=world.province_a, kind=kind, name=f"Đơn vị {Unit.objects.count() + 1}")
            assessment = Assessment.objects.create(period=period, unit=unit, framework=framework, status=S.FINAL)
            answers = Answer.objects.bulk_create(
                Answer(assessment=assessment, indicator=leaf, self_score=Decimal(rng.randint(0, 10)),
                       final_score=Decimal(rng.randint(0, 10))) for leaf in leaves)
            Review.objects.bulk_create(Review(answer=a, round=1, decision="adjust", score=Decimal(1)) for a in answers[:2])
            made.append(assessment.pk)
    return made


def test_refreshing_3_or_30_assessments_takes_the_same_queries(world, period):
    rng = random.Random(9)
    with scopes_disabled():
        framework = build_framework(world.province_a, extra_leaves=3)
        framework2 = build_framework(world.province_a, kind_code="huyen")
    few = _many(world, period, framework, 3, rng)
    many = _many(world, period, framework, 15, rng) + _many(world, period, framework2, 15, rng)
    with scope(province=world.province_a):
        with CaptureQueriesContext(connection) as three:
            assert refresh_totals(few) == 3
        with CaptureQueriesContext(connection) as thirty:
            assert refresh_totals(many) == 30
        with CaptureQueriesContext(connection) as unchanged:
            assert refresh_totals(many) == 0  # nothing changed: nothing written
    assert len(three) == len(thirty) == 5 and len(unchanged) == 4
    with scopes_disabled():
        for assessment in Assessment.objects.filter(pk__in=many).select_related("framework"):
            finals = list(Answer.objects.filter(assessment=assessment).values_list("final_score", flat=True))
            selfs = Answer.objects.filter(assessment=assessment).values_list("self_score", flat=True)
            assert assessment.final_total == sum(finals) and assessment.self_total == sum(selfs)
            assert assessment.answered_count == len(finals)

