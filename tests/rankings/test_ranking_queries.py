"""Rankings read stored totals: the queries of a ranking, a year's results and the appendix do not
grow with the number of units (nor, for the histories, with the number of years)."""

import random
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope, scopes_disabled

from assessments.models import Answer, Assessment, Period
from assessments.totals import refresh_totals
from dti_portal.tenancy.models import Unit
from indicators.models import Aggregate, Band, Framework, Indicator
from rankings.models import ImportedResult
from rankings.publication import _materialise, appendix
from rankings.selectors import province_history, ranking_table, unit_history

YEARS = (2023, 2024, 2025)


def _province(province, units: int, seed: int):
    """`units` sở with published results for 2023 and 2024 and final assessments for 2025
    (two pillars of two criteria, an aggregate, bands), scores at random."""
    rng = random.Random(seed)
    with scopes_disabled():
        kind = province.unit_kinds.get(code="so")
        framework = Framework.objects.create(province=province, name="Bộ chỉ số sở", year=2025, unit_kind=kind, status="active")
        leaves = []
        for g, name in enumerate(["Nhận thức số", "Hạ tầng số"], start=1):
            top = Indicator.objects.create(framework=framework, code=str(g), name=name, max_points=20, rule="sum", position=g * 10)
            leaves += [Indicator.objects.create(framework=framework, parent=top, code=f"{g}.{n}", name=f"Tiêu chí {g}.{n}",
                                                max_points=10, rule="manual", position=g * 10 + n) for n in (1, 2)]
        Band.objects.create(framework=framework, label="Tốt", lower_bound=30)
        Band.objects.create(framework=framework, label="Khá", lower_bound=20)
        Aggregate.objects.create(framework=framework, name="Nền tảng", position=0).indicators.add(*framework.indicators.filter(parent=None))
        period = Period.objects.create(province=province, year=2025, name="Kỳ 2025", status="closed")
        made, units_made = [], []
        for n in range(units):
            unit = Unit.objects.create(province=province, kind=kind, name=f"Sở số {n + 1:02d}")
            units_made.append(unit)
            for year in YEARS[:2]:
                a, b = rng.randint(0, 20), rng.randint(0, 20)
                ImportedResult.objects.create(province=province, year=year, unit_kind=kind, unit=unit, framework=framework,
                                              total=a + b, parts={"nhan_thuc_so": str(a), "ha_tang_so": str(b)})
            status = "not_reported" if n == 1 else "final"
            assessment = Assessment.objects.create(period=period, unit=unit, framework=framework, status=status)
            if status == "final":
                Answer.objects.bulk_create(Answer(assessment=assessment, indicator=leaf, self_score=10,
                                                  final_score=Decimal(rng.randint(0, 100)) / 10, reason="Thiếu") for leaf in leaves)
            made.append(assessment.pk)
    with scope(province=province):
        refresh_totals(made)
    return kind, units_made[0]


@pytest.fixture
def sizes(world):
    small = _province(world.province_a, 5, 1)
    large = _province(world.province_b, 40, 2)
    return {world.province_a: small, world.province_b: large}


def _count(province, fn) -> int:
    with scope(province=province), CaptureQueriesContext(connection) as queries:
        fn()
    return len(queries)


def test_a_years_results_are_copied_from_stored_totals_in_the_same_queries_for_5_or_40_units(world, sizes):
    counts = [_count(p, lambda p=p: _materialise(p, 2025)) for p in sizes]
    again = [_count(p, lambda p=p: _materialise(p, 2025)) for p in sizes]  # rows exist now: updated in bulk
    assert counts[0] == counts[1] and again[0] == again[1]
    with scopes_disabled():
        for assessment in Assessment.objects.filter(period__province=world.province_b).select_related("unit"):
            result = ImportedResult.objects.get(province=world.province_b, year=2025, unit=assessment.unit)
            finals = Answer.objects.filter(assessment=assessment).values_list("final_score", flat=True)
            if assessment.status == "final":
                assert result.reported and result.total == sum(finals) == assessment.final_total
                assert sum(Decimal(v) for v in result.parts.values()) == result.total
            else:
                assert not result.reported and result.total is None and result.parts == {}


def test_ranking_tables_and_histories_take_the_same_queries_for_5_or_40_units(world, sizes):
    for province in sizes:
        province.lineage_ids  # read once per request by the middleware
        with scope(province=province):
            _materialise(province, 2025)
    tables = [_count(p, lambda p=p, k=k: ranking_table(p, 2025, k)) for p, (k, _) in sizes.items()]
    units = [_count(p, lambda p=p, u=u: unit_history(p, u)) for p, (_, u) in sizes.items()]
    provinces = [_count(p, lambda p=p: province_history(p)) for p in sizes]
    assert tables[0] == tables[1] and units[0] == units[1] and provinces[0] == provinces[1]
    assert tables[0] <= 8 and units[0] <= 7 and provinces[0] <= 6  # one read of results, frameworks with what a table needs

    with scope(province=world.province_b):
        kind, unit = sizes[world.province_b]
        table = ranking_table(world.province_b, 2025, kind)
        history = unit_history(world.province_b, unit)
        years = province_history(world.province_b)
    assert table.previous_year == 2024 and not table.framework_changed
    assert [r.rank for r in table.rows][:1] == [1] and table.rows[-1].total is None  # the unit that did not report is last
    assert [c.key for c in table.columns] == ["nhan_thuc_so", "ha_tang_so"] and table.aggregates[0].name == "Nền tảng"
    assert [h["year"] for h in history] == list(YEARS) and all(h["of"] == 40 for h in history)
    assert [(y["year"], y["units"]) for y in years] == [(2023, 40), (2024, 40), (2025, 40)] and years[2]["reported"] == 39


def test_the_appendix_takes_the_same_queries_for_5_or_40_units(world, sizes):
    counts = [_count(p, lambda p=p: appendix(p, 2025)) for p in sizes]
    assert counts[0] == counts[1] == 3
    with scope(province=world.province_b):
        units = appendix(world.province_b, 2025)
    assert len(units) == 39
    first = units[0]
    with scopes_disabled():
        stored = Assessment.objects.get(period__province=world.province_b, unit__name=first["unit"])
    top = {r["code"]: r for r in first["rows"]}
    assert Decimal(top["1"]["achieved"]) + Decimal(top["2"]["achieved"]) == stored.final_total
    assert top["1.1"]["reason"] == "Thiếu" and top["1"]["max"] == "20.0000"
