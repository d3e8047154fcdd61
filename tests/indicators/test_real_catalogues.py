"""The real catalogues of fixtures/catalogues load as the documents describe them."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django_scopes import scope

from assessments.models import Answer, Assessment
from dti_portal.demo import catalogue_manifest
from dti_portal.tenancy.models import Province
from indicators.models import Framework
from indicators.scoring import describe_params
from indicators.selectors import max_total
from indicators.services import framework_problems


@pytest.fixture
def demo(db):
    call_command("load_demo")


def _framework(slug, kind, year):
    province = Province.objects.get(slug=slug)
    return province, Framework.objects.get(unit_kind__code=kind, year=year)


@pytest.mark.parametrize("slug, kind, year, total, top_level", [
    ("daklak", "tinh", 2021, 1000, 9),
    ("daklak", "so", 2020, 180, 1),
    ("daklak", "huyen", 2020, 420, 3),
    ("daknong", "so", 2023, 1000, 7),
    ("daknong", "huyen", 2023, 1000, 8),
])
def test_each_real_catalogue_is_active_balanced_and_totals_as_published(demo, slug, kind, year, total, top_level):
    with scope(province=Province.objects.get(slug=slug)):
        _, framework = _framework(slug, kind, year)
        assert framework.status == Framework.Status.ACTIVE
        assert max_total(framework) == Decimal(total)
        assert framework.indicators.filter(parent__isnull=True).count() == top_level
        assert framework_problems(framework) == []


def test_the_provincial_dti_keeps_all_113_rows_and_the_2021_result_of_the_province(demo):
    with scope(province=Province.objects.get(slug="daklak")):
        _, framework = _framework("daklak", "tinh", 2021)
        assert framework.indicators.count() == 113
        assert framework.indicators.get(code="6.20").name.startswith("Triển khai nền tảng trợ lý ảo phục vụ công chức")
        assert framework.indicators.get(code="9").rule == "collected"
        assessment = Assessment.objects.get(framework=framework)
        assert assessment.unit.name == "UBND tỉnh Đắk Lắk" and assessment.status == Assessment.Status.FINAL
        assert Answer.objects.get(assessment=assessment, indicator__code="5.10").final_score == 5
        assert Answer.objects.get(assessment=assessment, indicator__code="7.4").indicator.rule == "ratio_target"


def test_daknong_huyen_pillar_aggregates_share_the_foundation_pillars(demo):
    with scope(province=Province.objects.get(slug="daknong")):
        _, framework = _framework("daknong", "huyen", 2023)
        manifest = {a["name"]: a["max_points"] for e in catalogue_manifest() if e["file"].startswith("1552_QD-UBND_daknong_huyen")
                    for a in e["aggregates"]}
        for aggregate in framework.aggregates.prefetch_related("indicators"):
            codes = sorted(i.code for i in aggregate.indicators.all())
            assert codes[:5] == ["1", "2", "3", "4", "5"] and len(codes) == 6
            assert sum(i.max_points for i in aggregate.indicators.all()) == manifest[aggregate.name]
        assert [b.label for b in framework.bands.all()] == ["Tốt", "Khá", "Trung bình", "Yếu"]


def test_rules_are_described_in_words():
    assert describe_params("choice", {"options": [{"label": "Chủ tịch", "points": "10"}, {"label": "Phó", "fraction": "0.5"}]}) == (
        "Chủ tịch: 10 điểm; Phó: 0,5 × điểm tối đa")
    assert describe_params("ratio_target", {"target": "0.1"}) == "đạt điểm tối đa khi tỷ lệ từ 10 % trở lên"
    assert describe_params("ratio", {"b_zero": "full"}) == "mẫu số bằng 0 thì được điểm tối đa"
    assert describe_params("yes_no", {}) == ""
