"""The walk's findings on rankings (issue 10 part 9) and their Vietnamese order (part 8): the unit
page's rank, downloads that match the page, one CSV table for every kind, the non-reporting setting."""

import csv
import html
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from dti_portal.tenancy.models import Province, Unit
from indicators.models import Framework
from rankings.models import ImportedResult
from rankings.ranking import Row, rank
from rankings.results import results_import


@pytest.fixture
def demo(db):
    call_command("load_demo", mergers=False)  # Đắk Nông as its own tenant (before 01/07/2025): its own results and URLs
    from dti_portal.accounts.models import User

    return {u.username: u for u in User.objects.all()}


def _ranking(province, year, kind, name="ranking_detail", **query):
    return reverse(f"rankings:{name}", kwargs={"province": province, "year": year, "kind_code": kind})


def _unit(province, name):
    with scopes_disabled():
        return Unit.objects.get(province__slug=province, name=name)


def _page_header(page: str) -> list[str]:
    """The ranking table's column headers as the page prints them (without the "/max" below a pillar)."""
    thead = page.split('data-testid="ranking-table"')[1].split("</thead>")[0]
    cells = re.findall(r"<th[^>]*>(.*?)</th>", thead, re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", re.sub(r'<div class="small text-muted">.*?</div>', "", c))).strip() for c in cells]


def _book(response):
    return openpyxl.load_workbook(io.BytesIO(response.content))


def test_ties_share_a_rank_and_are_listed_in_vietnamese_order():
    rows = rank([Row("UBND huyện Ea Súp", Decimal(5)), Row("UBND huyện Đắk Mil", Decimal(5)), Row("UBND huyện Cư Jút", Decimal(5)),
                 Row("UBND huyện Buôn Đôn", Decimal(6)), Row("UBND huyện Đắk Song", None), Row("UBND huyện Cư Kuin", None)])
    assert [(r.unit.split()[-2] + " " + r.unit.split()[-1], r.rank) for r in rows] == [
        ("Buôn Đôn", 1), ("Cư Jút", 2), ("Đắk Mil", 2), ("Ea Súp", 2), ("Cư Kuin", 5), ("Đắk Song", 5)]
    unranked = rank([Row("B", Decimal(1)), Row("A", None)], rank_non_reporting=False)
    assert [(r.unit, r.rank) for r in unranked] == [("B", 1), ("A", None)]


def test_a_units_page_shows_the_rank_its_ranking_shows_in_a_year_ranked_on_the_index(demo, client):
    # Đắk Lắk published 2023 as an index only: Sở Y tế 9th of 18 (the page said "-").
    client.force_login(demo["daklak.lanhdao"])
    ranking = client.get(_ranking("daklak", 2023, "so")).content.decode()
    row = ranking.split('data-unit="Sở Y tế"')[1].split("</tr>")[0]
    assert '<td class="num" data-testid="rank">9</td>' in row
    unit = _unit("daklak", "Sở Y tế")
    page = client.get(reverse("tenancy:unit_detail", kwargs={"province": "daklak", "unit_id": unit.pk})).content.decode()
    assert '<td>2023</td><td class="num">9/18</td>' in page and '<td>2020</td><td class="num">4/18</td>' in page
    history = client.get(reverse("rankings:ranking_list", kwargs={"province": "daklak"})).content.decode()
    assert "18/18" in history  # units that reported in 2023: an index is a report


def test_the_ranking_pages_excel_has_the_pages_headers_its_pillar_columns_and_averages(demo, client):
    client.force_login(demo["daknong.lanhdao"])
    for province, year, kind in [("daknong", 2023, "huyen"), ("daknong", 2023, "so"), ("daklak", 2023, "so")]:
        if province == "daklak":
            client.force_login(demo["daklak.lanhdao"])
        page = client.get(_ranking(province, year, kind)).content.decode()
        book = _book(client.get(_ranking(province, year, kind, "ranking_export")))
        sheet = book["Xếp hạng"]
        rows = [[c.value for c in r] for r in sheet.iter_rows()]
        assert rows[0] == _page_header(page), (province, kind)
        assert rows[-1][1] == "Giá trị trung bình"
        assert len(rows) - 2 == page.count("<tr data-unit=")
    # Đắk Nông's sở table: every pillar as a number, as on the page.
    client.force_login(demo["daknong.lanhdao"])
    book = _book(client.get(_ranking("daknong", 2023, "so", "ranking_export")))
    header, first = [[c.value for c in r] for r in book["Xếp hạng"].iter_rows(max_row=2)]
    assert header[:4] == ["Hạng", "Đơn vị", "Tổng điểm", "Nhận thức số"] and header[-2:] == ["Chỉ số", "Xếp loại"]
    assert first[:5] == [1, "Sở Thông tin và Truyền thông", 860.69, 100, 100]
    huyen = _book(client.get(_ranking("daknong", 2023, "huyen", "ranking_export")))
    assert [c.value for c in next(huyen["Chính quyền số"].iter_rows(max_row=1))] == ["Hạng", "Đơn vị", "Điểm"]


def test_export_ranking_without_a_kind_writes_one_table_with_a_kind_column_that_imports_back(demo, capsysbinary):
    call_command("export_ranking", "daknong", "2023")
    text = capsysbinary.readouterr().out.decode()
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    assert header[:4] == ["kind", "unit", "rank", "total"] and header[-2:] == ["index", "band"]
    assert sum(1 for r in rows if r[0] == "kind") == 1 and {len(r) for r in rows} == {len(header)}
    assert {r[0] for r in body} == {"so", "huyen"}
    with scopes_disabled():
        province = Province.objects.get(slug="daknong")
        published = {(r.unit.name, r.total) for r in ImportedResult.objects.filter(province=province, year=2023).select_related("unit")}
    with scope(province=province):
        report = results_import(actor=None, province=province, year=2019, filename="xuat.csv", content=text.encode())
    assert report.ok, [str(p) for p in report.problems]
    with scopes_disabled():
        again = {(r.unit.name, r.total) for r in ImportedResult.objects.filter(province=province, year=2019).select_related("unit")}
    assert again == published and len(again) == len(body)


def _not_reported(province_slug, year, unit_name):
    with scopes_disabled():
        result = ImportedResult.objects.select_related("framework").get(province__slug=province_slug, year=year, unit__name=unit_name)
        ImportedResult.objects.filter(pk=result.pk).update(reported=False, total=None, parts={})
        return result.framework


def test_a_unit_that_did_not_report_is_ranked_last_or_not_ranked_as_its_framework_says(demo, client):
    framework = _not_reported("daknong", 2023, "Sở Y tế")
    client.force_login(demo["daknong.lanhdao"])
    unit = _unit("daknong", "Sở Y tế")
    unit_page = reverse("tenancy:unit_detail", kwargs={"province": "daknong", "unit_id": unit.pk})

    page = client.get(_ranking("daknong", 2023, "so")).content.decode()
    count = page.count("<tr data-unit=")
    row = page.split('data-unit="Sở Y tế"')[1].split("</tr>")[0]
    assert f'data-testid="rank">{count}</td>' in row and page.rindex("<tr data-unit=") == page.index('data-unit="Sở Y tế"') - 4
    assert "xếp sau các đơn vị có báo cáo" in page
    sheet = _book(client.get(_ranking("daknong", 2023, "so", "ranking_export")))["Xếp hạng"]
    last = [c.value for c in list(sheet.iter_rows())[-2]]
    assert last[:3] == [count, "Sở Y tế", "-"]
    assert f'<td>2023</td><td class="num">{count}/{count}</td>' in client.get(unit_page).content.decode()

    with scopes_disabled():
        Framework.objects.filter(pk=framework.pk).update(non_reporting=Framework.NonReporting.NOT_RANKED)
    page = client.get(_ranking("daknong", 2023, "so")).content.decode()
    row = page.split('data-unit="Sở Y tế"')[1].split("</tr>")[0]
    assert 'data-testid="rank">-</td>' in row and "không được xếp hạng" in page
    sheet = _book(client.get(_ranking("daknong", 2023, "so", "ranking_export")))["Xếp hạng"]
    assert [c.value for c in list(sheet.iter_rows())[-2]][:3] == ["-", "Sở Y tế", "-"]
    assert '<td>2023</td><td class="num">-</td>' in client.get(unit_page).content.decode()


def test_the_report_says_how_its_framework_ranks_units_that_did_not_report(demo):
    from rankings.publication import snapshot_of
    from rankings.report import report_html
    from rankings.selectors import ranking_table

    framework = _not_reported("daknong", 2023, "Sở Y tế")
    meta = {"province": "Đắk Nông", "agency": "", "year": 2023, "decision_number": "", "decision_date": "", "signer": ""}
    with scopes_disabled():
        province = Province.objects.get(slug="daknong")
        kind = framework.unit_kind
    with scope(province=province):
        ranked_last = report_html({"meta": meta, "tables": [snapshot_of(ranking_table(province, 2023, kind))]})
    assert "Đơn vị không báo cáo xếp sau các đơn vị có báo cáo." in ranked_last
    with scopes_disabled():
        Framework.objects.filter(pk=framework.pk).update(non_reporting=Framework.NonReporting.NOT_RANKED)
    with scope(province=province):
        unranked = report_html({"meta": meta, "tables": [snapshot_of(ranking_table(province, 2023, kind))]})
    assert "Đơn vị không báo cáo không được xếp hạng." in unranked
    assert '<tr><td class="num">-</td><td>Sở Y tế</td>' in unranked
