"""Province-size data: the bulk services it needs and `generate_scale_data` (assessments/scale.py)."""

import io
import json
import random
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from assessments import appraisal
from assessments.models import Answer, Assessment, Assignment, Evidence, Period, Review, SignOff
from dti_portal.audit.models import Entry
from assessments.scale import LEAF_KINDS, ScaleRefused, build_scale, catalogue, catalogue_csv, check_spec
from assessments.services import answer_save, answers_save_bulk, assessment_submit
from assessments.totals import refresh_totals
from dti_portal.accounts.models import Membership, Role, User
from dti_portal.demo import DEMO_PASSWORD
from dti_portal.tenancy.models import Province, Unit
from indicators.catalogue import check_rows, read_rows
from indicators.models import Indicator
from indicators.scoring import Rule, score
from indicators.services import framework_import

from .conftest import build_framework, open_period

S = Assessment.Status


# --- answers_save_bulk -----------------------------------------------------------------------
def _assessment_with(world, extra_leaves):
    period = open_period(world, world.province_a, build_framework(world.province_a, extra_leaves=extra_leaves))
    with scopes_disabled():
        assessment = Assessment.objects.select_related("period", "framework").get(period=period, unit=world.unit_a1)
        leaves = {i.code: i for i in assessment.framework.indicators.filter(children__isnull=True)}
    return assessment, leaves


def _values(leaves):
    values = {leaf: ({"points": "0,5"}, "") for code, leaf in leaves.items() if code not in ("1.1", "1.2", "1.3", "2")}
    values |= {leaves["1.1"]: ({"value": "có"}, " Đã ban hành "), leaves["1.2"]: ({"a": "12", "b": "10"}, ""),
               leaves["1.3"]: ({"count": "3"}, ""), leaves["2"]: ({"points": "7,5"}, "")}
    return values


def test_saving_in_bulk_scores_through_the_engine_and_keeps_refused_values_with_their_reason(world):
    assessment, leaves = _assessment_with(world, 0)
    with scope(province=world.province_a):
        saved = answers_save_bulk(assessment=assessment, values=_values(leaves), actor=world.officer_a1)
        answers = {a.indicator.code: a for a in Answer.objects.filter(assessment=assessment).select_related("indicator")}
        assert len(saved) == 4
        assert answers["1.1"].self_score == Decimal(10) and answers["1.1"].note == "Đã ban hành"
        assert answers["1.3"].self_score == Decimal(6) and answers["2"].self_score == Decimal("7.5")
        refused = answers["1.2"]
        assert refused.self_score is None and refused.inputs == {"a": "12", "b": "10"}
        with pytest.raises(Exception) as engine:
            score("ratio", {}, 10, {"a": "12", "b": "10"})
        assert refused.error == engine.value.message
        events = Entry.objects.filter(assessment=assessment, action="answer.saved")
        assert events.count() == 4 and all(e.actor_id == world.officer_a1.pk for e in events)
        assert events.get(indicator=leaves["1.2"]).reason == refused.error
        stored = Assessment.objects.get(pk=assessment.pk)
        assert stored.self_total == Decimal("23.5") and stored.answered_count == 3


def test_saving_in_bulk_what_is_already_there_changes_nothing_and_logs_nothing(world):
    assessment, leaves = _assessment_with(world, 0)
    with scope(province=world.province_a):
        answers_save_bulk(assessment=assessment, values=_values(leaves), actor=world.officer_a1)
        before = Entry.objects.filter(assessment=assessment).count()
        again = answers_save_bulk(assessment=assessment, values=_values(leaves), actor=world.officer_a1)
        assert again == [] and Entry.objects.filter(assessment=assessment).count() == before
        answers_save_bulk(assessment=assessment, values={leaves["1.3"]: ({"count": "4"}, "")}, actor=world.officer_a1)
        event = Entry.objects.filter(assessment=assessment).latest("pk")
        assert event.old["self_score"] == "6" and event.new["self_score"] == "8"


def test_saving_in_bulk_gives_the_same_answers_and_events_as_saving_one_by_one(world):
    first, leaves = _assessment_with(world, 2)
    with scopes_disabled():
        other_unit = Unit.objects.create(province=world.province_a, kind=first.unit.kind, name="Sở Tư pháp")
        second = Assessment.objects.create(period=first.period, unit=other_unit, framework=first.framework)
    with scope(province=world.province_a):
        for indicator, (inputs, note) in _values(leaves).items():
            answer_save(assessment=first, indicator=indicator, inputs=inputs, note=note, actor=world.officer_a1)
        answers_save_bulk(assessment=second, values=_values(leaves), actor=world.officer_a1)

        def rows(assessment):
            answers = Answer.objects.filter(assessment=assessment).order_by("indicator__code")
            events = Entry.objects.filter(assessment=assessment, action="answer.saved").order_by("indicator__code")
            return ([(a.indicator_id, a.inputs, a.note, a.self_score, a.error, a.updated_by_id) for a in answers],
                    [(e.indicator_id, e.old, e.new, e.reason, e.actor_id) for e in events])

        assert rows(first) == rows(second)
        assert Assessment.objects.get(pk=first.pk).self_total == Assessment.objects.get(pk=second.pk).self_total


def test_saving_in_bulk_refuses_a_group_and_a_closed_period_and_saves_nothing(world):
    assessment, leaves = _assessment_with(world, 0)
    with scope(province=world.province_a):
        group = Indicator.objects.get(framework=assessment.framework, code="1")
        with pytest.raises(ValidationError, match="không nhập số liệu trực tiếp: 1"):
            answers_save_bulk(assessment=assessment, values=_values(leaves) | {group: ({}, "")}, actor=world.officer_a1)
        assert not Answer.objects.filter(assessment=assessment).exists()
        with pytest.raises(ValidationError, match="Đã hết hạn tự đánh giá"):
            answers_save_bulk(assessment=assessment, values=_values(leaves), actor=world.officer_a1,
                              now=timezone.now() + timedelta(days=30))
        assert not Answer.objects.filter(assessment=assessment).exists()


def test_saving_in_bulk_takes_the_same_number_of_queries_for_4_or_24_indicators(world):
    counts = []
    for extra in (0, 20):
        assessment, leaves = _assessment_with(world, extra)
        with scope(province=world.province_a), CaptureQueriesContext(connection) as queries:
            answers_save_bulk(assessment=assessment, values=_values(leaves), actor=world.officer_a1)
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- confirm_all in bulk ---------------------------------------------------------------------
def _in_round_one(world, extra):
    """A submitted unit in round 1 under `extra` more leaves, a.thamdinh assigned to the whole unit."""
    assessment, leaves = _assessment_with(world, extra)
    with scope(province=world.province_a):
        period = assessment.period
        period.lead = world.lead_a
        period.save()
        Assignment.objects.create(period=period, appraiser=world.appraiser_a, unit=world.unit_a1)
        valid = {leaves["1.1"]: ({"value": "không"}, ""), leaves["1.2"]: ({"a": "4", "b": "10"}, "")}
        answers_save_bulk(assessment=assessment, values=_values(leaves) | valid, actor=world.officer_a1)
        assessment_submit(assessment=assessment, actor=world.officer_a1)
        appraisal.round1_start(period=period, actor=world.lead_a)
    return assessment, leaves


def test_confirming_all_takes_the_same_number_of_queries_for_4_or_24_indicators(world):
    counts = []
    for extra in (0, 20):
        assessment, leaves = _in_round_one(world, extra)
        with scope(province=world.province_a), CaptureQueriesContext(connection) as queries:
            confirmed = appraisal.confirm_all(assessment=assessment, round=1, reviewer=world.appraiser_a)
        assert confirmed == len(leaves)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_confirming_all_in_round_two_keeps_each_standing_score_and_logs_one_event_each(world):
    assessment, leaves = _in_round_one(world, 0)
    with scope(province=world.province_a):
        appraisal.review_save(assessment=assessment, indicator=leaves["2"], round=1, decision="adjust",
                              reviewer=world.appraiser_a, points="5", reason="Thiếu kế hoạch")
        assert appraisal.confirm_all(assessment=assessment, round=1, reviewer=world.appraiser_a) == 3
        appraisal.round1_close(period=assessment.period, actor=world.lead_a)
        appraisal.explanation_submit(assessment=assessment, actor=world.officer_a1)
        appraisal.round2_start(period=assessment.period, actor=world.lead_a)
        assert appraisal.confirm_all(assessment=assessment, round=2, reviewer=world.appraiser_a) == 4
        assert appraisal.confirm_all(assessment=assessment, round=2, reviewer=world.appraiser_a) == 0
        second = {r.answer.indicator.code: r for r in Review.objects.filter(answer__assessment=assessment, round=2)
                  .select_related("answer__indicator")}
        assert second["2"].score == Decimal(5) and second["1.3"].score == Decimal(6)
        assert {r.decision for r in second.values()} == {"confirm"} and {r.version for r in second.values()} == {1}
        events = Entry.objects.filter(assessment=assessment, action="assessment.round2.confirm")
        assert events.count() == 4 and events.get(indicator=leaves["2"]).new["score"] == "5"
        appraisal.sign_off(assessment=assessment, appraiser=world.appraiser_a)
        appraisal.finalise(assessment=assessment, actor=world.lead_a)
        finals = {a.indicator.code: a for a in Answer.objects.filter(assessment=assessment).select_related("indicator")}
        assert finals["2"].final_score == Decimal(5) and finals["2"].reason == "Thiếu kế hoạch"
        assert finals["1.3"].final_score == Decimal(6) and finals["1.3"].reason == ""
        assert Assessment.objects.get(pk=assessment.pk).final_total == Decimal(0 + 4 + 6 + 5)


# --- the generated catalogues ----------------------------------------------------------------
@pytest.mark.parametrize("kind", ["so", "xa"])
@pytest.mark.parametrize("size", [10, 47, 150, 500])
def test_a_generated_catalogue_has_1000_points_every_rule_and_valid_parameters(kind, size):
    rows, leaves = catalogue(kind, size, random.Random(size))
    assert len(leaves) == size
    assert {leaf.kind for leaf in leaves} == set(LEAF_KINDS)
    records = [r | {"params": json.dumps(r["params"], ensure_ascii=False) if r["params"] else ""} for r in rows]
    read, problems = read_rows(records)
    assert problems == [] and check_rows(read) == []
    assert sum(r["max_points"] for r in rows if r["parent_code"] == "") == 1000
    assert {r["code"].count(".") for r in rows} == {0, 1, 2}  # pillars → groups → criteria


# --- generate_scale_data ---------------------------------------------------------------------
def _counts():
    with scopes_disabled():
        return (Province.objects.count(), Unit.objects.count(), User.objects.count(), Answer.objects.count(),
                Entry.objects.count(), Review.objects.count())


def _period(province):
    with scope(province=province):
        return Period.objects.get(province=province)


def test_a_draft_province_has_every_rule_kind_realistic_answers_and_stored_totals_equal_to_a_roll_up(db):
    provinces = build_scale(2, 6, 20, "draft", seed=7)
    assert [p.slug for p in provinces] == ["scale-1", "scale-2"]
    for province in provinces:
        with scope(province=province):
            period = _period(province)
            assessments = list(Assessment.objects.filter(period=period))
            assert len(assessments) == 6 and {a.status for a in assessments} == {S.DRAFT}
            leaves = Indicator.objects.filter(framework__province=province, children__isnull=True)
            assert {i.rule for i in leaves} | {"sum"} == {r.value for r in Rule}
            ratio_steps = [i for i in leaves if i.rule == "ratio_steps"]
            assert ratio_steps and all([s["min"] for s in i.params["steps"]] == ["0.3", "0.5", "0.7", "0.9"] for i in ratio_steps)
            answered = Answer.objects.filter(indicator__in=ratio_steps, self_score__isnull=False)
            assert answered.exists() and all(set(a.inputs) == {"a", "b"} for a in answered)
            assert refresh_totals([a.pk for a in assessments]) == 0  # what is stored is what a roll-up gives
    with scopes_disabled():
        answers = Answer.objects.filter(assessment__period__province__in=provinces)
        assert answers.exclude(error="").exists() and answers.filter(self_score__isnull=False).exists()
        assert Evidence.objects.filter(answer__assessment__period__province__in=provinces).exists()


def test_a_submitted_province_has_every_unit_complete_and_submitted(db):
    [province] = build_scale(1, 6, 20, "submitted", seed=3)
    with scope(province=province):
        assessments = list(Assessment.objects.filter(period=_period(province)))
        assert {a.status for a in assessments} == {S.SUBMITTED}
        assert not Answer.objects.filter(assessment__in=assessments).exclude(error="").exists()
        for assessment in assessments:
            leaves = Indicator.objects.filter(framework=assessment.framework_id, children__isnull=True).count()
            assert Answer.objects.filter(assessment=assessment, self_score__isnull=False).count() == leaves
        assert refresh_totals([a.pk for a in assessments]) == 0


def test_a_final_province_has_final_scores_sign_offs_and_reasons_for_lost_points(db):
    out = io.StringIO()
    provinces = build_scale(2, 6, 20, "final", seed=1, stdout=out)
    assert "scale-1: 6 đơn vị" in out.getvalue() and "Xong: 2 tỉnh mới" in out.getvalue()
    for province in provinces:
        with scope(province=province):
            period = _period(province)
            assessments = list(Assessment.objects.filter(period=period))
            assert {a.status for a in assessments} == {S.FINAL}
            assert SignOff.objects.filter(assessment__in=assessments).count() == len(assessments)
            appraised = Answer.objects.filter(assessment__in=assessments).exclude(indicator__rule="collected")
            assert not appraised.filter(final_score__isnull=True).exists()
            assert Review.objects.filter(answer__assessment__in=assessments, round=1).count() == appraised.count()
            assert Review.objects.filter(answer__assessment__in=assessments, round=2).count() == appraised.count()
            assert all(a.final_total is not None and a.final_parts for a in assessments)
            assert refresh_totals([a.pk for a in assessments]) == 0
            closed = {e.assessment_id: e.new["status"] for e in Entry.objects.filter(
                assessment__in=assessments, action__in=["assessment.round1.closed", "assessment.returned"])}
            queried = set(Review.objects.filter(answer__assessment__in=assessments, round=1, decision__in=["adjust", "request"])
                          .values_list("answer__assessment_id", flat=True))
            assert closed == {a.pk: "returned" if a.pk in queried else "round2" for a in assessments}
            for action in ("assessment.created", "assessment.round1.started", "assessment.finalised"):
                assert Entry.objects.filter(assessment__in=assessments, action=action).count() == len(assessments)
    with scopes_disabled():
        everywhere = Review.objects.filter(answer__assessment__period__province__in=provinces)
        adjusted = everywhere.filter(round=1, decision="adjust")
        assert adjusted.exists() and not adjusted.filter(reason="").exists()
        assert Answer.objects.filter(assessment__period__province__in=provinces).exclude(reason="").exists()


def test_each_province_has_its_team_and_one_officer_per_unit_with_the_demo_password(db):
    [province] = build_scale(1, 6, 10, "draft")
    with scopes_disabled():
        roles = {m.user.username: m for m in Membership.objects.filter(province=province).select_related("user", "unit")}
        names = Unit.objects.filter(province=province).order_by("kind__order", "name")
        assert {u.kind.code for u in names} == {"so", "xa"}
        assert any(u.name.startswith(("UBND xã ", "UBND phường ")) for u in names)
    assert roles["scale-1.quantri"].role == Role.PROVINCE_ADMIN and roles["scale-1.thamdinh"].role == Role.APPRAISER
    assert roles["scale-1.totruong"].role == Role.APPRAISAL_LEAD and roles["scale-1.lanhdao"].role == Role.LEADERSHIP
    officers = [m for m in roles.values() if m.role == Role.UNIT_OFFICER]
    assert sorted(m.user.username for m in officers) == [f"scale-1.u{n:03d}" for n in range(1, 7)]
    assert len({m.unit_id for m in officers}) == 6
    assert User.objects.get(username="scale-1.u003").check_password(DEMO_PASSWORD)


def test_running_again_with_the_same_arguments_adds_nothing_and_says_so(db):
    call_command("generate_scale_data", "--provinces", "1", "--units", "4", "--indicators", "12", "--state", "final",
                 stdout=io.StringIO())
    before = _counts()
    out = io.StringIO()
    call_command("generate_scale_data", "--provinces", "1", "--units", "4", "--indicators", "12", "--state", "final",
                 stdout=out)
    assert _counts() == before
    assert "Không tạo gì mới" in out.getvalue() and "scale-1" in out.getvalue()


def test_more_provinces_with_the_same_arguments_adds_only_the_missing_ones(db):
    build_scale(1, 3, 10, "submitted", seed=2)
    with scopes_disabled():
        first = Province.objects.get(slug="scale-1").pk
    out = io.StringIO()
    provinces = build_scale(2, 3, 10, "submitted", seed=2, stdout=out)
    assert [p.pk for p in provinces][0] == first and provinces[1].slug == "scale-2"
    assert "bỏ qua): scale-1" in out.getvalue() and "Xong: 1 tỉnh mới" in out.getvalue()


def test_other_arguments_on_an_existing_province_are_refused_before_anything_is_made(db):
    build_scale(1, 3, 10, "draft", seed=1)
    before = _counts()
    for args in [(2, 3, 10, "final", 1), (2, 4, 10, "draft", 1), (2, 3, 10, "draft", 2)]:
        with pytest.raises(ScaleRefused, match="scale-1 đã có dữ liệu khác"):
            build_scale(*args)
        assert _counts() == before


@pytest.mark.parametrize("args, message", [
    (["--units", "0"], "--units phải từ 1 đến 500 (đang là 0)"),
    (["--units", "-5"], "--units phải từ 1 đến 500"),
    (["--provinces", "-1"], "--provinces phải từ 1 đến 40"),
    (["--provinces", "1000000"], "--provinces phải từ 1 đến 40"),
    (["--units", "99999999999999999999"], "--units phải từ 1 đến 500"),
    (["--indicators", "5000"], "--indicators phải từ 10 đến 500"),
    (["--indicators", "3"], "--indicators phải từ 10 đến 500"),
    (["--units", "mười"], "--units phải là số nguyên"),
    (["--state", "published"], "--state “published” không có; dùng một trong: draft, submitted, final"),
    (["--seed", "-1"], "--seed phải từ 0"),
    (["--workers", "0"], "--workers phải từ 1 đến 8"),
    (["--indicators", ""], "Thiếu --indicators"),
])
def test_nonsense_arguments_are_refused_in_vietnamese_and_nothing_is_made(db, args, message):
    given = {"--provinces": "2", "--units": "6", "--indicators": "20"}
    for flag, value in zip(args[::2], args[1::2], strict=True):
        given[flag] = value
    before = _counts()
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call_command("generate_scale_data", *[x for pair in given.items() for x in pair], stdout=io.StringIO())
    assert _counts() == before


def test_many_processes_are_refused_inside_a_transaction(db):
    with pytest.raises(ScaleRefused, match="nhiều tiến trình"):
        build_scale(2, 3, 10, "draft", workers=2)


def test_the_spec_names_the_data_it_makes():
    spec = check_spec("34", "150", "150", "final", "1")
    assert spec.period_name == ("Đánh giá DTI năm 2025 (dữ liệu sinh tự động: 150 đơn vị × 150 chỉ tiêu, "
                                "đã chốt kết quả, seed 1)")


def test_a_catalogue_import_leaves_the_id_sequence_alone_so_provinces_can_import_at_once(world):
    # ModelResource's after_import resets the sequence to the largest id its transaction sees,
    # which hands out ids another transaction is still using: two workers collided on it.
    # (SQLite has nothing to reset; PostgreSQL runs setval.)
    with CaptureQueriesContext(connection) as queries:
        build_framework(world.province_a)
        rows, _ = catalogue("so", 12, random.Random(1))
        with scope(province=world.province_a):
            report = framework_import(actor=None, province=world.province_a, filename="x.csv", content=catalogue_csv(rows),
                                      meta={"name": "Thử", "year": "2025", "unit_kind": "so"})
    assert report.saved
    assert not [q for q in queries if "setval" in q["sql"].lower() or "sqlite_sequence" in q["sql"].lower()]


def test_on_postgresql_the_tables_are_analysed_after_generation_so_pages_get_good_plans(db):
    # Measured: a page of scale-1 beside 33 other freshly generated provinces cost 1,3–2,6× until ANALYZE.
    with CaptureQueriesContext(connection) as queries:
        build_scale(1, 4, 10, "draft")
    analysed = [q for q in queries if q["sql"].strip().upper() == "ANALYZE"]
    assert len(analysed) == (1 if connection.vendor == "postgresql" else 0)
    with CaptureQueriesContext(connection) as again:
        build_scale(1, 4, 10, "draft")  # nothing new: nothing to analyse
    assert not [q for q in again if q["sql"].strip().upper() == "ANALYZE"]
