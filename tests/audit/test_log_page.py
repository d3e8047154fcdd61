"""The province's audit log page: who may read it, its filters, bad filter input, paging, CSV, queries."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from dti_portal.audit.models import Entry
from dti_portal.tenancy import services as tenancy_services

URL = reverse("audit:log", kwargs={"province": "tinh-a"})


def _page(client, **params) -> str:
    response = client.get(URL, params)
    assert response.status_code == 200
    return response.content.decode()


def test_admin_and_leadership_read_the_log_others_get_403_and_other_provinces_404(world, client_as):
    assert client_as(world.admin_a).get(URL).status_code == 200
    assert client_as(world.leader_a).get(URL).status_code == 200
    assert client_as(world.officer_a1).get(URL).status_code == 403
    assert client_as(world.appraiser_a).get(URL).status_code == 403
    assert client_as(world.admin_b).get(URL).status_code == 404


def test_the_log_shows_each_write_in_vietnamese_and_never_another_provinces(world, client_as):
    with scopes_disabled():
        tenancy_services.unit_update(unit=world.unit_a1, name="Sở Y tế tỉnh A", actor=world.admin_a)
    page = _page(client_as(world.admin_a))
    assert "<td>Sửa đơn vị</td>" in page and "Tên: Sở Y tế → Sở Y tế tỉnh A" in page
    assert "<td>Thêm đơn vị</td>" in page and "Tạo tỉnh" in page
    assert "Sở Tài chính" not in page  # province B's unit


def test_filters_narrow_the_log_by_area_person_and_days(world, client_as):
    with scopes_disabled():
        tenancy_services.unit_update(unit=world.unit_a1, name="Sở Y tế tỉnh A", actor=world.admin_a)
    client = client_as(world.admin_a)
    by_person = _page(client, nguoi=world.admin_a.pk)
    assert "Sửa đơn vị" in by_person and "Thêm đơn vị" not in by_person
    by_area = _page(client, khu_vuc="nguoi")
    assert "Sửa đơn vị" not in by_area and "Không có mục nào khớp bộ lọc." in by_area
    assert "Sửa đơn vị" in _page(client, khu_vuc="tinh", tu_ngay="01/01/2020")
    assert "Không có mục nào" in _page(client, den_ngay="01/01/2020")


@pytest.mark.parametrize("params, message", [
    ({"tu_ngay": "2026/13/45"}, "Ngày không đúng: hãy viết một ngày có thật dạng ngày/tháng/năm, ví dụ 05/11/2026."),
    ({"tu_ngay": "05/11/2026", "den_ngay": "01/11/2026"}, "“Đến ngày” phải sau “Từ ngày”."),
    ({"nguoi": "abc"}, "Không có người này trong tỉnh."),
    ({"khu_vuc": "khac"}, "Select a valid choice"),
])
def test_a_wrong_filter_is_said_and_left_out_never_a_500(world, client_as, params, message):
    page = _page(client_as(world.admin_a), **params)
    if message == "Select a valid choice":  # Django's own message, translated by the Vietnamese locale
        assert 'data-testid="filter-error"' in page
    else:
        assert message in page
    assert "Thêm đơn vị" in page  # the rest of the log still shows


def test_a_person_or_period_of_another_province_is_refused_as_a_filter(world, client_as):
    page = _page(client_as(world.admin_a), nguoi=world.admin_b.pk)
    assert "Không có người này trong tỉnh." in page


def test_the_csv_holds_every_filtered_entry_with_risky_cells_quoted(world, client_as):
    with scopes_disabled():
        tenancy_services.unit_update(unit=world.unit_a1, name="=HYPERLINK(\"x\")", actor=world.admin_a)
    response = client_as(world.admin_a).get(URL, {"tai-ve": "csv"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:3] == ["Thời gian", "Người thực hiện", "Việc"]
    with scopes_disabled():
        assert len(rows) - 1 == Entry.objects.filter(province=world.province_a).count()
    assert all(not cell.startswith("=") for row in rows for cell in row)
    assert any("'=HYPERLINK" in cell for row in rows for cell in row)


def test_the_csv_holds_at_most_its_limit_from_the_pages_position_on(world, client_as, monkeypatch):
    from dti_portal.audit import views

    monkeypatch.setattr(views, "CSV_LIMIT", 3)
    with scopes_disabled():
        newest = list(Entry.objects.filter(province=world.province_a).order_by("-pk"))
    client = client_as(world.admin_a)
    rows = lambda **params: list(csv.reader(io.StringIO(b"".join(  # noqa: E731
        client.get(URL, {"tai-ve": "csv", **params}).streaming_content).decode("utf-8-sig"))))[1:]
    assert len(rows()) == 3
    assert len(rows(truoc=newest[-2].pk)) == 1  # from an older position on: only what is older
    assert f"truoc={newest[0].pk + 1}" in _page(client)  # the page's link starts at its first row


def test_the_page_costs_the_same_queries_for_few_and_many_entries(world, client_as):
    client = client_as(world.admin_a)
    client.get(URL)
    counts = []
    for extra in (0, 150):
        with scopes_disabled():
            for n in range(extra):
                tenancy_services.unit_update(unit=world.unit_a1, name=f"Sở Y tế {n}", actor=world.admin_a)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_pages_go_back_by_entry_never_by_offset(world, client_as):
    with scopes_disabled():
        for n in range(120):
            tenancy_services.unit_update(unit=world.unit_a1, name=f"Sở Y tế {n}", actor=world.admin_a)
        entries = list(Entry.objects.filter(province=world.province_a).order_by("-pk"))
    client = client_as(world.admin_a)
    first = _page(client)
    assert "Sở Y tế 118 → Sở Y tế 119" in first and 'data-testid="log-older"' in first and "log-newer" not in first
    second = _page(client, truoc=entries[99].pk)
    assert "Tạo tỉnh" in second and "Sở Y tế 118 → Sở Y tế 119" not in second and "log-newer" in second
    back = _page(client, sau=entries[100].pk)
    assert "Sở Y tế 118 → Sở Y tế 119" in back
    assert "Sở Y tế 118 → Sở Y tế 119" in _page(client, truoc="abc")  # a wrong cursor is the newest page
