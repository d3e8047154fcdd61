"""The unit registry of a tenant that received a merged province (issue 13, part 1): the merged province's
units in their own section after the tenant's own, headed with its name and the merger date, searched the
same way; each unit's direct lineage as a small tree; a merged unit's page under the receiving tenant."""

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from dti_portal.tenancy import services
from dti_portal.tenancy.models import Unit
from dti_portal.tenancy.selectors import unit_registry
from tests.conftest import make_user
from dti_portal.accounts.models import Membership, Role

JULY = date(2025, 7, 1)
HEADING = "Đơn vị của Tỉnh A cũ (hợp nhất vào Tỉnh B từ 01/07/2025)"


def _merge(world):
    services.province_merge(source=world.province_a, target=world.province_b, effective_date=JULY,
                            actor=world.platform_admin)


def _url(slug: str, name: str = "tenancy:admin_home", **kwargs) -> str:
    return reverse(name, kwargs={"province": slug, **kwargs})


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_receiving_admin_lists_the_merged_provinces_units_after_its_own_under_a_heading(world, client_as):
    _merge(world)
    page = client_as(world.admin_b).get(_url("tinh-b")).content.decode()
    assert HEADING in page
    units = page.split('data-testid="unit-search"')[1]
    assert units.index("Sở Tài chính") < units.index(HEADING) < units.index("Sở Y tế") < units.index("UBND huyện Krông Pắc")
    assert 'data-testid="units-so"' in page and 'data-testid="units-tinh-a-so"' in page  # one table per kind and province
    # the admin of the merged province, whose role moved, sees the same
    assert HEADING in client_as(world.admin_a).get(_url("tinh-b")).content.decode()


def test_the_search_covers_the_merged_provinces_units_and_their_former_names(world, client_as):
    _merge(world)
    client = client_as(world.admin_b)
    found = client.get(_url("tinh-b"), {"q": "krong pak"}).content.decode()  # a former spelling of tinh-a's unit
    units = found.split('data-testid="unit-search"')[1].split("Người dùng và vai trò")[0]
    assert "UBND huyện Krông Pắc" in units and HEADING in units
    assert "Sở Tài chính" not in units and "Sở Y tế" not in units
    own = client.get(_url("tinh-b"), {"q": "tai chinh"}).content.decode().split('data-testid="unit-search"')[1]
    assert "Sở Tài chính" in own and HEADING not in own  # a section with no match is left out
    nothing = client.get(_url("tinh-b"), {"q": "không có"}).content.decode()
    assert "Không có đơn vị nào khớp “không có”." in nothing


def test_the_registry_shows_each_units_direct_lineage_in_small_text(world, client_as):
    _merge(world)
    with scopes_disabled():
        services.units_merge(predecessors=[world.unit_a1], successor=world.unit_b1, effective_date=JULY,
                             actor=world.admin_b)
    page = client_as(world.admin_b).get(_url("tinh-b")).content.decode()
    assert "└ hình thành từ Sở Y tế (01/07/2025)" in page
    assert "└ đã sáp nhập vào Sở Tài chính (từ 01/07/2025)" in page
    with scope(province=[world.province_b.pk, world.province_a.pk]):
        sections = unit_registry(world.province_b)
    [own, merged] = sections
    assert (own.own, merged.own, merged.province.slug, merged.heading) == (True, False, "tinh-a", HEADING)
    [(kind, [b1])] = own.groups
    assert b1.formed_from == [("Sở Y tế", JULY)] and b1.merged_into == []


def test_a_merged_unit_opens_under_the_receiving_tenant_and_says_whose_it_was(world, client_as):
    _merge(world)
    client = client_as(world.admin_b)
    page = client.get(_url("tinh-b", "tenancy:unit_detail", unit_id=world.unit_a1.pk))
    assert page.status_code == 200
    assert "Đơn vị của Tỉnh A cũ (hợp nhất vào Tỉnh B từ 01/07/2025)" in page.content.decode()
    own = client.get(_url("tinh-b", "tenancy:unit_detail", unit_id=world.unit_b1.pk)).content.decode()
    assert 'data-testid="unit-province"' not in own
    # its officer, whose role moved to tinh-b, lands on it
    officer = client_as(world.officer_a1).get(_url("tinh-b", "tenancy:unit_detail", unit_id=world.unit_a1.pk))
    assert officer.status_code == 200 and "Tỉnh A cũ" in officer.content.decode()


def test_editing_a_merged_unit_keeps_its_own_provinces_kinds(world, client_as):
    _merge(world)
    client = client_as(world.admin_b)
    url = _url("tinh-b", "tenancy:unit_edit", unit_id=world.unit_a1.pk)
    assert client.get(url).status_code == 200
    response = client.post(url, {"kind": world.unit_a1.kind_id, "name": "Sở Y tế (cũ)", "valid_from": "",
                                 "valid_to": "30/06/2025", "note": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    with scopes_disabled():
        unit = Unit.objects.get(pk=world.unit_a1.pk)
    assert (unit.name, unit.province_id, unit.valid_to) == ("Sở Y tế (cũ)", world.province_a.pk, date(2025, 6, 30))
    with scopes_disabled():
        kind_b = world.province_b.unit_kinds.get(code="so")
    refused = client.post(url, {"kind": kind_b.pk, "name": "Sở Y tế (cũ)", "valid_from": "", "valid_to": "", "note": ""})
    assert refused.status_code == 200 and "Loại đơn vị đã chọn không có trong tỉnh này." in refused.content.decode()


def test_the_old_url_redirects_and_a_third_province_sees_none_of_it(world, client_as):
    _merge(world)
    with scopes_disabled():
        c = services.province_create(slug="tinh-c", name="Tỉnh C", coordinating_agency="Sở C", actor=None)
        admin_c = make_user("c.quantri")
        Membership.objects.create(user=admin_c, province=c, role=Role.PROVINCE_ADMIN)
    old = client_as(world.admin_b).get(_url("tinh-a"))
    assert (old.status_code, old["Location"]) == (301, "/tinh-b/quan-tri/")
    client = client_as(admin_c)
    page = client.get(_url("tinh-c")).content.decode()
    assert "Sở Y tế" not in page and "Tỉnh A cũ" not in page and "Tỉnh chưa có đơn vị nào." in page
    assert client.get(_url("tinh-c", "tenancy:unit_detail", unit_id=world.unit_a1.pk)).status_code == 404
    assert client.get(_url("tinh-c", "tenancy:unit_edit", unit_id=world.unit_a1.pk)).status_code == 404


def test_the_registry_costs_the_same_queries_for_few_and_many_merged_units(world, client_as):
    client = client_as(world.admin_b)
    before = _queries(client, _url("tinh-b"))
    _merge(world)
    counts = []
    with scopes_disabled():
        kind = world.province_a.unit_kinds.get(code="xa")
    for extra in (2, 20):
        with scopes_disabled():
            for n in range(extra - (len(counts) and 2)):
                unit = services.unit_create(actor=None, province=world.province_a, kind=kind, name=f"Xã thử {len(counts)}-{n}")
                services.units_merge(predecessors=[unit], successor=world.unit_b1, effective_date=JULY, actor=None)
        counts.append(_queries(client, _url("tinh-b")))
    assert counts[0] == counts[1], counts
    # the predecessors' names and the listed units' links (the middleware reads the lineage in one query either way)
    assert counts[0] == before + 2, (before, counts)
    assert _queries(client, _url("tinh-b") + "?q=xa") == counts[0] + 1  # the aliases, searched


def test_a_receiving_tenant_without_units_of_its_own_says_so_above_the_merged_ones(world, client_as):
    with scopes_disabled():
        Membership.objects.filter(unit=world.unit_b1).delete()  # its officer's role protects it
        Unit.objects.filter(pk=world.unit_b1.pk).delete()
    _merge(world)
    page = client_as(world.admin_b).get(_url("tinh-b")).content.decode()
    assert "Tỉnh B chưa có đơn vị riêng nào; các đơn vị dưới đây thuộc tỉnh đã hợp nhất vào Tỉnh B." in page
    assert page.index("chưa có đơn vị riêng") < page.index(HEADING) and "Tỉnh chưa có đơn vị nào." not in page
