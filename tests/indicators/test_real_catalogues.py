"""The real catalogues of fixtures/catalogues load as the documents describe them."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django_scopes import scope

from assessments.models import Answer, Assessment
from dti_portal.demo import CATALOGUE_DIR, catalogue_manifest
from dti_portal.tenancy.models import Province
from indicators.models import Framework
from indicators.scoring import InputError, Rule, describe_params
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
    assert describe_params("ratio_steps", {"steps": [{"min": "0.7", "fraction": "0.5"}, {"min": "0.9", "points": "40"}]}) == (
        "từ 70 %: 0,5 × điểm tối đa; từ 90 %: 40 điểm")


# --- the criterion-level samples the live demo period answers --------------------------------
SAMPLE_DECISION = "Mẫu (dựa trên 922/QĐ-BTTTT)"
# Hà Nội 5279/QĐ-UBND for UBND xã, phường (reference/catalogues/structures.csv): criteria per group.
HANOI_XA_GROUPS = [("Nhận thức số", 5), ("Thể chế số", 3), ("Hạ tầng số", 5), ("Nhân lực số", 6),
                   ("An toàn thông tin mạng", 4), ("Hoạt động chính quyền số", 10), ("Hoạt động kinh tế số", 6),
                   ("Hoạt động xã hội số", 8)]


def _sample(kind):
    return Framework.objects.get(unit_kind__code=kind, decision_number=SAMPLE_DECISION)


@pytest.mark.parametrize("kind, groups", [("so", 7), ("xa", 8)])
def test_each_sample_is_active_balanced_labelled_and_totals_1000(demo, kind, groups):
    with scope(province=Province.objects.get(slug="daklak")):
        framework = _sample(kind)
        assert framework.status == Framework.Status.ACTIVE and framework.year == 2025
        assert "mẫu" in framework.name and "922/QĐ-BTTTT" in framework.name
        assert max_total(framework) == Decimal(1000)
        assert framework.indicators.filter(parent__isnull=True).count() == groups
        assert framework_problems(framework) == []
        assert [b.label for b in framework.bands.all()] == ["Tốt", "Khá", "Trung bình", "Yếu"]
    entry = next(e for e in catalogue_manifest() if e["name"] == framework.name)
    assert entry["decision_number"] == SAMPLE_DECISION and entry["source"].startswith("SAMPLE")
    assert "922" in entry["source"]


@pytest.mark.parametrize("kind", ["so", "xa"])
def test_each_sample_uses_every_rule_and_explains_every_criterion(demo, kind):
    with scope(province=Province.objects.get(slug="daklak")):
        leaves = list(_sample(kind).indicators.filter(children__isnull=True))
        assert {i.rule for i in leaves} | {"sum"} == {r.value for r in Rule}
        if kind == "so":  # a criterion with sub-criteria, like 922's 5.12 budget for cyber-security
            assert _sample(kind).indicators.get(code="5.7").children.count() == 3
        # "ratio steps" (DESIGN.md §4) on files online a / files received b: 70 % → ½ max, 90 % → max,
        # written top-down in percentages in the file, stored bottom-up as fractions
        ratio_steps = [i for i in leaves if i.rule == "ratio_steps"]
        assert ratio_steps and all(i.params == {"steps": [{"min": "0.7", "fraction": "0.5"}, {"min": "0.9", "fraction": "1"}]}
                                   for i in ratio_steps)
        assert not [i for i in leaves if i.name.endswith("(%)")]  # no percentage typed by the unit any more
        for indicator in leaves:
            assert indicator.guidance, indicator.code
            if indicator.rule not in ("manual", "collected"):
                assert indicator.evidence_required and indicator.verifying_agency, indicator.code
            assert indicator.rule != "collected" or indicator.max_points == 0


def test_the_xa_sample_has_the_shape_of_hanoi_2025_47_criteria_in_8_groups(demo):
    with scope(province=Province.objects.get(slug="daklak")):
        framework = _sample("xa")
        groups = framework.indicators.filter(parent__isnull=True).order_by("position")
        assert [(g.name, g.children.count()) for g in groups] == HANOI_XA_GROUPS
        assert framework.indicators.filter(parent__parent__isnull=True, parent__isnull=False).count() == 47


def test_the_samples_import_through_the_import_command_as_well(db, capsys):
    call_command("load_demo")
    capsys.readouterr()
    for entry in catalogue_manifest():
        if entry["decision_number"] != SAMPLE_DECISION:
            continue
        call_command("import_framework", "daklak", str(CATALOGUE_DIR / entry["file"]), "--dry-run",
                     "--name", "Thử nhập", "--year", "2026", "--kind", entry["unit_kind"])
        assert "Tệp hợp lệ" in capsys.readouterr().out


def test_scores_of_the_sample_rules_follow_their_wording(demo):
    """A few answers a unit would give, scored by the engine as the guidance says."""
    from indicators.scoring import score

    with scope(province=Province.objects.get(slug="daklak")):
        so = {i.code: i for i in _sample("so").indicators.all()}
        xa = {i.code: i for i in _sample("xa").indicators.all()}

    def points(indicator, inputs):
        return score(indicator.rule, indicator.params, indicator.max_points, inputs)

    assert points(so["1.1"], {"option": "Phó Giám đốc sở là Trưởng ban"}) == Decimal("7.5")
    assert points(so["1.2"], {"value": "3"}) == 15
    assert points(so["6.3"], {"a": "899", "b": "1000"}) == 20 and points(so["6.3"], {"a": "1305", "b": "1450"}) == 40
    assert points(so["6.3"], {"a": "1014", "b": "1450"}) == 0  # 69,9 %
    with pytest.raises(InputError, match="lớn hơn mẫu số"):
        points(so["6.3"], {"a": "1460", "b": "1450"})
    assert points(xa["6.2"], {"a": "382", "b": "500"}) == 20  # 76,4 %
    assert points(so["5.7.1"], {"a": "0", "b": "0"}) == 10  # no IT project: nothing to secure
    assert points(so["4.2"], {"a": "3", "b": "100"}) == 15  # 3 % ≥ the 2 % target
    assert points(xa["1.5"], {"value": "3"}) == 10
    assert points(xa["4.4"], {"count": "5"}) == 15
    assert points(xa["3.4"], {"ticked": ["Máy quét tài liệu để số hóa hồ sơ"]}) == 5
