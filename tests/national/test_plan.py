"""The improvement plan (Kế hoạch nâng cao chỉ số): its services, pages and every bad input.

Province A loads the national catalogue of Đắk Lắk's 2021 result (fixtures/catalogues/922_…csv) as its own
national result of 2021, as the demo does for Đắk Lắk."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from dti_portal.audit.models import Entry
from dti_portal.tenancy import services as tenancy_services
from dti_portal.tenancy.models import Unit
from indicators.models import Framework, Indicator
from indicators.services import framework_activate, framework_import
from national import plan as services
from national.models import NationalResult, Plan, Target, Task

CATALOGUE = Path(settings.BASE_DIR) / "fixtures" / "catalogues" / "922_QD-BTTTT_daklak_2021.csv"
META = {"name": "Bộ chỉ số đánh giá chuyển đổi số cấp tỉnh (922/QĐ-BTTTT)", "year": "2021", "unit_kind": "tinh",
        "decision_number": "922/QĐ-BTTTT", "issuer": "Bộ Thông tin và Truyền thông"}


def load_national_2021(province, *, published_total=Decimal("398.49")) -> NationalResult:
    """The national catalogue and the 2021 result of `province` (its own unit of kind "tinh")."""
    with scopes_disabled():
        kind = province.unit_kinds.filter(code="tinh").first() or tenancy_services.unit_kind_create(
            actor=None, province=province, code="tinh", name="Tỉnh", order=0)
        unit = tenancy_services.unit_create(actor=None, province=province, kind=kind, name=f"UBND {province.name}")
    with scope(province=province):
        report = framework_import(actor=None, province=province, filename=CATALOGUE.name, content=CATALOGUE.read_bytes(),
                                  meta=META, result_unit=unit, result_period_name="DTI cấp tỉnh 2021")
        assert report.saved, [str(p) for p in report.problems]
        framework_activate(framework=report.framework, actor=None)
        assessment = report.framework.assessments.get()
        return NationalResult.objects.create(province=province, year=2021, assessment=assessment,
                                             published_total=published_total, rank=36)


@pytest.fixture
def national(world):
    """Province A's 2021 national result; province B has one too (its own catalogue)."""
    load_national_2021(world.province_b)
    return load_national_2021(world.province_a)


def criterion(province, code: str, year: int = 2021) -> Indicator:
    with scope(province=province):
        return Indicator.objects.get(framework__year=year, framework__unit_kind__code="tinh", code=code)


@pytest.fixture
def plan(world, national):
    with scope(province=world.province_a):
        return services.plan_create(province=world.province_a, name="Kế hoạch nâng cao DTI", decision="01/KH-BCĐ",
                                    base_year=2021, first_year=2022, last_year=2025, actor=world.admin_a)


@pytest.fixture
def police(world, national):
    with scope(province=world.province_a):
        return services.owner_create(province=world.province_a, name="Công an tỉnh", actor=world.admin_a)


@pytest.fixture
def eid_task(world, plan, police):
    """Criterion 8.1 (e-ID accounts) owned by Công an tỉnh: 50 % by the end of 2023."""
    with scope(province=world.province_a):
        task = services.task_save(plan=plan, indicator=criterion(world.province_a, "8.1"), owner=police,
                                  title="Phổ cập tài khoản định danh điện tử", actor=world.admin_a)
        services.targets_save(task=task, targets=[(2023, Decimal(50))], actor=world.admin_a)
        return task


def actions(province) -> list[str]:
    with scopes_disabled():
        return list(Entry.objects.filter(province=province).order_by("pk").values_list("action", flat=True))


# ------------------------------------------------------------------------------------------ services


def test_an_organisation_owner_is_a_unit_of_the_organisation_kind_made_once(world, national):
    with scope(province=world.province_a):
        police = services.owner_create(province=world.province_a, name=" Công an tỉnh ", actor=world.admin_a)
        viettel = services.owner_create(province=world.province_a, name="Viettel Đắk Lắk", actor=world.admin_a)
        assert police.name == "Công an tỉnh" and police.kind == viettel.kind == services.organisation_kind(world.province_a)
        assert police.kind.code == "tochuc" and police.kind.name == "Cơ quan, tổ chức phối hợp"
        assert world.province_a.unit_kinds.filter(code="tochuc").count() == 1
        with pytest.raises(ValidationError, match="Hãy nhập tên"):
            services.owner_create(province=world.province_a, name="  ", actor=world.admin_a)
        with pytest.raises(ValidationError, match="Đã có đơn vị"):
            services.owner_create(province=world.province_a, name="Công an tỉnh", actor=world.admin_a)
    assert actions(world.province_a)[-3:] == ["unit_kind.created", "unit.created", "unit.created"]


def test_a_plan_is_created_with_one_audit_entry_and_its_years_checked(world, plan):
    assert actions(world.province_a)[-1] == "plan.created"
    with scope(province=world.province_a):
        for years, field in [((2021, 2021, 2025), "first_year"), ((2021, 2025, 2022), "last_year"),
                             ((2021, 2022, 2040), "last_year"), ((2019, 2020, 2025), "base_year")]:
            with pytest.raises(ValidationError) as refused:
                services.plan_create(province=world.province_a, name="X", base_year=years[0], first_year=years[1],
                                     last_year=years[2], actor=world.admin_a)
            assert field in refused.value.error_dict, refused.value
        with pytest.raises(ValidationError, match="chưa có bộ chỉ số DTI cấp tỉnh"):
            services.plan_create(province=world.province_a, name="X", base_year=2019, first_year=2020, last_year=2021,
                                 actor=world.admin_a)
        assert Plan.objects.count() == 1


def test_a_plan_keeps_its_base_year_once_it_has_tasks_and_its_years_cover_its_targets(world, plan, eid_task):
    with scope(province=world.province_a):
        with pytest.raises(ValidationError, match="không đổi được năm căn cứ"):
            services.plan_update(plan=plan, base_year=2020, first_year=2022, actor=world.admin_a)
        with pytest.raises(ValidationError, match="Đã có chỉ tiêu năm 2023"):
            services.plan_update(plan=plan, first_year=2024, actor=world.admin_a)
        services.plan_update(plan=plan, name="Kế hoạch nâng cao DTI (sửa đổi)", last_year=2026, actor=world.admin_a)
        plan.refresh_from_db()
        assert plan.last_year == 2026
    with scopes_disabled():
        entry = Entry.objects.filter(action="plan.updated").get()
    assert entry.old == {"name": "Kế hoạch nâng cao DTI", "last_year": 2025}


def test_a_task_links_a_national_criterion_to_its_owner_and_collaborators(world, plan, police):
    with scope(province=world.province_a):
        viettel = services.owner_create(province=world.province_a, name="Viettel Đắk Lắk", actor=world.admin_a)
        task = services.task_save(plan=plan, indicator=criterion(world.province_a, "8.3"), title="  Chữ ký số cá nhân ",
                                  owner=viettel, collaborators=[police, world.unit_a1], deadline=date(2025, 12, 31),
                                  actor=world.admin_a)
        assert task.title == "Chữ ký số cá nhân" and task.unit_of_measure == "%"  # 8.3 is a share
        assert set(task.collaborators.all()) == {police, world.unit_a1}
        services.task_save(plan=plan, task=task, indicator=task.indicator, title=task.title, owner=viettel,
                           collaborators=[police], deadline=date(2025, 12, 31), actor=world.admin_a)
    with scopes_disabled():
        created, updated = Entry.objects.filter(action__startswith="task.").order_by("pk")
    assert created.action == "task.created" and created.new["indicator"] == "8.3"
    assert updated.action == "task.updated" and updated.old == {"collaborators": ["Công an tỉnh", "Sở Y tế"]}


def test_a_task_is_refused_for_a_group_another_catalogue_or_units_of_another_province(world, plan, police):
    with scope(province=world.province_a):
        pillar = criterion(world.province_a, "8")
        with pytest.raises(ValidationError, match="là nhóm hoặc chỉ số không tính điểm"):
            services.task_save(plan=plan, indicator=pillar, title="X", owner=police, actor=world.admin_a)
        collected = criterion(world.province_a, "9.1")
        with pytest.raises(ValidationError, match="là nhóm hoặc chỉ số không tính điểm"):
            services.task_save(plan=plan, indicator=collected, title="X", owner=police, actor=world.admin_a)
        with pytest.raises(ValidationError, match="không đồng thời là đơn vị phối hợp"):
            services.task_save(plan=plan, indicator=criterion(world.province_a, "8.1"), title="X", owner=police,
                               collaborators=[police], actor=world.admin_a)
    foreign = criterion(world.province_b, "8.1")
    with scope(province=world.province_a):
        with pytest.raises(ValidationError, match="phải thuộc bộ chỉ số DTI cấp tỉnh năm 2021"):
            services.task_save(plan=plan, indicator=foreign, title="X", owner=police, actor=world.admin_a)
        with pytest.raises(ValidationError, match="Đơn vị chủ trì phải là đơn vị của tỉnh"):
            services.task_save(plan=plan, indicator=criterion(world.province_a, "8.1"), title="X",
                               owner=world.unit_b1, actor=world.admin_a)
        with pytest.raises(ValidationError, match="Đơn vị phối hợp phải là đơn vị của tỉnh"):
            services.task_save(plan=plan, indicator=criterion(world.province_a, "8.1"), title="X", owner=police,
                               collaborators=[world.unit_b1], actor=world.admin_a)
        assert not Task.objects.exists()


def test_a_series_of_targets_stores_the_inputs_the_engine_scores(world, plan, police):
    with scope(province=world.province_a):
        task = services.task_save(plan=plan, indicator=criterion(world.province_a, "7.6"), title="Hợp đồng điện tử",
                                  owner=police, actor=world.admin_a)
        saved = services.targets_save(task=task, targets=[(2022, Decimal(20)), (2023, Decimal(40)), (2024, "60"),
                                                          (2025, Decimal("80"))], actor=world.admin_a)
        assert [(t.year, t.value, t.inputs) for t in saved] == [
            (2022, 20, {"a": "20", "b": "100"}), (2023, 40, {"a": "40", "b": "100"}),
            (2024, 60, {"a": "60", "b": "100"}), (2025, 80, {"a": "80", "b": "100"})]
        services.targets_save(task=task, targets=[(2025, Decimal(80))], actor=world.admin_a)
        assert list(task.targets.values_list("year", flat=True)) == [2025]
    with scopes_disabled():
        first, second = Entry.objects.filter(action="targets.saved").order_by("pk")
    assert first.old == {} and first.new == {"2022": "20", "2023": "40", "2024": "60", "2025": "80"}
    assert second.old == first.new and second.new == {"2025": "80"}


@pytest.mark.parametrize("targets, message", [
    ([(2023, Decimal(40)), (2022, Decimal(20))], "không theo thứ tự: năm 2022 đứng sau năm 2023"),
    ([(2023, Decimal(40)), (2023, Decimal(50))], "không theo thứ tự: năm 2023 đứng sau năm 2023"),
    ([(2026, Decimal(40))], "Năm 2026 nằm ngoài kế hoạch (2022–2025)"),
    ([(2021, Decimal(40))], "Năm 2021 nằm ngoài kế hoạch"),
    ([(2023, Decimal("100.5"))], "vượt 100 %"),
    ([(2023, Decimal(-5))], "không được là số âm"),
    ([(2023, "41.6")], "viết số thập phân bằng dấu phẩy (41,6)"),
    ([("2023", Decimal(40))], "không phải là một năm"),
])
def test_bad_targets_are_refused_with_a_message_and_the_saved_ones_stay(world, eid_task, targets, message):
    with scope(province=world.province_a):
        with pytest.raises(ValidationError, match=message.replace("(", r"\(").replace(")", r"\)")):
            services.targets_save(task=eid_task, targets=targets, actor=world.admin_a)
        assert list(eid_task.targets.values_list("year", "value")) == [(2023, Decimal(50))]


def test_a_target_above_what_the_criterion_can_reach_is_refused(world, plan, police):
    with scope(province=world.province_a):
        # 1.2 is scored by the appraisers (manual): its target is points, at most its max 10.
        manual = services.task_save(plan=plan, indicator=criterion(world.province_a, "1.2"), title="Chủ tịch dự họp",
                                    owner=police, actor=world.admin_a)
        assert manual.unit_of_measure == "điểm"
        with pytest.raises(ValidationError, match="Năm 2023: Chỉ tiêu 12 điểm vượt điểm tối đa 10"):
            services.targets_save(task=manual, targets=[(2023, Decimal(12))], actor=world.admin_a)
        # 1.1 is a choice (Chủ tịch 10, Phó Chủ tịch 5, none 0): only those points can be reached.
        choice = services.task_save(plan=plan, indicator=criterion(world.province_a, "1.1"), title="Trưởng ban",
                                    owner=police, actor=world.admin_a)
        with pytest.raises(ValidationError, match="phải là một trong các mức điểm 10"):
            services.targets_save(task=choice, targets=[(2023, Decimal(7))], actor=world.admin_a)
        assert services.targets_save(task=choice, targets=[(2023, Decimal(10))], actor=world.admin_a)[0].inputs == {
            "option": "Bí thư hoặc Chủ tịch tỉnh là Trưởng ban"}
        # 8.1 is a share: 100 % is its reach.
        share = services.task_save(plan=plan, indicator=criterion(world.province_a, "8.1"), title="Định danh",
                                   owner=police, actor=world.admin_a)
        with pytest.raises(ValidationError, match="Chỉ tiêu 120 % vượt 100 %"):
            services.targets_save(task=share, targets=[(2023, Decimal(120))], actor=world.admin_a)
        assert not Target.objects.filter(task__in=[manual, share]).exists()


def test_changing_a_tasks_criterion_rescores_its_targets_or_is_refused(world, eid_task, police):
    with scope(province=world.province_a):
        services.task_save(plan=eid_task.plan, task=eid_task, indicator=criterion(world.province_a, "8.3"),
                           title=eid_task.title, owner=police, actor=world.admin_a)
        assert eid_task.targets.get().inputs == {"a": "50", "b": "100"}
        with pytest.raises(ValidationError, match="Năm 2023: Chỉ tiêu 50 điểm vượt điểm tối đa 10"):
            services.task_save(plan=eid_task.plan, task=eid_task, indicator=criterion(world.province_a, "1.2"),
                               title=eid_task.title, owner=police, actor=world.admin_a)
        eid_task.refresh_from_db()
        assert eid_task.indicator.code == "8.3"


def test_a_task_is_deleted_with_its_targets_and_one_audit_entry(world, eid_task):
    with scope(province=world.province_a):
        services.task_delete(task=eid_task, actor=world.admin_a)
        assert not Task.objects.exists() and not Target.objects.exists()
    with scopes_disabled():
        entry = Entry.objects.get(action="task.deleted")
    assert entry.old["indicator"] == "8.1" and entry.old["targets"] == {"2023": "50"}


# --------------------------------------------------------------------------------------------- pages


def url(name: str, province="tinh-a", **kwargs) -> str:
    return reverse(f"national:{name}", kwargs={"province": province, **kwargs})


def task_post(world, chosen: Indicator, **extra) -> dict:
    data = {"indicator": chosen.pk, "title": "Phổ cập tài khoản định danh điện tử", "new_owner": "Công an tỉnh",
            "unit_of_measure": "", "deadline": "31/12/2023"}
    for i, year in enumerate(range(2022, 2026), start=1):
        data[f"target_year_{i}"] = year
        data[f"target_value_{i}"] = ""
    return data | extra


def test_the_admin_creates_a_task_for_e_id_owned_by_a_new_organisation_and_sees_its_whatif(world, plan, client_as):
    client = client_as(world.admin_a)
    page = client.get(url("task_create", plan_id=plan.pk))
    assert page.status_code == 200
    assert "8.1 Số lượng người dân có danh tính số/ tài khoản định danh điện tử — đạt 0/20, mất 20 điểm" in page.content.decode()
    eid = criterion(world.province_a, "8.1")
    response = client.post(url("task_create", plan_id=plan.pk), task_post(world, eid, target_value_2="50 %"))
    assert response.status_code == 302, response.content.decode()[:3000]
    with scope(province=world.province_a):
        task = Task.objects.get()
        assert task.owner.name == "Công an tỉnh" and task.owner.kind.code == "tochuc"
        assert task.deadline == date(2023, 12, 31)
        assert list(task.targets.values_list("year", "value", "inputs")) == [(2023, 50, {"a": "50", "b": "100"})]
    detail = client.get(response.url).content.decode()
    assert "10,00/20" in detail and "+10,00" in detail  # 50 % of 20 points, all gained on 2021's 0
    plan_page = client.get(url("plan_detail", plan_id=plan.pk)).content.decode()
    assert "408,49" in plan_page  # 398,49 published in 2021 + 10
    assert actions(world.province_a)[-4:] == ["unit_kind.created", "unit.created", "task.created", "targets.saved"]


def test_a_series_typed_one_row_per_year_is_saved_in_order(world, plan, client_as, police):
    client = client_as(world.admin_a)
    data = task_post(world, criterion(world.province_a, "7.6"), new_owner="", owner=police.pk,
                     collaborators=[world.unit_a1.pk], new_collaborators="Hiệp hội Doanh nghiệp tỉnh\n\nCục Thuế tỉnh",
                     target_value_1="20", target_value_2="40", target_value_3="60", target_value_4="80")
    assert client.post(url("task_create", plan_id=plan.pk), data).status_code == 302
    with scope(province=world.province_a):
        task = Task.objects.get()
        assert sorted(u.name for u in task.collaborators.all()) == ["Cục Thuế tỉnh", "Hiệp hội Doanh nghiệp tỉnh", "Sở Y tế"]
        assert list(task.targets.values_list("year", "value")) == [(2022, 20), (2023, 40), (2024, 60), (2025, 80)]
    page = client.get(url("task_edit", task_id=task.pk)).content.decode()
    assert 'value="80"' in page


@pytest.mark.parametrize("extra, message", [
    ({"target_value_2": "41.6"}, "viết số thập phân bằng dấu phẩy (41,6)"),
    ({"target_value_2": "bốn mươi"}, "không phải là số"),
    ({"target_year_1": 2023, "target_value_1": "40", "target_year_2": 2022, "target_value_2": "20"},
     "không theo thứ tự: năm 2022 đứng sau năm 2023"),
    ({"target_value_2": "120"}, "vượt 100 %"),
    ({"target_value_2": "-5"}, "không được là số âm"),
    ({"target_year_2": "", "target_value_2": "50"}, "Hãy nhập năm của chỉ tiêu này"),
    ({"target_year_2": "hai nghìn", "target_value_2": "50"}, "Năm phải là số nguyên"),
    ({"target_year_2": 2030, "target_value_2": "50"}, "nằm ngoài kế hoạch"),
    ({"new_owner": ""}, "Hãy chọn đơn vị chủ trì hoặc nhập tên cơ quan, tổ chức mới"),
    ({"title": ""}, "Hãy nhập tên nhiệm vụ"),
    ({"deadline": "2023-12-31"}, "dd/mm/yyyy"),
    ({"indicator": "tám"}, "Hãy chọn một chỉ số thành phần có điểm"),
    ({"title": "x" * 501}, "tối đa 500"),
    ({"new_owner": "Tổ chức " * 40}, "tối đa 255"),
    ({"target_value_2": "1" * 41}, "tối đa 40"),
])
def test_bad_task_input_is_shown_again_with_a_message_and_nothing_is_saved(world, plan, client_as, extra, message):
    data = task_post(world, criterion(world.province_a, "8.1"), **extra)
    response = client_as(world.admin_a).post(url("task_create", plan_id=plan.pk), data)
    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'")
    with scopes_disabled():
        assert not Task.objects.exists() and not Unit.objects.filter(name="Công an tỉnh").exists()


def test_a_group_of_the_plans_catalogue_is_refused_as_a_choice(world, plan, client_as):
    data = task_post(world, criterion(world.province_a, "8"))
    response = client_as(world.admin_a).post(url("task_create", plan_id=plan.pk), data)
    assert response.status_code == 400 and "Hãy chọn một chỉ số thành phần có điểm" in response.content.decode()


def test_foreign_ids_answer_404(world, plan, eid_task, client_as):
    client = client_as(world.admin_a)
    with scope(province=world.province_b):
        plan_b = services.plan_create(province=world.province_b, name="B", base_year=2021, first_year=2022,
                                      last_year=2025, actor=world.admin_b)
        task_b = services.task_save(plan=plan_b, indicator=criterion(world.province_b, "8.1"), title="B",
                                    owner=world.unit_b1, actor=world.admin_b)
    for name, kwargs in [("plan_detail", {"plan_id": plan_b.pk}), ("plan_edit", {"plan_id": plan_b.pk}),
                         ("task_create", {"plan_id": plan_b.pk}), ("task_detail", {"task_id": task_b.pk}),
                         ("task_edit", {"task_id": task_b.pk}), ("task_delete", {"task_id": task_b.pk}),
                         ("plan_detail", {"plan_id": 999999}), ("task_detail", {"task_id": 999999})]:
        assert client.get(url(name, **kwargs)).status_code == 404, name
    create = url("task_create", plan_id=plan.pk)
    # a criterion of province B's catalogue, of another catalogue of A, a unit of B as owner or collaborator
    with scope(province=world.province_a):
        kind = world.province_a.unit_kinds.get(code="so")
        other = Framework.objects.create(province=world.province_a, name="Khác", year=2021, unit_kind=kind)
        other_indicator = Indicator.objects.create(framework=other, code="8.1", name="X", max_points=10, rule="manual")
    for extra in [{"indicator": criterion(world.province_b, "8.1").pk}, {"indicator": other_indicator.pk},
                  {"new_owner": "", "owner": world.unit_b1.pk}, {"collaborators": [world.unit_b1.pk]}]:
        data = task_post(world, criterion(world.province_a, "8.1"), **extra)
        assert client.post(create, data).status_code == 404, extra
    assert client.get(create, {"indicator": criterion(world.province_b, "8.1").pk}).status_code == 404
    with scopes_disabled():
        assert Task.objects.count() == 2 and Plan.objects.count() == 2


def test_who_may_open_what(world, plan, eid_task, client_as, client):
    with scope(province=world.province_a):
        services.task_save(plan=plan, task=eid_task, indicator=eid_task.indicator, title=eid_task.title,
                           owner=world.unit_a1, actor=world.admin_a)
    pages = {"plan_detail": {"plan_id": plan.pk}, "plan_edit": {"plan_id": plan.pk}, "task_create": {"plan_id": plan.pk},
             "task_detail": {"task_id": eid_task.pk}, "task_edit": {"task_id": eid_task.pk},
             "task_delete": {"task_id": eid_task.pk}}
    expected = {
        world.admin_a: {name: 200 for name in pages},
        world.leader_a: {"plan_detail": 200, "task_detail": 200, "plan_edit": 403, "task_create": 403, "task_edit": 403,
                         "task_delete": 403},
        world.appraiser_a: {"plan_detail": 403, "task_detail": 403, "plan_edit": 403, "task_create": 403,
                            "task_edit": 403, "task_delete": 403},
        world.officer_a1: {"plan_detail": 404, "task_detail": 200, "plan_edit": 404, "task_create": 404,
                           "task_edit": 404, "task_delete": 404},  # Sở Y tế owns the task: it reads it
        world.officer_a2: {name: 404 for name in pages},
        world.admin_b: {name: 404 for name in pages},
    }
    for user, codes in expected.items():
        client.force_login(user)
        got = {name: client.get(url(name, **kwargs)).status_code for name, kwargs in pages.items()}
        assert got == codes, user.username
    client.force_login(world.admin_a)
    assert client.get(url("plan_create")).status_code == 200
    client.force_login(world.leader_a)
    assert client.get(url("plan_create")).status_code == 403


def test_the_home_lists_plans_for_readers_and_own_tasks_for_an_owners_officer(world, plan, eid_task, client_as, client):
    with scope(province=world.province_a):
        services.task_save(plan=plan, task=eid_task, indicator=eid_task.indicator, title=eid_task.title,
                           owner=world.unit_a1, actor=world.admin_a)
    client.force_login(world.leader_a)
    page = client.get(url("home")).content.decode()
    assert "Kế hoạch nâng cao DTI" in page and "Tạo kế hoạch" not in page
    client.force_login(world.officer_a1)
    page = client.get(url("home")).content.decode()
    assert "Phổ cập tài khoản định danh điện tử" in page and "2023: 50" in page
    client.force_login(world.officer_a2)
    assert "Phổ cập tài khoản định danh điện tử" not in client.get(url("home")).content.decode()


def test_the_admin_creates_and_edits_a_plan_through_its_pages(world, national, client_as):
    client = client_as(world.admin_a)
    data = {"name": "Kế hoạch 2022–2025", "decision": "", "base_year": 2021, "first_year": 2022, "last_year": 2025}
    response = client.post(url("plan_create"), data)
    assert response.status_code == 302
    with scope(province=world.province_a):
        plan = Plan.objects.get()
    bad = client.post(url("plan_edit", plan_id=plan.pk), data | {"first_year": "2.022"})
    assert bad.status_code == 400 and "Năm phải là số nguyên" in bad.content.decode()
    bad = client.post(url("plan_edit", plan_id=plan.pk), data | {"base_year": 2019, "first_year": 2020})
    assert bad.status_code == 400 and "chưa có bộ chỉ số DTI cấp tỉnh" in bad.content.decode()
    assert client.post(url("plan_edit", plan_id=plan.pk), data | {"last_year": 2030}).status_code == 302
    plan.refresh_from_db()
    assert plan.last_year == 2030


def test_a_task_is_deleted_after_a_confirmation_page(world, eid_task, client_as):
    client = client_as(world.admin_a)
    page = client.get(url("task_delete", task_id=eid_task.pk))
    assert page.status_code == 200 and "Xoá nhiệm vụ" in page.content.decode()
    response = client.post(url("task_delete", task_id=eid_task.pk))
    assert response.status_code == 302
    with scopes_disabled():
        assert not Task.objects.exists()


def test_the_plan_page_costs_the_same_queries_for_few_or_many_tasks(world, plan, police, client_as):
    client = client_as(world.admin_a)

    def add_tasks(codes):
        with scope(province=world.province_a):
            for code in codes:
                task = services.task_save(plan=plan, indicator=criterion(world.province_a, code), title=code,
                                          owner=police, collaborators=[world.unit_a1], actor=world.admin_a)
                services.targets_save(task=task, targets=[(2022, Decimal(20)), (2024, Decimal(60))], actor=world.admin_a)

    def count(name, **kwargs) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(name, **kwargs)).status_code == 200
        return len(queries)

    add_tasks(["8.1", "8.3"])
    few = count("plan_detail", plan_id=plan.pk), count("home")
    add_tasks(["7.5", "7.6", "7.7", "7.8", "7.9", "8.2", "8.4"])
    many = count("plan_detail", plan_id=plan.pk), count("home")
    assert few == many


def test_a_page_that_reads_or_posts_refuses_other_methods(world, eid_task, client_as):
    client = client_as(world.admin_a)
    for name, kwargs in [("task_delete", {"task_id": eid_task.pk}), ("task_edit", {"task_id": eid_task.pk}),
                         ("plan_edit", {"plan_id": eid_task.plan_id}), ("task_create", {"plan_id": eid_task.plan_id})]:
        assert client.put(url(name, **kwargs)).status_code == 405, name


def test_the_plans_criteria_are_the_scored_leaves_of_its_base_years_catalogue(world, plan):
    with scope(province=world.province_a):
        codes = [i.code for i in services.plan_criteria(plan)]
    assert "8.1" in codes and "5.12.1" in codes and "7.4" in codes
    assert not {"8", "5.12", "9.1"} & set(codes) and len(codes) == 100  # 113 − 9 pillars − 5.12 − 9.1…9.3
