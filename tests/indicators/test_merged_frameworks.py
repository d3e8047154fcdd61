"""Catalogues of a tenant that received a merged province (issue 13, part 1): the merged province's
frameworks are listed (labelled) and readable under the receiving tenant; they are history, so editing,
activating, retiring or deleting them is refused in Vietnamese; copying one into the tenant is allowed."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from dti_portal.accounts.models import Membership, Role
from dti_portal.tenancy import services as tenancy_services
from indicators.models import Framework, Indicator
from tests.assessments.conftest import build_framework
from tests.conftest import make_user

MERGED = "Tỉnh Tỉnh A (cũ)"


def _merge(world):
    tenancy_services.province_merge(source=world.province_a, target=world.province_b, effective_date=date(2025, 7, 1),
                                    actor=world.platform_admin)


def _url(name, slug="tinh-b", **kwargs):
    return reverse(f"indicators:{name}", kwargs={"province": slug, **kwargs})


@pytest.fixture
def merged(world):
    framework_a = build_framework(world.province_a)
    framework_b = build_framework(world.province_b)
    _merge(world)
    return framework_a, framework_b


def test_the_list_holds_the_merged_provinces_frameworks_labelled(world, merged, client_as):
    framework_a, framework_b = merged
    page = client_as(world.admin_b).get(_url("framework_list")).content.decode()
    assert page.count("Bộ chỉ số sở 2025") == 2
    assert f'data-testid="framework-province" title="Bộ chỉ số của {MERGED}' in page
    assert page.count('data-testid="framework-province"') == 1  # tinh-b's own is not labelled
    # the officer and the appraiser of tinh-a, whose roles moved, read it too
    assert MERGED in client_as(world.officer_a1).get(_url("framework_list")).content.decode()


def test_a_merged_provinces_framework_is_readable_and_offers_only_a_copy(world, merged, client_as):
    framework_a, _ = merged
    client = client_as(world.admin_b)
    page = client.get(_url("framework_detail", framework_id=framework_a.pk)).content.decode()
    assert "Bộ chỉ số của Tỉnh A cũ (hợp nhất vào Tỉnh B từ 01/07/2025)" in page
    assert "Nhận thức số" in page and 'data-testid="clone-into"' in page and "Sao chép sang Tỉnh B" in page
    assert "Sửa thông tin" not in page and "Ngừng áp dụng" not in page and "Thêm chỉ tiêu" not in page
    assert client.get(_url("framework_export", framework_id=framework_a.pk) + "?format=csv").status_code == 200


@pytest.mark.parametrize("name, method", [("framework_edit", "get"), ("framework_edit", "post"),
                                          ("framework_activate", "post"), ("framework_retire", "post"),
                                          ("framework_delete", "post"), ("indicator_create", "get"),
                                          ("indicator_edit", "post"), ("indicator_delete", "post")])
def test_editing_a_merged_provinces_framework_is_refused_in_vietnamese(world, merged, client_as, name, method):
    framework_a, _ = merged
    with scopes_disabled():
        indicator = Indicator.objects.get(framework=framework_a, code="2")
        before = (Framework.objects.get(pk=framework_a.pk).status, Indicator.objects.filter(framework=framework_a).count())
    kwargs = {"framework_id": framework_a.pk}
    if name.startswith("indicator_") and name != "indicator_create":
        kwargs["indicator_id"] = indicator.pk
    client = client_as(world.admin_b)
    response = getattr(client, method)(_url(name, **kwargs), follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == _url("framework_detail", framework_id=framework_a.pk)
    assert "Bộ chỉ số này thuộc Tỉnh A cũ (hợp nhất vào Tỉnh B từ 01/07/2025)" in page and "Hãy “Sao chép sang Tỉnh B”" in page
    with scopes_disabled():
        assert (Framework.objects.get(pk=framework_a.pk).status,
                Indicator.objects.filter(framework=framework_a).count()) == before


def test_copying_a_merged_provinces_framework_makes_a_draft_of_the_receiving_tenant(world, merged, client_as):
    framework_a, _ = merged
    client = client_as(world.admin_b)
    with scopes_disabled():
        kind_b = world.province_b.unit_kinds.get(code="so")
    form = client.get(_url("framework_clone", framework_id=framework_a.pk)).content.decode()
    assert "Sao chép Bộ chỉ số sở 2025 sang Tỉnh B" in form and "Áp dụng cho loại đơn vị của Tỉnh B" in form
    assert f'<option value="{kind_b.pk}" selected>' in form  # the kind of the same code, offered first
    with scopes_disabled():
        kind_a = world.province_a.unit_kinds.get(code="so")
    refused = client.post(_url("framework_clone", framework_id=framework_a.pk), {"year": "2026", "unit_kind": kind_a.pk})
    assert refused.status_code == 200 and "Loại đơn vị đã chọn không có trong tỉnh này." in refused.content.decode()
    response = client.post(_url("framework_clone", framework_id=framework_a.pk),
                           {"year": "2026", "name": "Bộ chỉ số sở Tỉnh B 2026", "unit_kind": kind_b.pk})
    assert response.status_code == 302
    with scopes_disabled():
        clone = Framework.objects.get(name="Bộ chỉ số sở Tỉnh B 2026")
        assert (clone.province_id, clone.unit_kind_id, clone.status, clone.cloned_from_id) == (
            world.province_b.pk, kind_b.pk, "draft", framework_a.pk)
        assert clone.indicators.count() == framework_a.indicators.count()
    assert response["Location"] == _url("framework_detail", framework_id=clone.pk)
    # the copy is the tenant's own: editable
    assert "Sửa thông tin" in client.get(response["Location"]).content.decode()


def test_the_unmerged_tenants_own_framework_is_edited_as_before(world, client_as):
    framework = build_framework(world.province_a)
    client = client_as(world.admin_a)
    page = client.get(_url("framework_detail", "tinh-a", framework_id=framework.pk)).content.decode()
    assert "Sao chép sang năm khác" in page and 'data-testid="clone-into"' not in page
    assert 'data-testid="framework-province"' not in page
    form = client.get(_url("framework_clone", "tinh-a", framework_id=framework.pk)).content.decode()
    assert "unit_kind" not in form


def test_a_third_province_sees_none_of_it(world, merged, client_as):
    framework_a, _ = merged
    with scopes_disabled():
        c = tenancy_services.province_create(slug="tinh-c", name="Tỉnh C", coordinating_agency="Sở C", actor=None)
        admin_c = make_user("c.quantri")
        Membership.objects.create(user=admin_c, province=c, role=Role.PROVINCE_ADMIN)
    client = client_as(admin_c)
    assert "Bộ chỉ số sở 2025" not in client.get(_url("framework_list", "tinh-c")).content.decode()
    for name in ("framework_detail", "framework_clone", "framework_edit"):
        assert client.get(_url(name, "tinh-c", framework_id=framework_a.pk)).status_code == 404


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_list_costs_the_same_queries_for_few_and_many_merged_frameworks(world, client_as):
    client = client_as(world.admin_b)
    build_framework(world.province_b)
    before = _count(client, _url("framework_list"))
    build_framework(world.province_a)
    _merge(world)
    first = _count(client, _url("framework_list"))
    for _ in range(4):
        build_framework(world.province_a)
    assert _count(client, _url("framework_list")) == first
    assert first == before + 1, (before, first)  # the predecessors' names


def test_copying_into_a_tenant_without_unit_kinds_says_what_to_do_first(world, client_as):
    from dti_portal.tenancy.models import Unit, UnitKind

    framework_a = build_framework(world.province_a)
    with scopes_disabled():
        Membership.objects.filter(unit=world.unit_b1).delete()  # its officer's role protects it
        Unit.objects.filter(province=world.province_b).delete()
        UnitKind.objects.filter(province=world.province_b).delete()
    _merge(world)
    form = client_as(world.admin_b).get(_url("framework_clone", framework_id=framework_a.pk)).content.decode()
    assert "Tỉnh B chưa có loại đơn vị nào: hãy “Thêm loại đơn vị” ở trang Quản trị cấp tỉnh trước, rồi sao chép." in form
