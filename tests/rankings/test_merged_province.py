"""A merged province's rankings and publications (issue 13, part 1): after province A is merged into
province B, B's pages hold A's history under the name it was published under ("Tỉnh A, 2025"), its
files are served byte for byte, its publication is read-only, the old URLs redirect, and a third
province sees none of it. A tenant without predecessors reads the same number of queries as before.
"""

import hashlib
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope, scopes_disabled

from dti_portal.accounts.models import Membership, Role
from dti_portal.tenancy import services as tenancy_services
from dti_portal.tenancy.models import Province, Unit
from indicators.models import Framework, Indicator
from rankings.models import ImportedResult, Publication
from rankings.selectors import units_history
from tests.conftest import make_user
from tests.rankings.test_publication_queue import YEAR, _request, final_year  # noqa: F401 (a fixture)

JULY = date(2025, 7, 1)


def _merge(world):
    return tenancy_services.province_merge(source=world.province_a, target=world.province_b, effective_date=JULY,
                                           actor=world.platform_admin)


@pytest.fixture
def history(world, final_year, django_capture_on_commit_callbacks):  # noqa: F811
    """Province A published its 2025 results (four sở, report, workbook, scorecards) and holds an
    imported 2023 result of Sở Y tế; province B has its own 2025 result (Sở Tài chính, on a framework
    too, so that its pages read frameworks before the merger as after). Not merged yet."""
    with django_capture_on_commit_callbacks(execute=True):
        _request(world)
    with scopes_disabled():
        publication = Publication.objects.get(province=world.province_a, year=YEAR)
        assert publication.is_published
        so_a = world.province_a.unit_kinds.get(code="so")
        so_b = world.province_b.unit_kinds.get(code="so")
        ImportedResult.objects.create(province=world.province_a, year=2023, unit_kind=so_a, unit=world.unit_a1,
                                      total=Decimal("71.5"), source="Quyết định 2023")
        framework_b = Framework.objects.create(province=world.province_b, name="Bộ chỉ số sở tỉnh B", year=YEAR,
                                               unit_kind=so_b, status="active")
        Indicator.objects.create(framework=framework_b, code="1", name="Nhận thức số", max_points=100, rule="manual")
        ImportedResult.objects.create(province=world.province_b, year=YEAR, unit_kind=so_b, unit=world.unit_b1,
                                      framework=framework_b, total=Decimal("64"), source="Quyết định 2025")
        world.province_c = tenancy_services.province_create(actor=None, slug="tinh-c", name="Tỉnh C",
                                                            coordinating_agency="Sở KH&CN tỉnh C")
        world.admin_c = make_user("c.quantri")
        Membership.objects.create(user=world.admin_c, province=world.province_c, role=Role.PROVINCE_ADMIN)
    return publication


@pytest.fixture
def merged(world, history):
    _merge(world)
    return history


def _page(client, url, status=200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


# --- rankings ---------------------------------------------------------------------------------
def test_the_ranking_list_and_history_hold_the_merged_province_s_years_under_its_name(world, merged, client_as):
    page = _page(client_as(world.admin_b), "/tinh-b/lanh-dao/xep-hang/")
    assert "Tỉnh A, 2025" in page and "Tỉnh A, 2023" in page
    assert "/tinh-b/lanh-dao/xep-hang/2025/so/?tinh=tinh-a" in page and "/tinh-b/lanh-dao/xep-hang/2023/so/?tinh=tinh-a" in page
    assert 'href="/tinh-b/lanh-dao/xep-hang/2025/so/"' in page  # B's own 2025, without ?tinh=
    history = page[page.index('data-testid="province-history"'):]
    assert "Tỉnh A, 2023" in history and "Tỉnh A, 2025" in history
    assert "Tỉnh A hợp nhất vào Tỉnh B từ 01/07/2025" in page


def test_leadership_home_lists_the_merged_province_s_rankings(world, merged, client_as):
    # A's leadership role moved to B with the merger
    page = _page(client_as(world.leader_a), "/tinh-b/lanh-dao/")
    assert "Tỉnh A, 2023" in page and "/tinh-b/lanh-dao/xep-hang/2023/so/?tinh=tinh-a" in page


def test_a_merged_province_s_ranking_opens_by_tinh_names_it_and_lists_its_units(world, merged, client_as):
    admin = client_as(world.admin_b)
    page = _page(admin, "/tinh-b/lanh-dao/xep-hang/2025/so/?tinh=tinh-a")
    title = page[page.index('data-testid="ranking-title"'):]
    assert title[:title.index("</h1>")].endswith("– Tỉnh A")
    assert "Sở Tư pháp" in page and "Sở Tài chính" in page and 'data-testid="merged-province"' in page
    assert "?tinh=tinh-a&amp;sap-xep=don-vi" in page  # sorting keeps the province
    own = _page(admin, "/tinh-b/lanh-dao/xep-hang/2025/so/")  # B's own 2025
    assert "Sở Tư pháp" not in own and "Sở Tài chính" in own and 'data-testid="merged-province"' not in own
    assert "Sở Y tế" in _page(admin, "/tinh-b/lanh-dao/xep-hang/2023/so/?tinh=tinh-a")
    _page(admin, "/tinh-b/lanh-dao/xep-hang/2023/so/", status=404)  # B has no 2023 of its own
    _page(admin, "/tinh-b/lanh-dao/xep-hang/2025/so/?tinh=khong-co", status=404)
    _page(admin, "/tinh-b/lanh-dao/xep-hang/2025/so/?tinh=tinh-c", status=404)  # not merged into B


def test_a_merged_province_s_ranking_exports_under_its_slug(world, merged, client_as):
    admin = client_as(world.admin_b)
    response = admin.get("/tinh-b/lanh-dao/xep-hang/2025/so/tai-ve/?tinh=tinh-a")
    assert response.status_code == 200 and 'filename="xep-hang-tinh-a-2025-so.xlsx"' in response["Content-Disposition"]
    response = admin.get("/tinh-b/lanh-dao/xep-hang/2025/so/tai-ve/?tinh=tinh-a&format=csv")
    assert 'filename="xep-hang-tinh-a-2025-so.csv"' in response["Content-Disposition"]
    assert "Sở Tư pháp" in response.content.decode("utf-8-sig") and "Sở Tài chính" in response.content.decode("utf-8-sig")
    assert admin.get("/tinh-b/lanh-dao/xep-hang/2025/so/tai-ve/?tinh=khong-co").status_code == 404


def test_the_old_ranking_urls_redirect_to_the_receiving_province(world, merged, client_as):
    admin = client_as(world.admin_b)
    response = admin.get("/tinh-a/lanh-dao/xep-hang/2025/so/")
    assert response.status_code == 301 and response["Location"] == "/tinh-b/lanh-dao/xep-hang/2025/so/?tinh=tinh-a"
    followed = admin.get("/tinh-a/lanh-dao/xep-hang/2025/so/", follow=True)
    assert followed.status_code == 200 and "Sở Tư pháp" in followed.content.decode()
    response = admin.get("/tinh-a/lanh-dao/xep-hang/")
    assert response.status_code == 301 and response["Location"] == "/tinh-b/lanh-dao/xep-hang/"


def test_a_third_province_sees_none_of_it(world, merged, client_as):
    outsider = client_as(world.admin_c)
    _page(outsider, "/tinh-b/lanh-dao/xep-hang/", status=404)
    _page(outsider, "/tinh-b/lanh-dao/xep-hang/2025/so/?tinh=tinh-a", status=404)
    _page(outsider, "/tinh-c/lanh-dao/xep-hang/2025/so/?tinh=tinh-a", status=404)
    assert "Tỉnh A" not in _page(outsider, "/tinh-c/lanh-dao/xep-hang/")
    _page(outsider, "/tinh-c/lanh-dao/cong-bo/2025/?tinh=tinh-a", status=404)
    assert outsider.get("/tinh-c/lanh-dao/cong-bo/2025/pdf/?tinh=tinh-a").status_code == 404
    _page(outsider, "/tinh-c/cong-khai/2025/?tinh=tinh-a", status=404)
    assert "Tỉnh A" not in _page(outsider, "/tinh-c/cong-khai/")


# --- publications -----------------------------------------------------------------------------
def test_the_publication_list_holds_the_merged_province_s_publication_labelled(world, merged, client_as):
    page = _page(client_as(world.admin_b), "/tinh-b/lanh-dao/cong-bo/")
    assert "Tỉnh A, 2025" in page
    assert "/tinh-b/lanh-dao/cong-bo/2025/?tinh=tinh-a" in page and "/tinh-b/lanh-dao/cong-bo/2025/pdf/?tinh=tinh-a" in page
    assert merged.pdf_sha256[:10] in page


def test_the_merged_province_s_files_are_served_byte_identical_under_their_published_name(world, merged, client_as):
    admin = client_as(world.admin_b)
    for kind, checksum in (("pdf", merged.pdf_sha256), ("xlsx", merged.xlsx_sha256), ("zip", merged.bundle_sha256)):
        response = admin.get(f"/tinh-b/lanh-dao/cong-bo/2025/{kind}/?tinh=tinh-a")
        assert response.status_code == 200, kind
        assert hashlib.sha256(_body(response)).hexdigest() == checksum
        assert f"dti-tinh-a-2025.{kind}" in response["Content-Disposition"]  # the name it was published under
    with scopes_disabled():
        card = merged.scorecards.get(unit=world.unit_a1)
    response = admin.get(f"/tinh-b/lanh-dao/cong-bo/2025/phieu-diem/{world.unit_a1.pk}/?tinh=tinh-a")
    assert response.status_code == 200 and hashlib.sha256(_body(response)).hexdigest() == card.pdf_sha256
    assert admin.get("/tinh-b/lanh-dao/cong-bo/2025/pdf/").status_code == 404  # B published nothing itself
    assert admin.get("/tinh-b/lanh-dao/cong-bo/2025/pdf/?tinh=khong-co").status_code == 404
    # the unit's own officer (moved to B) still fetches the unit's scorecard
    assert client_as(world.officer_a1).get(f"/tinh-b/lanh-dao/cong-bo/2025/phieu-diem/{world.unit_a1.pk}/?tinh=tinh-a").status_code == 200


def test_a_merged_province_s_publication_is_read_only(world, merged, client_as):
    admin = client_as(world.admin_b)
    page = _page(admin, "/tinh-b/lanh-dao/cong-bo/2025/?tinh=tinh-a")
    assert "Công bố kết quả năm 2025 – Tỉnh A" in page and 'data-testid="merged-province"' in page
    assert f"{world.unit_a1.pk}/?tinh=tinh-a" in page and "/tinh-b/lanh-dao/cong-bo/2025/xlsx/?tinh=tinh-a" in page
    assert "thu-lai" not in page and "/huy/" not in page
    with scopes_disabled():
        Publication.objects.filter(pk=merged.pk).update(status=Publication.Status.FAILED, error="Thử")
    page = _page(admin, "/tinh-b/lanh-dao/cong-bo/2025/?tinh=tinh-a")
    assert "Bị lỗi" in page and "thu-lai" not in page and "/huy/" not in page  # even a failed one offers no action
    for action in ("thu-lai", "huy"):
        assert admin.post(f"/tinh-b/lanh-dao/cong-bo/2025/{action}/?tinh=tinh-a").status_code == 404
        assert admin.post(f"/tinh-b/lanh-dao/cong-bo/2025/{action}/").status_code == 404  # B's own: none
    with scopes_disabled():
        assert Publication.objects.get(pk=merged.pk).status == Publication.Status.FAILED
    _page(admin, "/tinh-b/lanh-dao/cong-bo/2025/", status=404)
    _page(admin, "/tinh-b/lanh-dao/cong-bo/2025/?tinh=khong-co", status=404)


def test_the_publish_form_offers_only_the_receiving_province_s_own_years(world, merged, client_as):
    page = _page(client_as(world.admin_b), "/tinh-b/lanh-dao/cong-bo/tao/")
    assert "<option>2025</option>" in page and "2023" not in page  # 2023 is A's only: read-only history
    with scopes_disabled():
        ImportedResult.objects.filter(province=world.province_b).delete()
    page = _page(client_as(world.admin_b), "/tinh-b/lanh-dao/cong-bo/")
    assert 'data-testid="publication-form"' not in page
    assert "Tỉnh B chưa có kỳ đánh giá hay kết quả nào của chính tỉnh để công bố; kết quả của tỉnh đã hợp nhất" in page


def test_the_old_publication_urls_redirect(world, merged, client_as):
    admin = client_as(world.admin_b)
    response = admin.get("/tinh-a/lanh-dao/cong-bo/2025/pdf/")
    assert response.status_code == 301 and response["Location"] == "/tinh-b/lanh-dao/cong-bo/2025/pdf/?tinh=tinh-a"
    followed = admin.get("/tinh-a/lanh-dao/cong-bo/2025/pdf/", follow=True)
    assert hashlib.sha256(_body(followed)).hexdigest() == merged.pdf_sha256
    assert "Tỉnh A, 2025" in admin.get("/tinh-a/lanh-dao/cong-bo/", follow=True).content.decode()


# --- public pages -----------------------------------------------------------------------------
def test_the_public_pages_hold_the_merged_province_s_publication(world, merged, client):
    page = _page(client, "/tinh-b/cong-khai/")
    assert "Tỉnh A, 2025" in page and "/tinh-b/cong-khai/2025/?tinh=tinh-a" in page
    year = _page(client, "/tinh-b/cong-khai/2025/?tinh=tinh-a")
    assert "Chỉ số chuyển đổi số Tỉnh A năm 2025" in year and "Sở Tư pháp" in year
    assert "/tinh-b/cong-khai/2025/pdf/?tinh=tinh-a" in year
    for kind, checksum in (("pdf", merged.pdf_sha256), ("xlsx", merged.xlsx_sha256)):
        response = client.get(f"/tinh-b/cong-khai/2025/{kind}/?tinh=tinh-a")
        assert hashlib.sha256(_body(response)).hexdigest() == checksum
    _page(client, "/tinh-b/cong-khai/2025/", status=404)
    _page(client, "/tinh-b/cong-khai/2025/?tinh=khong-co", status=404)
    assert client.get("/tinh-b/cong-khai/2025/zip/?tinh=tinh-a").status_code == 404  # not a public file
    response = client.get("/tinh-a/cong-khai/2025/")
    assert response.status_code == 301 and response["Location"] == "/tinh-b/cong-khai/2025/?tinh=tinh-a"
    assert "Chỉ số chuyển đổi số Tỉnh A năm 2025" in client.get("/tinh-a/cong-khai/2025/", follow=True).content.decode()
    assert client.get("/tinh-a/cong-khai/").status_code == 301


# --- a unit formed from a unit of the merged province -------------------------------------------
def test_a_unit_formed_from_a_merged_province_s_unit_goes_on_with_its_results(world, merged, client_as):
    with scopes_disabled():
        so_b = world.province_b.unit_kinds.get(code="so")
        successor = tenancy_services.unit_create(actor=None, province=world.province_b, kind=so_b, name="Sở Y tế và Dân số",
                                                 valid_from=JULY)
        tenancy_services.units_merge(predecessors=[Unit.objects.get(pk=world.unit_a1.pk)], successor=successor,
                                     effective_date=JULY, actor=None)
        province_b = Province.objects.get(pk=world.province_b.pk)
    with scope(province=province_b.lineage_ids):
        found = units_history(province_b, [world.unit_a1.pk, successor.pk])
    assert [(h["year"], h["label"], h["tinh"]) for h in found[world.unit_a1.pk]] == [
        (2023, "Tỉnh A, 2023", "tinh-a"), (2025, "Tỉnh A, 2025", "tinh-a")]
    assert found[world.unit_a1.pk][0]["total"] == Decimal("71.5") and successor.pk not in found
    page = _page(client_as(world.admin_b), f"/tinh-b/don-vi/{successor.pk}/")
    rows = page[page.index('data-testid="unit-history"'):]
    assert "2023" in rows and "Sở Y tế" in rows and 'data-testid="predecessor-row"' in rows
    assert "(đơn vị tiền thân, Tỉnh A)" in rows  # whose result it was


# --- queries ----------------------------------------------------------------------------------
def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


LISTS = ("/tinh-b/lanh-dao/xep-hang/", "/tinh-b/lanh-dao/cong-bo/", "/tinh-b/cong-khai/", "/tinh-b/lanh-dao/")


def test_list_pages_read_as_many_queries_with_a_predecessor_as_without(world, history, client_as):
    admin = client_as(world.admin_b)
    for url in LISTS:
        admin.get(url)  # warm the session
    before = {url: _queries(admin, url) for url in LISTS}
    _merge(world)
    after = {url: _queries(admin, url) for url in LISTS}
    assert "Tỉnh A, 2025" in admin.get("/tinh-b/lanh-dao/cong-bo/").content.decode()
    # with a predecessor: the predecessors' names are read once (for the labels and the note); nothing per ranking,
    # publication or year. The leadership home also shows other apps' lists: only its difference is asserted.
    assert {url: before[url] for url in LISTS[:3]} == {
        "/tinh-b/lanh-dao/xep-hang/": 13, "/tinh-b/lanh-dao/cong-bo/": 10, "/tinh-b/cong-khai/": 7}
    assert all(after[url] == before[url] + 1 for url in LISTS), (before, after)
