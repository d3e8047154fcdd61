"""Year over year across frameworks (issue 13 part 3): per mapped criterion and on the common subset
when this year's framework was cloned with a code map; the index only otherwise, and the page says so."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from assessments import comparison
from assessments.comparison import INDEX_ONLY, NOT_AVERAGED, NOTHING, Criterion, Side, compare
from assessments.models import Answer, Assessment, Period
from assessments.services import answer_save, period_open, period_save
from dti_portal.tenancy import services as tenancy_services
from dti_portal.tenancy.models import UnitLineage
from indicators.models import Framework
from indicators.services import framework_clone, indicator_delete, indicator_save
from rankings.models import ImportedResult
from tests.assessments.conftest import build_framework, node

D = Decimal
FIELDS = ("code", "name", "max_points", "rule", "params", "guidance", "evidence_required", "data_source", "verifying_agency")


# --- the pure function -------------------------------------------------------------------------
def _side(year, points, criteria, maximum, total=None, framework_id=1):
    criteria = [Criterion(code, f"Chỉ tiêu {code}", D(m)) for code, m in criteria]
    points = {k: D(v) for k, v in points.items()}
    return Side(year=year, unit="Sở Y tế", framework_id=framework_id, framework_name="Bộ chỉ số sở",
                total=D(total) if total is not None else sum(points.values(), D(0)), maximum=D(maximum),
                basis="điểm chính thức", criteria=criteria, points=points)


def test_mapped_criteria_renumbered_deleted_and_new_and_the_common_subset():
    old = _side(2024, {"1.1": 10, "1.2": 4, "1.3": 6, "2": 8},
                [("1.1", 10), ("1.2", 10), ("1.3", 10), ("2", 10)], 40)
    new = _side(2025, {"1.1": 10, "1.2": 7, "1.4": 8, "3": 5},
                [("1.1", 10), ("1.2", 20), ("3", 5), ("1.4", 10)], 45, framework_id=2)
    result = compare(old, new, {"1.1": "1.1", "1.2": "1.2", "1.3": "1.4"})  # 2 deleted, 3 new
    assert result.mapped
    assert [(r.old_code, r.new_code, r.old_points, r.new_points, r.change) for r in result.rows] == [
        ("1.1", "1.1", D(10), D(10), D(0)), ("1.2", "1.2", D(4), D(7), D(3)), ("1.3", "1.4", D(6), D(8), D(2))]
    assert [r.renumbered for r in result.rows] == [False, False, True]
    assert [c.code for c in result.new_criteria] == ["3"]
    assert [c.code for c in result.dropped] == ["2"]
    common = result.common
    assert (common.count, common.old_max, common.new_max, common.old_total, common.new_total) == (3, D(30), D(40), D(20), D(25))
    assert common.label == "trên phần chung 40/45 điểm"
    assert common.old_label == "trên phần chung 30/40 điểm"
    assert common.change_text == "+5"
    assert "trên phần chung 40/45 điểm" in result.note
    assert result.heading == "So với năm 2024 — Bộ chỉ số sở (sao chép, có bảng đối chiếu mã)"
    assert result.index_change == D(30) / D(45) - D(28) / D(40)


def test_without_a_code_map_only_the_index_is_compared():
    old = _side(2023, {"a": 150}, [("a", 180)], 180)
    new = _side(2024, {"b": 800}, [("b", 1000)], 1000, framework_id=2)
    result = compare(old, new, None)
    assert not result.mapped and result.rows == [] and result.common is None
    assert result.note == INDEX_ONLY == "Không có bảng đối chiếu mã: chỉ so sánh chỉ số (điểm / điểm tối đa)"
    assert result.index_change == D("0.8") - D(150) / D(180)
    assert result.index_change_text == "−0,0333"
    assert not result.same_scale and result.total_change_text == ""


def test_imported_totals_only_compare_the_index_even_with_a_map():
    old = Side(year=2023, unit="Sở Y tế", framework_id=1, framework_name="", total=D("860.69"), maximum=D(1000),
               basis="kết quả đã công bố")
    new = _side(2024, {"1.1": 900}, [("1.1", 1000)], 1000, framework_id=2)
    result = compare(old, new, {"1.1": "1.1"})
    assert not result.mapped
    assert result.note == "Năm 2023 chỉ có tổng điểm, không có điểm từng chỉ tiêu: chỉ so sánh chỉ số (điểm / điểm tối đa)"
    assert result.same_scale and result.total_change_text == "+39,31"
    assert result.heading == "So với năm 2023 — kết quả đã công bố"


# --- the selector and the page ----------------------------------------------------------------
def _period(world, framework, year, unit=None):
    today = timezone.localdate()
    with scope(province=world.province_a):
        period = Period(province=world.province_a, year=year, name=f"Kỳ đánh giá {year}",
                        self_assessment_start=today - timedelta(days=5), self_assessment_end=today + timedelta(days=5))
        period_save(period=period, frameworks={framework.unit_kind: framework}, actor=None)
        period_open(period=period, actor=world.admin_a)
        return Assessment.objects.select_related("period", "framework", "unit").get(period=period, unit=unit or world.unit_a1)


def _indicators(framework):
    with scopes_disabled():
        return {i.code: i for i in framework.indicators.all()}


def _answer(world, assessment, framework, answers):
    found = _indicators(framework)
    with scope(province=world.province_a):
        for code, inputs in answers.items():
            answer_save(assessment=assessment, indicator=found[code], inputs=inputs, note="", actor=world.officer_a1)


def _clone(world, old, renumber="1.4"):
    """2025 cloned from 2024: 1.3 renumbered 1.4, 2 deleted, 3 new."""
    with scope(province=world.province_a):
        clone = framework_clone(actor=None, framework=old, year=2025)
        now = _indicators(clone)
        indicator = now["1.3"]
        data = {f: getattr(indicator, f) for f in FIELDS}
        indicator_save(actor=None, framework=clone, indicator=indicator, parent=indicator.parent, data=data | {"code": renumber})
        indicator_delete(actor=None, indicator=now["2"])
        node(clone, "3", "Chỉ tiêu mới năm 2025", 5)
        clone.status = Framework.Status.ACTIVE
        clone.save()
    return clone


def _old_framework(world, extra_leaves=0, kind_code="so"):
    old = build_framework(world.province_a, kind_code=kind_code, extra_leaves=extra_leaves)
    with scopes_disabled():
        Framework.objects.filter(pk=old.pk).update(year=2024)
        old.refresh_from_db()
    return old


@pytest.fixture
def years(world):
    old = _old_framework(world)
    last = _period(world, old, 2024)
    _answer(world, last, old, {"1.1": {"value": "có"}, "1.2": {"a": "4", "b": "10"}, "1.3": {"count": "3"}, "2": {"points": "8"}})
    clone = _clone(world, old)
    this = _period(world, clone, 2025)
    _answer(world, this, clone, {"1.1": {"value": "có"}, "1.2": {"a": "7", "b": "10"}, "1.4": {"count": "4"}, "3": {"points": "5"}})
    world.last, world.this, world.clone = last, this, clone
    return world


def _url(assessment, province="tinh-a"):
    return reverse("assessments:comparison", kwargs={"province": province, "assessment_id": assessment.pk})


def test_the_page_compares_per_mapped_criterion_and_on_the_common_subset(years, client_as):
    with scopes_disabled():
        assert Framework.objects.get(pk=years.clone.pk).code_map["1.3"] == "1.4"
    page = client_as(years.officer_a1).get(_url(years.this))
    text = page.content.decode()
    assert page.status_code == 200
    assert "So với năm 2024 — Bộ chỉ số sở 2025 (sao chép, có bảng đối chiếu mã)" in text
    assert "đổi mã" in text
    # 1.1 10 → 10, 1.2 4 → 7, 1.3 (6) → 1.4 (8): the common subset is 30 points of 40 last year, 30 of 35 now
    assert "trên phần chung 30/35 điểm" in text and "trên phần chung 30/40 điểm" in text
    with scope(province=years.province_a):
        [result] = comparison.comparisons_for(years.this)
    assert [(r.old_code, r.new_code, r.change) for r in result.rows] == [("1.1", "1.1", D(0)), ("1.2", "1.2", D(3)),
                                                                        ("1.3", "1.4", D(2))]
    assert (result.common.old_total, result.common.new_total, result.common.change) == (D(20), D(25), D(5))
    assert [c.code for c in result.new_criteria] == ["3"] and [c.code for c in result.dropped] == ["2"]
    assert "Chỉ tiêu mới năm 2025" in text and "Điểm do đơn vị tự chấm" in text
    assert INDEX_ONLY not in text


def test_a_framework_not_cloned_compares_the_index_only_and_says_so(world, client_as):
    old = _old_framework(world)
    last = _period(world, old, 2024)
    _answer(world, last, old, {"1.1": {"value": "có"}, "2": {"points": "8"}})
    other = build_framework(world.province_a)  # same codes, but no clone link: nothing says 1.1 is 1.1
    with scopes_disabled():
        Framework.objects.filter(pk=other.pk).update(name="Bộ chỉ số sở mới")
    this = _period(world, other, 2025)
    _answer(world, this, other, {"1.1": {"value": "có"}, "1.2": {"a": "5", "b": "10"}})
    text = client_as(world.leader_a).get(_url(this)).content.decode()
    assert "Không có bảng đối chiếu mã: chỉ so sánh chỉ số (điểm / điểm tối đa)" in text
    assert "So với năm 2024 — Bộ chỉ số sở 2025</h2>" in text
    assert "Theo từng chỉ tiêu" not in text
    # index 18/40 = 0,45 last year, 15/40 = 0,375 now
    assert "0,4500" in text and "0,3750" in text and "−0,075" in text


def test_a_first_year_has_nothing_to_compare(world, client_as):
    this = _period(world, build_framework(world.province_a), 2025)
    page = client_as(world.officer_a1).get(_url(this))
    assert page.status_code == 200
    assert NOTHING in page.content.decode()
    with scope(province=world.province_a):
        assert comparison.comparisons_for(this) == []


def test_imported_results_of_last_year_compare_the_index(world, client_as):
    framework = build_framework(world.province_a)
    with scopes_disabled():
        ImportedResult.objects.create(province=world.province_a, year=2024, unit_kind=world.unit_a1.kind,
                                      unit=world.unit_a1, framework=framework, total=D("30"))
    this = _period(world, framework, 2025)
    _answer(world, this, framework, {"1.1": {"value": "có"}, "2": {"points": "10"}})
    text = client_as(world.officer_a1).get(_url(this)).content.decode()
    assert "Năm 2024 chỉ có tổng điểm, không có điểm từng chỉ tiêu: chỉ so sánh chỉ số (điểm / điểm tối đa)" in text
    assert "−10" in text  # the same catalogue: 30 → 20 points of 40


def test_predecessors_are_listed_one_by_one_never_averaged(world, client_as):
    old = _old_framework(world)
    with scopes_disabled():
        kind = world.unit_a1.kind
        first = tenancy_services.unit_create(actor=None, province=world.province_a, kind=kind, name="Sở Thông tin và Truyền thông")
        second = tenancy_services.unit_create(actor=None, province=world.province_a, kind=kind, name="Sở Khoa học và Công nghệ")
        merged = tenancy_services.unit_create(actor=None, province=world.province_a, kind=kind, name="Sở Khoa học, Công nghệ")
        for unit, total in ((first, "32"), (second, "20")):
            ImportedResult.objects.create(province=world.province_a, year=2024, unit_kind=kind, unit=unit,
                                          framework=old, total=D(total))
            UnitLineage.objects.create(predecessor=unit, successor=merged, effective_date="2025-03-01")
    this = _period(world, old, 2025, unit=merged)
    text = client_as(world.admin_a).get(_url(this)).content.decode()
    assert NOT_AVERAGED in text
    assert "So với năm 2024 — Sở Khoa học và Công nghệ" in text and "So với năm 2024 — Sở Thông tin và Truyền thông" in text
    assert text.count('data-testid="comparison"') == 2
    assert "26" not in text.replace("2026", "")  # never the average of 32 and 20
    with scope(province=world.province_a), CaptureQueriesContext(connection) as queries:
        results = comparison.comparisons_for(this)
    assert len(queries) <= 6  # lineage, assessments, imported results, indicators, answers, clone links
    assert [(c.old.unit, c.old.total) for c in results] == [("Sở Khoa học và Công nghệ", D(20)),
                                                             ("Sở Thông tin và Truyền thông", D(32))]
    assert all(c.predecessor for c in results)


def test_the_units_own_result_comes_before_its_predecessors(years):
    with scopes_disabled():
        UnitLineage.objects.create(predecessor=years.unit_a2, successor=years.unit_a1, effective_date="2025-03-01")
        ImportedResult.objects.create(province=years.province_a, year=2024, unit_kind=years.unit_a2.kind,
                                      unit=years.unit_a2, total=D(1))
    with scope(province=years.province_a):
        [result] = comparison.comparisons_for(years.this)
    assert result.mapped and not result.predecessor and result.old.unit == "Sở Y tế"


def test_foreign_ids_are_404(years, client_as):
    assert client_as(years.officer_a2).get(_url(years.this)).status_code == 404  # another unit's
    assert client_as(years.admin_b).get(_url(years.this, "tinh-b")).status_code == 404  # another province's
    assert client_as(years.admin_b).get(_url(years.this)).status_code in (403, 404)
    assert client_as(years.officer_a1).get(reverse("assessments:comparison", kwargs={
        "province": "tinh-a", "assessment_id": 999999})).status_code == 404


def test_the_entry_and_history_pages_link_to_it(years, client_as):
    client = client_as(years.officer_a1)
    for name in ("entry", "history"):
        page = client.get(reverse(f"assessments:{name}", kwargs={"province": "tinh-a", "assessment_id": years.this.pk}))
        assert _url(years.this) in page.content.decode()


def _queries_for(world, client_as, extra, unit, officer, kind_code):
    old = _old_framework(world, extra_leaves=extra, kind_code=kind_code)
    last = _period(world, old, 2024, unit)
    clone = _clone(world, old, renumber="1.3b")
    this = _period(world, clone, 2025, unit)
    with scopes_disabled():
        for assessment, framework in ((last, old), (this, clone)):
            Answer.objects.bulk_create([Answer(assessment=assessment, indicator=i, inputs={"points": "1"}, self_score=D(1))
                                        for i in framework.indicators.filter(children__isnull=True)])
        assert Answer.objects.filter(assessment=this).count() >= extra
    client = client_as(officer)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(_url(this))
    assert page.status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_queries_are_flat_for_20_and_150_criteria(world, client_as):
    few = _queries_for(world, client_as, 20, world.unit_a1, world.officer_a1, "so")
    many = _queries_for(world, client_as, 150, world.unit_a2, world.officer_a2, "huyen")
    assert few == many


def test_a_published_index_without_total_or_framework_is_compared_on_the_index(world, client_as):
    framework = build_framework(world.province_a)
    with scopes_disabled():
        ImportedResult.objects.create(province=world.province_a, year=2023, unit_kind=world.unit_a1.kind,
                                      unit=world.unit_a1, index=D("0.5"))
    this = _period(world, framework, 2025)
    _answer(world, this, framework, {"1.1": {"value": "có"}, "2": {"points": "10"}})
    text = client_as(world.officer_a1).get(_url(this)).content.decode()
    assert INDEX_ONLY in text and "So với năm 2023 — kết quả đã công bố" in text
    assert "năm 2023 chỉ công bố chỉ số" in text
    assert "0,5000" in text and "+0,0000" not in text and "0,0000" in text  # 20/40 = 0,5: no change


def test_code_maps_are_followed_along_a_chain_of_clones():
    links = {2: (1, {"1.1": "1.1", "1.3": "1.4", "2": "2"}), 3: (2, {"1.1": "A", "1.4": "1.4b"}), 1: (None, {})}
    assert comparison.chained_map(links, 3, 1) == {"1.1": "A", "1.3": "1.4b"}  # 2 was dropped in 2025
    assert comparison.chained_map(links, 2, 1) == {"1.1": "1.1", "1.3": "1.4", "2": "2"}
    assert comparison.chained_map(links, 1, 3) is None and comparison.chained_map(links, 4, 1) is None
    assert comparison.chained_map({5: (6, {}), 6: (5, {})}, 5, 7) is None  # a cycle ends


def test_a_clone_of_a_clone_is_compared_through_both_maps(world):
    """2024 → 2025 (1.3 renumbered 1.4) → 2026 (1.4 renumbered 1.5); the unit has no 2025 assessment."""
    old = _old_framework(world)
    last = _period(world, old, 2024)
    _answer(world, last, old, {"1.3": {"count": "3"}})
    middle = _clone(world, old)
    with scope(province=world.province_a):
        later = framework_clone(actor=None, framework=middle, year=2026)
        indicator = _indicators(later)["1.4"]
        data = {f: getattr(indicator, f) for f in FIELDS}
        indicator_save(actor=None, framework=later, indicator=indicator, parent=indicator.parent, data=data | {"code": "1.5"})
        later.status = Framework.Status.ACTIVE
        later.save()
    this = _period(world, later, 2026)
    with scope(province=world.province_a):
        [result] = comparison.comparisons_for(this)
    assert result.mapped and result.old.year == 2024
    assert [(r.old_code, r.new_code, r.old_points) for r in result.rows if r.old_points] == [("1.3", "1.5", D(6))]
    assert [c.code for c in result.dropped] == ["2"] and [c.code for c in result.new_criteria] == ["3"]
