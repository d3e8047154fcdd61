"""Pages of the national results: who may open them, the admin's forms and their bad input, the import's
preview and confirmation, flat query counts."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from indicators.scoring import format_number
from national.models import NationalResult, PeerTotal, PillarResult

from .results_fixtures import import_922, national, province_unit  # noqa: F401

pytestmark = pytest.mark.django_db

READ = ["national:result", "national:analysis"]
MANAGE = ["national:result_edit", "national:result_peers"]


def url(name, year=2021, slug="tinh-a"):
    kwargs = {"province": slug} | ({"year": year} if name != "national:result_import" else {})
    return reverse(name, kwargs=kwargs)


@pytest.mark.parametrize("name", READ + MANAGE + ["national:result_import"])
def test_who_may_open_each_page(national, client_as, name):
    expected = {national.admin_a: 200, national.leader_a: 200 if name in READ else 403, national.officer_a1: 404,
                national.appraiser_a: 403, national.lead_a: 403, national.admin_b: 404}
    for user, status in expected.items():
        assert client_as(user).get(url(name)).status_code == status, (user, name)


def test_an_anonymous_visitor_is_sent_to_log_in(national, client):
    assert client.get(url("national:analysis")).status_code == 302


@pytest.mark.parametrize("name", READ + MANAGE)
def test_a_year_of_another_province_is_404(national, client_as, name):
    with scopes_disabled():
        unit_b = province_unit(national.province_b, "UBND tỉnh B")
    import_922(national.province_b, unit_b)  # province B's own 2021 result (no NationalResult of 2030 in A)
    with scopes_disabled():
        assessment = unit_b.assessments.get()
        NationalResult.objects.create(province=national.province_b, year=2030, assessment=assessment, rank=1)
    assert client_as(national.admin_a).get(url(name, 2030)).status_code == 404
    if name in MANAGE:
        assert client_as(national.admin_a).post(url(name, 2030), {"rank": "1", "provinces": "63"}).status_code == 404


@pytest.mark.parametrize("name", READ)
def test_reading_pages_refuse_a_post(national, client_as, name):
    assert client_as(national.admin_a).post(url(name)).status_code == 405


def edit_data(world, **changes):
    with scopes_disabled():
        pillars = list(world.framework_2021.indicators.filter(parent__isnull=True))
    data = {"rank": "36", "provinces": "63", "published_total": "", "source": "Bộ TTTT"}
    for p in pillars:
        data[f"rank_{p.pk}"], data[f"points_{p.pk}"] = "", ""
    return data | changes, {p.code: p for p in pillars}


def test_the_admin_edits_the_rank_and_the_pillars(national, client_as):
    data, pillars = edit_data(national, rank="30", published_total="398,49")
    data[f"rank_{pillars['1'].pk}"], data[f"points_{pillars['1'].pk}"] = "20", "75,5"
    response = client_as(national.admin_a).post(url("national:result_edit"), data)
    assert response.status_code == 302
    with scopes_disabled():
        result = NationalResult.objects.get(pk=national.result_2021.pk)
        pillar = PillarResult.objects.get(result=result, indicator=pillars["1"])
    assert (result.rank, result.published_total, pillar.rank, pillar.published_points) == (30, Decimal("398.49"), 20, Decimal("75.5"))


@pytest.mark.parametrize("field, value, message", [
    ("rank", "64", "hạng 64 lớn hơn số tỉnh, thành phố được xếp hạng (63)"),
    ("rank", "0", "hạng phải từ 1 trở lên"),
    ("rank", "-1", "không được là số âm"),
    ("rank", "abc", "không phải là số"),
    ("provinces", "0", "phải từ 1 trở lên"),
    ("provinces", "sáu ba", "phải là số nguyên"),
    ("published_total", "398.49", "viết số thập phân bằng dấu phẩy (398,49)"),
    ("pillar_rank", "70", "hạng 70 lớn hơn số tỉnh"),
    ("pillar_points", "41.6", "viết số thập phân bằng dấu phẩy (41,6)"),
    ("pillar_points", "101", "lớn hơn điểm tối đa của trụ cột (100)"),
])
def test_bad_input_on_the_edit_form_is_refused_with_a_message_and_nothing_changes(national, client_as, field, value, message):
    data, pillars = edit_data(national)
    key = {"pillar_rank": f"rank_{pillars['3'].pk}", "pillar_points": f"points_{pillars['3'].pk}"}.get(field, field)
    data[key] = value
    response = client_as(national.admin_a).post(url("national:result_edit"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    with scopes_disabled():
        assert NationalResult.objects.get(pk=national.result_2021.pk).rank == 36
        assert PillarResult.objects.get(result=national.result_2021, indicator=pillars["3"]).rank == 35


def test_a_pillar_of_another_framework_posted_to_the_form_is_ignored(national, client_as):
    with scopes_disabled():
        unit_b = province_unit(national.province_b, "UBND tỉnh B")
    foreign = import_922(national.province_b, unit_b)
    with scopes_disabled():
        foreign_pillar = foreign.indicators.get(code="1")
    data, _ = edit_data(national)
    data[f"rank_{foreign_pillar.pk}"] = "1"
    assert client_as(national.admin_a).post(url("national:result_edit"), data).status_code == 302
    with scopes_disabled():
        assert not PillarResult.objects.filter(indicator=foreign_pillar).exists()


def test_the_admin_enters_other_provinces_totals(national, client_as):
    client = client_as(national.admin_a)
    response = client.post(url("national:result_peers"), {"peers": "Lâm Đồng: 512,34\nGia Lai: 401,5"})
    assert response.status_code == 302
    with scopes_disabled():
        assert PeerTotal.objects.filter(result=national.result_2021).count() == 2
    page = client.get(url("national:result")).content.decode()
    assert "Lâm Đồng" in page and "512,34" in page


@pytest.mark.parametrize("text, message", [
    ("Lâm Đồng: 512.34", "viết số thập phân bằng dấu phẩy (512,34)"),
    ("Lâm Đồng: 512,34\nLâm Đồng: 3", "có hai lần"),
    ("Gia Lai: 2.000", "lớn hơn điểm tối đa 1000"),
    ("Gia Lai", "Tên tỉnh: tổng điểm"),
])
def test_bad_peers_are_refused_with_what_was_typed_shown_again(national, client_as, text, message):
    response = client_as(national.admin_a).post(url("national:result_peers"), {"peers": text})
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and text.splitlines()[0] in html
    with scopes_disabled():
        assert not PeerTotal.objects.exists()


def test_importing_a_year_previews_then_saves_on_confirmation(national, client_as):
    client = client_as(national.admin_a)
    upload = SimpleUploadedFile("2021.csv", "code,achieved,reason\n3.1,7,Đã cải thiện\n".encode())
    response = client.post(url("national:result_import"), {"year": "2021", "provinces": "63", "rank": "35", "file": upload})
    assert response.status_code == 200 and 'data-testid="preview-ok"' in response.content.decode()
    with scopes_disabled():
        assert NationalResult.objects.get(pk=national.result_2021.pk).rank == 36
    response = client.post(url("national:result_import"), {"confirm": "1"})
    assert response.status_code == 302 and response["Location"] == url("national:analysis")
    with scopes_disabled():
        assert NationalResult.objects.get(pk=national.result_2021.pk).rank == 35


@pytest.mark.parametrize("data, message", [
    ({"year": "2021", "provinces": "63", "rank": "64"}, "hạng 64 lớn hơn số tỉnh"),
    ({"year": "hai nghìn", "provinces": "63"}, "Năm không hợp lệ"),
    ({"year": "2021", "provinces": "63", "content": "code,achieved\n3.1,41.6\n"}, "viết số thập phân bằng dấu phẩy (41,6)"),
    ({"year": "2021", "provinces": "63", "content": "code,achieved\n9.9,1\n"}, "mã “9.9” không có trong bộ chỉ số"),
    ({"year": "2021", "provinces": "63", "content": "code,achieved\n3.1,11\n"}, "điểm đạt 11 lớn hơn điểm tối đa 10"),
    ({"year": "2021", "provinces": "63", "file": None}, "Hãy chọn tệp"),
])
def test_a_bad_import_is_refused_with_its_message(national, client_as, data, message):
    content = data.pop("content", "code,achieved\n3.1,7\n")
    if "file" not in data:
        data["file"] = SimpleUploadedFile("a.csv", content.encode())
    else:
        data.pop("file")
    response = client_as(national.admin_a).post(url("national:result_import"), data)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_an_oversize_upload_is_refused(national, client_as):
    upload = SimpleUploadedFile("a.csv", b"code,achieved\n" + b"3.1,7\n" * 400_000)
    response = client_as(national.admin_a).post(url("national:result_import"), {"year": "2021", "provinces": "63", "file": upload})
    assert response.status_code == 400 and "Tệp lớn hơn 2 MB" in response.content.decode()


def test_a_confirmation_without_a_preview_is_refused(national, client_as):
    response = client_as(national.admin_a).post(url("national:result_import"), {"confirm": "1"})
    assert response.status_code == 302


def test_the_national_home_lists_the_results_for_leadership_only(national, client_as):
    home = reverse("national:home", kwargs={"province": "tinh-a"})
    html = client_as(national.leader_a).get(home).content.decode()
    assert 'data-testid="results-list"' in html and "36/63" in html
    officer = client_as(national.officer_a1).get(home)
    assert 'data-testid="home-results"' not in officer.content.decode()


def test_the_pages_cost_the_same_queries_for_one_or_two_years(national, client_as):
    from indicators.services import framework_clone
    from national.results import result_import

    client = client_as(national.leader_a)
    home = reverse("national:home", kwargs={"province": "tinh-a"})
    client.get(url("national:result"))

    def counts():
        found = []
        for page in (url("national:result"), url("national:analysis"), home):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(page).status_code == 200
            found.append(len(queries))
        return found

    one_year = counts()
    with scope(province=national.province_a):
        framework_clone(framework=national.framework_2021, year=2022, actor=None)
        assert result_import(province=national.province_a, year=2022, filename="a.csv", content=b"code,achieved\n3.1,7\n",
                             actor=None).ok
    assert counts() == one_year


def test_saving_the_edit_form_unchanged_writes_no_entry(national, client_as):
    from dti_portal.audit.models import Entry

    with scopes_disabled():
        before = Entry.objects.count()
        saved = {p.indicator_id: p for p in PillarResult.objects.filter(result=national.result_2021)}
    data, pillars = edit_data(national, source=national.result_2021.source)
    for pillar in pillars.values():
        if pillar.pk in saved:
            data[f"rank_{pillar.pk}"] = str(saved[pillar.pk].rank)
            data[f"points_{pillar.pk}"] = format_number(saved[pillar.pk].published_points)
    assert client_as(national.admin_a).post(url("national:result_edit"), data).status_code == 302
    with scopes_disabled():
        assert Entry.objects.count() == before
