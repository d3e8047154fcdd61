"""The national DTI pages of a tenant that received a merged province (issue 13): the home lists the
lineage's results and plans, a predecessor's labelled with its name; the pages of a year name the
province in `?tinh=`; a predecessor's result and plan are read, never changed; the old URLs redirect;
a third province sees none of it; query counts stay flat."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from dti_portal.accounts.models import Membership, Role
from dti_portal.tenancy import services as tenancy_services
from indicators.services import framework_clone
from national import plan as plan_services
from national.models import NationalResult, Plan
from national.results import result_import
from tests.conftest import make_user

from .results_fixtures import import_922, national, province_unit  # noqa: F401

pytestmark = pytest.mark.django_db

JULY = date(2025, 7, 1)


def url(name, slug="tinh-b", **kwargs):
    return reverse(f"national:{name}", kwargs={"province": slug, **kwargs})


def own_result(province, name, *, rank, total):
    """`province`'s own 2021 result (its own unit and catalogue), told apart by rank and total."""
    unit = province_unit(province, name)
    framework = import_922(province, unit)
    with scopes_disabled():
        return NationalResult.objects.create(province=province, year=2021, assessment=framework.assessments.get(),
                                             rank=rank, provinces=63, published_total=Decimal(total))


def add_plan(province, name, actor, first_year=2022):
    with scope(province=province):
        return plan_services.plan_create(province=province, name=name, decision="", base_year=2021,
                                         first_year=first_year, last_year=2025, actor=actor)


@pytest.fixture
def merged(national):
    """A (2021: 36/63, a plan) merged into B (2021: 10/63, a plan) on 01/07/2025; C stays apart."""
    world = national
    world.result_b = own_result(world.province_b, "UBND tỉnh B", rank=10, total="512.5")
    world.plan_a = add_plan(world.province_a, "Kế hoạch DTI tỉnh A", world.admin_a)
    world.plan_b = add_plan(world.province_b, "Kế hoạch DTI tỉnh B", world.admin_b)
    with scopes_disabled():
        world.province_c = tenancy_services.province_create(actor=None, slug="tinh-c", name="Tỉnh C",
                                                            coordinating_agency="Sở C")
        world.admin_c = make_user("c.quantri")
        Membership.objects.create(user=world.admin_c, province=world.province_c, role=Role.PROVINCE_ADMIN)
    own_result(world.province_c, "UBND tỉnh C", rank=1, total="600")
    world.plan_c = add_plan(world.province_c, "Kế hoạch DTI tỉnh C", world.admin_c)
    tenancy_services.province_merge(source=world.province_a, target=world.province_b, effective_date=JULY,
                                    actor=world.platform_admin)
    return world


def test_the_home_lists_the_lineages_results_and_plans_a_predecessors_labelled(merged, client_as):
    for user in (merged.admin_b, merged.admin_a):  # A's former admin now works in B
        html = client_as(user).get(url("home")).content.decode()
        assert "Tỉnh A, 2021" in html and "cũ, hợp nhất vào Tỉnh B từ 01/07/2025" in html
        assert "36/63" in html and "10/63" in html  # A's rank and B's own
        assert url("analysis", year=2021) + "?tinh=tinh-a" in html
        assert url("result", year=2021) + '"' in html  # B's own year, without ?tinh=
        assert "Kế hoạch DTI tỉnh A" in html and "Kế hoạch DTI tỉnh B" in html
        assert "Kế hoạch DTI tỉnh C" not in html
        assert html.index("Kế hoạch DTI tỉnh B") < html.index("Kế hoạch DTI tỉnh A")  # own plans first
        assert 'data-testid="plan-province">Tỉnh A (cũ, hợp nhất vào Tỉnh B từ 01/07/2025)' in html


@pytest.mark.parametrize("name", ["result", "analysis"])
def test_a_page_of_a_year_names_the_province_in_tinh(merged, client_as, name):
    client = client_as(merged.admin_b)
    own = client.get(url(name, year=2021)).content.decode()
    assert "10/63" in own and "Sửa thứ hạng" in own and 'data-testid="predecessor-note"' not in own
    theirs = client.get(url(name, year=2021) + "?tinh=tinh-a")
    assert theirs.status_code == 200
    html = theirs.content.decode()
    assert "36/63" in html and "10/63" not in html
    assert "năm 2021 – Tỉnh A" in html and "Tỉnh A (cũ, hợp nhất vào Tỉnh B từ 01/07/2025)" in html
    assert "Sửa thứ hạng" not in html and "Tổng điểm các tỉnh khác" not in html
    other = "analysis" if name == "result" else "result"
    assert url(other, year=2021) + "?tinh=tinh-a" in html  # the pages of the year keep the province
    for slug in ("tinh-c", "khong-co-tinh-nay"):
        assert client.get(url(name, year=2021) + f"?tinh={slug}").status_code == 404


def test_the_old_urls_redirect_to_the_receiving_province(merged, client_as):
    client = client_as(merged.admin_a)
    response = client.get(url("result", slug="tinh-a", year=2021))
    assert response.status_code == 301
    assert response["Location"] == url("result", year=2021) + "?tinh=tinh-a"
    assert "36/63" in client.get(response["Location"]).content.decode()
    home = client.get(url("home", slug="tinh-a"))
    assert (home.status_code, home["Location"]) == (301, url("home"))
    plan = client.get(url("plan_detail", slug="tinh-a", plan_id=merged.plan_a.pk), follow=True)
    assert plan.redirect_chain[0][1] == 301 and "Kế hoạch DTI tỉnh A" in plan.content.decode()


def test_a_predecessors_result_is_read_only(merged, client_as):
    client = client_as(merged.admin_b)
    for name in ("result_edit", "result_peers"):
        page = client.get(url(name, year=2021) + "?tinh=tinh-a")
        assert page.status_code == 403 and "chỉ xem, không sửa được" in page.content.decode()
        posted = client.post(url(name, year=2021) + "?tinh=tinh-a", {"rank": "1", "provinces": "34", "peers": "X: 1"})
        assert posted.status_code == 403
        assert client.get(url(name, year=2021)).status_code == 200  # B's own year
    with scopes_disabled():
        a = NationalResult.objects.get(pk=merged.result_2021.pk)
        assert (a.province_id, a.rank, a.provinces) == (merged.province_a.pk, 36, 63)
        assert not a.peers.exists()


def test_a_predecessors_plan_is_read_but_never_changed(merged, client_as):
    client = client_as(merged.admin_b)
    page = client.get(url("plan_detail", plan_id=merged.plan_a.pk)).content.decode()
    assert "Kế hoạch DTI tỉnh A" in page and 'data-testid="predecessor-note"' in page
    assert "Thêm nhiệm vụ" not in page and "Sửa kế hoạch" not in page
    own = client.get(url("plan_detail", plan_id=merged.plan_b.pk)).content.decode()
    assert "Thêm nhiệm vụ" in own and 'data-testid="predecessor-note"' not in own
    for name in ("plan_edit", "task_create"):
        refused = client.get(url(name, plan_id=merged.plan_a.pk))
        assert refused.status_code == 403 and "Tỉnh A (đã hợp nhất vào Tỉnh B)" in refused.content.decode()
    data = {"name": "Đổi tên", "decision": "", "base_year": 2021, "first_year": 2022, "last_year": 2030}
    assert client.post(url("plan_edit", plan_id=merged.plan_a.pk), data).status_code == 403
    with scopes_disabled():
        assert Plan.objects.get(pk=merged.plan_a.pk).name == "Kế hoạch DTI tỉnh A"
    # a new plan is the current province's
    assert client.post(url("plan_create"), data | {"name": "Kế hoạch 2026"}).status_code == 302
    with scopes_disabled():
        assert Plan.objects.get(name="Kế hoạch 2026").province_id == merged.province_b.pk


def test_a_third_province_sees_none_of_it(merged, client_as):
    client = client_as(merged.admin_c)
    html = client.get(url("home", slug="tinh-c")).content.decode()
    assert "Tỉnh A" not in html and "Kế hoạch DTI tỉnh A" not in html
    assert client.get(url("result", slug="tinh-c", year=2021) + "?tinh=tinh-a").status_code == 404
    assert client.get(url("plan_detail", slug="tinh-c", plan_id=merged.plan_a.pk)).status_code == 404
    # and B does not reach C's plan
    assert client_as(merged.admin_b).get(url("plan_detail", plan_id=merged.plan_c.pk)).status_code == 404


def count(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_the_pages_cost_the_same_queries_for_more_years_and_plans_of_a_predecessor(merged, client_as):
    client = client_as(merged.admin_b)
    pages = [url("home"), url("result", year=2021) + "?tinh=tinh-a", url("analysis", year=2021) + "?tinh=tinh-a"]
    client.get(pages[0])
    before = [count(client, page) for page in pages]
    with scope(province=merged.province_a):
        framework_clone(framework=merged.framework_2021, year=2022, actor=None)
        assert result_import(province=merged.province_a, year=2022, filename="a.csv", content=b"code,achieved\n3.1,7\n",
                             actor=None).ok
    add_plan(merged.province_a, "Kế hoạch thứ hai của tỉnh A", merged.admin_a, first_year=2023)
    assert "Tỉnh A, 2022" in client.get(pages[0]).content.decode()
    assert [count(client, page) for page in pages] == before


def test_a_tenant_without_predecessors_is_unchanged(national, client_as):
    """No label, no ?tinh= in the links, and the same queries whether or not another tenant received a province."""
    own_result(national.province_b, "UBND tỉnh B", rank=10, total="512.5")
    with scopes_disabled():
        c = tenancy_services.province_create(actor=None, slug="tinh-c", name="Tỉnh C", coordinating_agency="Sở C")
    client = client_as(national.admin_a)
    pages = [url("home", slug="tinh-a"), url("result", slug="tinh-a", year=2021), url("analysis", slug="tinh-a", year=2021)]
    client.get(pages[0])
    before = [count(client, page) for page in pages]
    tenancy_services.province_merge(source=national.province_b, target=c, effective_date=JULY,
                                    actor=national.platform_admin)
    assert [count(client, page) for page in pages] == before
    html = client.get(pages[0]).content.decode()
    assert "?tinh=" not in html and "hợp nhất" not in html and "36/63" in html
    assert "?tinh=" not in client.get(pages[1]).content.decode()
