"""The log of a tenant that received a merged province (issue 13, part 1): the merged province's entries
are part of its history, listed with a province column, filtered by the lineage's periods, paged by
entry, downloaded with their province; the unmerged tenant's page is as before; a third province sees none."""

import csv
import io
from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from dti_portal.accounts.models import Membership, Role
from dti_portal.audit.models import Entry
from dti_portal.tenancy import services as tenancy_services
from tests.assessments.conftest import build_framework, open_period
from tests.conftest import make_user

URL_B = reverse("audit:log", kwargs={"province": "tinh-b"})
MERGED = "Tỉnh Tỉnh A (cũ)"


def _merge(world):
    tenancy_services.province_merge(source=world.province_a, target=world.province_b, effective_date=date(2025, 7, 1),
                                    actor=world.platform_admin)


def _page(client, url=URL_B, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def _csv(client, url=URL_B, **params) -> list[list[str]]:
    body = b"".join(client.get(url, {"tai-ve": "csv", **params}).streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_the_receiving_tenants_log_holds_the_merged_provinces_entries_labelled(world, client_as):
    with scopes_disabled():
        tenancy_services.unit_update(unit=world.unit_a1, name="Sở Y tế tỉnh A", actor=world.admin_a)
    _merge(world)
    page = _page(client_as(world.admin_b))
    assert "Tên: Sở Y tế → Sở Y tế tỉnh A" in page  # tinh-a's entry, written before the merger
    assert "<th scope=\"col\">Tỉnh</th>" in page
    assert f'<td class="small" data-testid="entry-province">{MERGED}</td>' in page
    assert '<td class="small" data-testid="entry-province">Tỉnh B</td>' in page
    assert "Tỉnh Tỉnh A hợp nhất vào Tỉnh B từ 01/07/2025" in page
    # the leadership of the receiving tenant reads it too; the old slug redirects
    assert "Sở Y tế tỉnh A" in _page(client_as(world.leader_a))
    old = client_as(world.admin_b).get(reverse("audit:log", kwargs={"province": "tinh-a"}))
    assert (old.status_code, old["Location"]) == (301, "/tinh-b/nhat-ky/")


def test_an_unmerged_tenants_log_has_no_province_column(world, client_as):
    page = _page(client_as(world.admin_a), reverse("audit:log", kwargs={"province": "tinh-a"}))
    assert "data-testid=\"entry-province\"" not in page and "<th scope=\"col\">Tỉnh</th>" not in page
    rows = _csv(client_as(world.admin_a), reverse("audit:log", kwargs={"province": "tinh-a"}))
    assert rows[0][0] == "Thời gian"


def test_the_period_filter_lists_the_lineages_periods_and_filters_by_one(world, client_as):
    period_a = open_period(world, world.province_a, build_framework(world.province_a))
    _merge(world)
    client = client_as(world.admin_b)
    page = _page(client)
    assert f'<option value="{period_a.pk}">Kỳ đánh giá 2025 — {MERGED}</option>' in page
    filtered = _page(client, ky=period_a.pk)
    assert "Mở kỳ đánh giá" in filtered and "Tạo tỉnh" not in filtered
    with scopes_disabled():
        c = tenancy_services.province_create(slug="tinh-c", name="Tỉnh C", coordinating_agency="Sở C", actor=None)
        admin_c = make_user("c.quantri")
        Membership.objects.create(user=admin_c, province=c, role=Role.PROVINCE_ADMIN)
    url_c = reverse("audit:log", kwargs={"province": "tinh-c"})
    refused = _page(client_as(admin_c), url_c, ky=period_a.pk)
    assert "Không có kỳ đánh giá này trong tỉnh." in refused and "Mở kỳ đánh giá" not in refused


def test_the_csv_names_each_entrys_province(world, client_as):
    with scopes_disabled():
        tenancy_services.unit_update(unit=world.unit_a1, name="Sở Y tế tỉnh A", actor=world.admin_a)
    _merge(world)
    rows = _csv(client_as(world.admin_b))
    assert rows[0][:2] == ["Tỉnh", "Thời gian"]
    with scopes_disabled():
        expected = Entry.objects.filter(province__in=[world.province_a, world.province_b]).count()
    assert len(rows) - 1 == expected
    assert {row[0] for row in rows[1:]} == {MERGED, "Tỉnh B"}
    assert any(row[0] == MERGED and row[3] == "Sửa đơn vị" for row in rows[1:])


def test_paging_goes_by_entry_across_both_provinces(world, client_as):
    with scopes_disabled():
        for n in range(60):
            tenancy_services.unit_update(unit=world.unit_a1, name=f"Sở Y tế {n}", actor=world.admin_a)
    _merge(world)
    with scopes_disabled():
        for n in range(60):
            tenancy_services.unit_update(unit=world.unit_b1, name=f"Sở Tài chính {n}", actor=world.admin_b)
        entries = list(Entry.objects.filter(province__in=[world.province_a, world.province_b]).order_by("-pk"))
    client = client_as(world.admin_b)
    first = _page(client)
    assert "Sở Tài chính 58 → Sở Tài chính 59" in first and 'data-testid="log-older"' in first
    second = _page(client, truoc=entries[99].pk)
    assert "Sở Y tế 0 → Sở Y tế 1" in second and "Sở Tài chính 58 → Sở Tài chính 59" not in second
    assert "Sở Tài chính 58 → Sở Tài chính 59" in _page(client, sau=entries[100].pk)


def test_a_third_province_sees_none_of_the_merged_log(world, client_as):
    with scopes_disabled():
        tenancy_services.unit_update(unit=world.unit_a1, name="Sở Y tế tỉnh A", actor=world.admin_a)
        c = tenancy_services.province_create(slug="tinh-c", name="Tỉnh C", coordinating_agency="Sở C", actor=None)
        admin_c = make_user("c.quantri")
        Membership.objects.create(user=admin_c, province=c, role=Role.PROVINCE_ADMIN)
    _merge(world)
    url_c = reverse("audit:log", kwargs={"province": "tinh-c"})
    page = _page(client_as(admin_c), url_c)
    assert "Sở Y tế tỉnh A" not in page and "Tỉnh A" not in page
    assert client_as(admin_c).get(URL_B).status_code == 404


def _count(client, url=URL_B) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_merged_log_costs_the_same_queries_for_few_and_many_entries(world, client_as):
    client = client_as(world.admin_b)
    before = _count(client)
    _merge(world)
    counts = []
    for extra in (0, 150):
        with scopes_disabled():
            for n in range(extra):
                tenancy_services.unit_update(unit=world.unit_a1, name=f"Sở Y tế {n}", actor=world.admin_a)
        counts.append(_count(client))
    assert counts[0] == counts[1], counts
    # the predecessors' names, and the page read per province (an index range each, never a sort of the whole log)
    assert counts[0] == before + 2, (before, counts)
