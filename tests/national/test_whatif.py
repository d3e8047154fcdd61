"""What-if of the improvement plan: the points a target brings under the catalogue's own rule (the engine), the
projected pillar and total points of a year, and the projected rank among the provinces entered."""

from decimal import Decimal

import pytest
from django_scopes import scope

from assessments.models import Assessment, Period
from indicators.scoring import InputError, score
from national import plan as services
from national.models import NationalResult, PeerTotal, PillarResult
from national.whatif import (
    Criterion,
    Pillar,
    plan_whatif,
    project_year,
    rank_among,
    score_target,
    target_inputs,
    targets_in_force,
)
from tests.national.test_plan import criterion, eid_task, national, plan, police  # noqa: F401 (fixtures)

D = Decimal


# ----------------------------------------------------------------------------------- pure functions


@pytest.mark.parametrize("rule, params, value, inputs, points", [
    ("ratio", {}, D(50), {"a": "50", "b": "100"}, D(10)),                              # 8.1: 50 % of 20
    ("ratio", {}, D("41.6"), {"a": "41,6", "b": "100"}, D("8.32")),
    ("ratio_target", {"target": "0.1"}, D(10), {"a": "10", "b": "100"}, D(20)),        # 7.4: 10 % SMEdx → max
    ("ratio_target", {"target": "0.1"}, D(5), {"a": "5", "b": "100"}, D(10)),
    ("ratio_steps", {"steps": [{"min": "0.7", "fraction": "0.5"}, {"min": "0.9", "fraction": "1"}]}, D(80),
     {"a": "80", "b": "100"}, D(10)),
    ("count", {"per_item": "1"}, D(9), {"count": "9"}, D(9)),
    ("count", {"per_item": "1"}, D(30), {"count": "30"}, D(20)),                        # counts are capped by the rule
    ("yes_no", {}, D(1), {"value": True}, D(20)),
    ("yes_no", {}, D(0), {"value": False}, D(0)),
    ("manual", {}, D("7.5"), {"points": "7,5"}, D("7.5")),
    ("checklist", {"items": [{"label": "A", "points": "5"}, {"label": "B", "fraction": "0.75"}]}, D(15),
     {"ticked": ["B"]}, D(15)),
])
def test_a_target_becomes_the_rules_inputs_and_the_engine_scores_them(rule, params, value, inputs, points):
    maximum = D(20)
    assert target_inputs(rule, params, maximum, value) == inputs
    assert score(rule, params, maximum, inputs) == points


@pytest.mark.parametrize("rule, params, value, message", [
    ("ratio", {}, D("100.01"), "vượt 100 %"),
    ("ratio_target", {"target": "0.1"}, D(101), "vượt 100 %"),
    ("manual", {}, D(21), "Chỉ tiêu 21 điểm vượt điểm tối đa 20"),
    ("choice", {"options": [{"label": "Có", "points": "20"}, {"label": "Không", "points": "0"}]}, D(21), "vượt điểm tối đa"),
    ("choice", {"options": [{"label": "Có", "points": "20"}, {"label": "Không", "points": "0"}]}, D(10),
     "mức điểm 20 (Có); 0 (Không)"),
    ("checklist", {"items": [{"label": "A", "points": "5"}, {"label": "B", "points": "15"}]}, D(10), "cho đúng 10 điểm"),
    ("yes_no", {}, D(2), "ghi 1 (đạt) hoặc 0"),
    ("count", {"per_item": "1"}, D("2.5"), "phải là số nguyên"),
    ("ratio", {}, D(-1), "không được là số âm"),
    ("sum", {}, D(1), "chọn một chỉ số thành phần"),
    ("collected", {}, D(1), "chọn một chỉ số thành phần"),
])
def test_a_target_no_answer_could_reach_is_refused_with_a_message(rule, params, value, message):
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        target_inputs(rule, params, D(20), value)


def leaf(id_, pillar, base, max_points=D(20)) -> Criterion:
    return Criterion(id_, f"{pillar}.{id_}", f"Chỉ số {id_}", pillar, max_points, "ratio", {}, base)


PILLARS = [Pillar(7, "7", "Hoạt động kinh tế số", D(150), D("61.62")), Pillar(8, "8", "Hoạt động xã hội số", D(150), D("46.17"))]


def test_targets_replace_a_criterions_points_only_when_higher_and_stay_met_in_later_years():
    criteria = {1: leaf(1, 8, D(0)), 2: leaf(2, 8, D(20)), 3: leaf(3, 7, D("0.07"), D(10))}
    rows = [
        score_target(criteria[1], 100, 2023, D(50), {"a": "50", "b": "100"}),      # 8.1: 0 → 10
        score_target(criteria[2], 101, 2023, D(50), {"a": "50", "b": "100"}),      # 8.2 had 20: no gain
        score_target(criteria[3], 102, 2022, D(20), {"a": "20", "b": "100"}),      # 7.6 series 20/40 %
        score_target(criteria[3], 102, 2024, D(40), {"a": "40", "b": "100"}),
        score_target(criteria[1], 103, 2024, D(30), {"a": "30", "b": "100"}),      # another task on 8.1, lower
    ]
    assert rows[0].points == 10 and rows[0].gain == 10 and rows[1].points == 10 and rows[1].gain == 0
    assert [r.task_id for r in targets_in_force(rows, 2022)] == [102]
    base = D("398.49")
    y2022 = project_year(2022, criteria, PILLARS, base, rows)
    assert y2022.total == base + D("1.93") and [p.gain for p in y2022.pillars] == [D("1.93"), 0]
    y2023 = project_year(2023, criteria, PILLARS, base, rows)
    assert [p.points for p in y2023.pillars] == [D("63.55"), D("56.17")] and y2023.total == D("410.42")
    y2024 = project_year(2024, criteria, PILLARS, base, rows)
    assert y2024.gain == D("3.93") + 10  # 7.6 at 40 %; 8.1 keeps the higher of 50 % and 30 %
    assert [(c.id, g) for c, g in y2024.criteria] == [(1, 10), (3, D("3.93"))]


def test_a_target_the_catalogue_can_no_longer_score_is_shown_with_the_engines_message():
    row = score_target(leaf(1, 8, D(0)), 100, 2023, D(120), {"a": "120", "b": "100"})
    assert row.points is None and row.gain == 0 and "lớn hơn mẫu số" in row.error


def test_the_projected_rank_counts_the_provinces_above_and_ties_share_it():
    assert rank_among(D("410.42"), [D(500), D("410.42"), D(300)]) == (2, 4)
    assert rank_among(D(600), [D(500)]) == (1, 2)
    projection = project_year(2023, {}, PILLARS, D(400), [], [D(401), D(399)])
    assert (projection.rank, projection.ranked) == (2, 3)
    assert project_year(2023, {}, PILLARS, D(400), [], None).rank is None


# --------------------------------------------------------------------------------------- the selector


def national_result(province, year: int, unit) -> NationalResult:
    period = Period.objects.create(province=province, year=year, name=f"DTI cấp tỉnh {year}")
    framework = NationalResult.objects.get(province=province, year=2021).assessment.framework
    assessment = Assessment.objects.create(period=period, unit=unit, framework=framework, status="final")
    return NationalResult.objects.create(province=province, year=year, assessment=assessment)


def test_the_plan_projects_each_year_with_the_published_base_and_ranks_among_peers(world, plan, eid_task, police):
    with scope(province=world.province_a):
        result_2021 = NationalResult.objects.get(year=2021)
        pillar_8 = criterion(world.province_a, "8")
        PillarResult.objects.create(result=result_2021, indicator=pillar_8, rank=39, published_points=D("46.17"))
        contracts = services.task_save(plan=plan, indicator=criterion(world.province_a, "7.6"), title="Hợp đồng điện tử",
                                       owner=police, actor=world.admin_a)
        services.targets_save(task=contracts, targets=[(2022, D(20)), (2023, D(40)), (2024, D(60)), (2025, D(80))],
                              actor=world.admin_a)
        result_2023 = national_result(world.province_a, 2023, result_2021.assessment.unit)
        for name, total in [("Quảng Ninh", D("600")), ("Lâm Đồng", D("409")), ("Gia Lai", D("408.49")),
                            ("Tỉnh A", D("1"))]:  # the province's own row is not a peer
            PeerTotal.objects.create(result=result_2023, name=name, total=total)
        whatif = plan_whatif(plan)
    assert whatif.base_total == D("398.49") and whatif.base_published
    by_year = {p.year: p for p in whatif.projections}
    assert sorted(by_year) == [2022, 2023, 2024, 2025]
    # 7.6 had 0,07 of 10: 20 % → 2 points (+1,93); 8.1 had 0 of 20: 50 % in 2023 → 10
    assert by_year[2022].total == D("400.42") and by_year[2022].rank is None
    pillars_2023 = {p.pillar.code: p for p in by_year[2023].pillars}
    assert pillars_2023["8"].points == D("56.17") and pillars_2023["7"].gain == D("3.93")
    assert by_year[2023].total == D("398.49") + D("3.93") + 10
    assert (by_year[2023].rank, by_year[2023].ranked) == (2, 4)  # behind Quảng Ninh only
    assert by_year[2025].gain == D("7.93") + 10
    tasks = {t.indicator.code: t for t in whatif.tasks}
    assert [(r.year, r.points) for r in tasks["7.6"].target_rows] == [(2022, 2), (2023, 4), (2024, 6), (2025, 8)]
    assert [(r.year, r.points, r.gain) for r in tasks["8.1"].target_rows] == [(2023, 10, 10)]


def test_the_plan_page_shows_the_projection_and_the_rank(world, plan, eid_task, client_as):
    with scope(province=world.province_a):
        result_2023 = national_result(world.province_a, 2023, NationalResult.objects.get(year=2021).assessment.unit)
        PeerTotal.objects.create(result=result_2023, name="Lâm Đồng", total=D("500"))
    page = client_as(world.leader_a).get(f"/tinh-a/dti-cap-tinh/ke-hoach/{plan.pk}/").content.decode()
    assert "408,49" in page and "+10,00" in page and "2/2" in page and "chưa có điểm các tỉnh" in page
