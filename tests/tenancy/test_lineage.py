"""Units formed from units (issue 13, part 2): merges refused when they would make a cycle or name a
predecessor that did not exist the day before; the ancestry tree; predecessors' results listed before the
unit's own first year, one row each, never averaged; a ranking of a year under the names of that year."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from dti_portal.audit.models import Entry as AuditEntry
from dti_portal.tenancy import lineage, services
from dti_portal.tenancy.models import Unit, UnitAlias, UnitLineage
from indicators.models import Framework, Indicator
from rankings.models import ImportedResult
from rankings.selectors import ranking_table

MERGED = date(2025, 7, 1)


def _xa(province, name, **fields):
    with scopes_disabled():
        return Unit.objects.create(province=province, kind=province.unit_kinds.get(code="xa"), name=name, **fields)


def _result(unit, year, total, framework=None):
    with scopes_disabled():
        ImportedResult.objects.create(province=unit.province, year=year, unit_kind=unit.kind, unit=unit, total=Decimal(total),
                                      framework=framework)


@pytest.fixture
def communes(world):
    """Xã A, B (2019–06/2025) merged into phường M on 01/07/2025; xã C merged into B on 01/01/2022."""
    p = world.province_a
    a = _xa(p, "UBND xã A")
    b = _xa(p, "UBND xã B")
    c = _xa(p, "UBND xã C")
    m = _xa(p, "UBND phường M")
    with scope(province=p):
        services.units_merge(predecessors=[c], successor=b, effective_date=date(2022, 1, 1), note="NQ 2021", actor=world.admin_a)
        services.units_merge(predecessors=[a, b], successor=m, effective_date=MERGED, note="NQ 1660", actor=world.admin_a)
    with scopes_disabled():
        return {u.name[-1]: u for u in Unit.objects.filter(pk__in=[a.pk, b.pk, c.pk, m.pk])}


# --- refused merges ------------------------------------------------------------------------------
def test_a_cycle_through_any_chain_is_refused_and_nothing_is_written(world, communes):
    c, m = communes["C"], communes["M"]
    # M was formed (through B) from C: C cannot now be formed from M
    with scope(province=world.province_a):
        links, entries = UnitLineage.objects.count(), AuditEntry.objects.count()
        for predecessor, successor in [(m, c), (m, communes["B"])]:
            successor.valid_to = None
            with pytest.raises(ValidationError) as error:
                services.units_merge(predecessors=[predecessor], successor=successor, effective_date=date(2026, 1, 1),
                                     actor=world.admin_a)
            assert "trở thành tiền thân của chính nó" in error.value.messages[0]
            assert f"{successor.name} đã là đơn vị tiền thân" in error.value.messages[0]
        assert UnitLineage.objects.count() == links and AuditEntry.objects.count() == entries
        assert Unit.objects.get(pk=m.pk).valid_to is None


def test_a_predecessor_that_did_not_exist_the_day_before_is_refused(world, communes):
    p = world.province_a
    new = _xa(p, "UBND xã Mới", valid_from=date(2026, 1, 1))
    later = _xa(p, "UBND phường Sau")
    with scope(province=p):
        # closed on 30/06/2025: it did not exist on 31/12/2025
        with pytest.raises(ValidationError) as error:
            services.units_merge(predecessors=[communes["A"]], successor=later, effective_date=date(2026, 1, 1), actor=world.admin_a)
        assert error.value.messages == [
            "UBND xã A không có hiệu lực vào ngày 31/12/2025 (ngày trước ngày sáp nhập) nên không thể là đơn vị tiền thân "
            "của UBND phường Sau. Hiệu lực của UBND xã A: từ trước đến 30/06/2025."]
        # not yet formed the day before
        with pytest.raises(ValidationError) as error:
            services.units_merge(predecessors=[new], successor=later, effective_date=date(2026, 1, 1), actor=world.admin_a)
        assert "Hiệu lực của UBND xã Mới: từ 01/01/2026, đang hoạt động." in error.value.messages[0]
        assert not UnitLineage.objects.filter(successor=later).exists()
        # existing exactly until the day before: accepted (a split into a second successor)
        services.units_merge(predecessors=[communes["A"]], successor=later, effective_date=MERGED, actor=world.admin_a)
        assert UnitLineage.objects.filter(successor=later).count() == 1


def test_merging_into_itself_or_across_provinces_is_still_refused(world):
    with scope(province=world.province_a):
        with pytest.raises(ValidationError, match="chính nó"):
            services.units_merge(predecessors=[world.unit_a1], successor=world.unit_a1, effective_date=MERGED, actor=world.admin_a)
        with pytest.raises(ValidationError, match="cùng một tỉnh"):
            services.units_merge(predecessors=[world.unit_a1], successor=world.unit_b1, effective_date=MERGED, actor=world.admin_a)


def test_the_merge_form_shows_the_refusal_in_vietnamese(world, communes, client_as):
    with scopes_disabled():  # C open again (re-established): only the cycle stands in the way
        Unit.objects.filter(pk=communes["C"].pk).update(valid_to=None)
    client = client_as(world.admin_a)
    url = reverse("tenancy:unit_merge", kwargs={"province": "tinh-a", "unit_id": communes["M"].pk})
    response = client.post(url, {"successor": communes["C"].pk, "effective_date": "01/01/2026", "note": ""})
    assert response.status_code == 400
    assert "trở thành tiền thân của chính nó" in response.content.decode()


# --- trees ---------------------------------------------------------------------------------------
def _shape(node):
    return [(child.name, child.effective_date, _shape(child)) for child in node.children]


def test_the_ancestry_and_the_descendants_are_small_trees(world, communes):
    with scope(province=world.province_a):
        assert _shape(lineage.ancestry(communes["M"])) == [
            ("UBND xã A", MERGED, []),
            ("UBND xã B", MERGED, [("UBND xã C", date(2022, 1, 1), [])]),
        ]
        assert _shape(lineage.descendants(communes["C"])) == [
            ("UBND xã B", date(2022, 1, 1), [("UBND phường M", MERGED, [])])]
        assert lineage.ancestor_ids(world.province_a, [communes["M"].pk]) == {communes[k].pk for k in "ABC"}


def test_a_cycle_already_stored_never_makes_a_walk_loop(world, communes):
    with scopes_disabled():  # bad data written behind the service's back
        UnitLineage.objects.create(predecessor=communes["M"], successor=communes["C"], effective_date=date(2026, 1, 1))
    with scope(province=world.province_a):
        tree = lineage.ancestry(communes["M"])
        repeated = [node.name for node, _ in lineage.walk(tree) if node.repeated]
        assert repeated == ["UBND phường M"]  # shown once more, marked, not walked again
        assert lineage.descendants(communes["M"]).children[0].children[0].children[0].repeated
        assert lineage.year_rows(world.province_a, communes["M"]) == []
        with pytest.raises(ValidationError) as error:  # C closed on 31/12/2021
            services.units_merge(predecessors=[communes["A"]], successor=communes["C"], effective_date=MERGED, actor=world.admin_a)
        assert error.value.messages == ["UBND xã C không có hiệu lực vào ngày sáp nhập 01/07/2025. "
                                        "Hiệu lực của UBND xã C: từ trước đến 31/12/2021."]
    page = _page(world, communes["M"])
    assert "dữ liệu sáp nhập vòng lặp" in page


# --- year over year ------------------------------------------------------------------------------
def test_predecessors_results_come_before_the_units_first_year_one_row_each_never_averaged(world, communes):
    a, b, c, m = (communes[k] for k in "ABCM")
    for year, total in [(2020, 40), (2023, 50), (2024, 60)]:
        _result(a, year, total)
    for year, total in [(2023, 70), (2024, 80)]:
        _result(b, year, total)
    _result(c, 2020, 30)  # before B existed (B formed 2022)
    _result(c, 2023, 99)  # a stray row after C closed: not shown (B has its own 2023)
    _result(m, 2025, 75)
    with scope(province=world.province_a):
        years = lineage.year_rows(world.province_a, m)
    assert [(y["year"], [(r.name, r.own, r.result["total"], r.via) for r in y["rows"]]) for y in years] == [
        (2020, [("UBND xã A", False, Decimal(40), ""), ("UBND xã C", False, Decimal(30), "UBND xã B")]),
        (2023, [("UBND xã A", False, Decimal(50), ""), ("UBND xã B", False, Decimal(70), "")]),
        (2024, [("UBND xã A", False, Decimal(60), ""), ("UBND xã B", False, Decimal(80), "")]),
        (2025, [("UBND phường M", True, Decimal(75), "")]),
    ]
    page = _page(world, m)
    table = page.split('data-testid="unit-history"')[1].split("</table>")[0]
    assert table.count('data-testid="predecessor-row"') == 6
    assert "Kết quả của UBND xã A <span class=\"text-muted\">(đơn vị tiền thân)</span>" in table
    assert "Kết quả của UBND xã C <span class=\"text-muted\">(đơn vị tiền thân của UBND xã B)</span>" in table
    # 2023: 50 and 70 side by side, never their sum 120 or their mean 60
    row_2023 = table.split('rowspan="2">2023</td>')[1].split('rowspan="2">2024')[0]
    assert "50,00" in row_2023 and "70,00" in row_2023 and "120" not in row_2023 and "60,00" not in row_2023
    tree = page.split('data-testid="lineage-ancestry"')[1].split("</div>")[0]
    assert tree.count('data-testid="lineage-node"') == 3 and tree.count("<ul") == 2
    assert "(sáp nhập ngày 01/07/2025, NQ 1660)" in tree


def test_a_unit_without_predecessors_keeps_its_plain_history(world):
    _result(world.unit_a1, 2024, 55)
    page = _page(world, world.unit_a1)
    assert '<td>2024</td><td class="num">1/1</td>' in page
    assert "lineage-ancestry" not in page and "predecessor-row" not in page


def _page(world, unit):
    from django.test import Client

    client = Client()
    client.force_login(world.leader_a)
    response = client.get(reverse("tenancy:unit_detail", kwargs={"province": "tinh-a", "unit_id": unit.pk}))
    assert response.status_code == 200
    return response.content.decode()


def test_an_officer_sees_the_tree_without_links_to_units_they_may_not_open(world, communes, client_as):
    with scopes_disabled():
        world.officer_a1.memberships.update(unit=communes["M"])
    page = client_as(world.officer_a1).get(
        reverse("tenancy:unit_detail", kwargs={"province": "tinh-a", "unit_id": communes["M"].pk})).content.decode()
    tree = page.split('data-testid="lineage-ancestry"')[1].split("</div>")[0]
    assert "UBND xã C" in tree and "<a " not in tree
    link = reverse("tenancy:unit_detail", kwargs={"province": "tinh-a", "unit_id": communes["C"].pk})
    assert f'<a href="{link}">UBND xã C</a>' in _page(world, communes["M"])  # leadership sees the whole province


# --- names of the year ---------------------------------------------------------------------------
def test_a_ranking_of_a_year_shows_the_names_the_units_had_that_year(world):
    p = world.province_a
    x = _xa(p, "UBND phường Mới Đổi Tên")
    y = _xa(p, "UBND xã Y", valid_to=date(2024, 6, 30))  # closed mid-2024; renamed before
    with scopes_disabled():
        UnitAlias.objects.create(unit=x, name="UBND xã Cũ", valid_to=date(2022, 12, 31))
        UnitAlias.objects.create(unit=x, name="UBND thị trấn Giữa", valid_to=date(2024, 3, 31))
        UnitAlias.objects.create(unit=x, name="UBND phường Moi Doi Ten")  # a mere other spelling: never shown
        UnitAlias.objects.create(unit=y, name="UBND xã Y cũ", valid_to=date(2023, 5, 1))
    with scopes_disabled():
        framework = Framework.objects.create(province=p, name="Bộ chỉ số xã", year=2022, unit_kind=x.kind, status="active")
        Indicator.objects.create(framework=framework, code="1", name="Nhận thức số", max_points=100, rule="manual", position=1)
    for year in (2022, 2023, 2024, 2025):
        _result(x, year, 40 + year - 2020, framework)
    for year in (2022, 2023, 2024):
        _result(y, year, 60, framework)
    with scope(province=p):
        kind = x.kind
        names = {year: sorted(r.unit for r in ranking_table(p, year, kind).rows) for year in (2022, 2023, 2024, 2025)}
        changes = {r.unit: r.change for r in ranking_table(p, 2023, kind).rows}
    assert names == {
        2022: ["UBND xã Cũ", "UBND xã Y cũ"],
        2023: ["UBND thị trấn Giữa", "UBND xã Y"],
        2024: ["UBND phường Mới Đổi Tên", "UBND xã Y"],  # renamed on 01/04/2024; Y under its name on its last day
        2025: ["UBND phường Mới Đổi Tên"],
    }
    assert changes == {"UBND thị trấn Giữa": Decimal(1), "UBND xã Y": Decimal(0)}  # matched by unit, not by name


# --- flat queries --------------------------------------------------------------------------------
def _merged(world, n: int, offset: int):
    p = world.province_a
    predecessors = [_xa(p, f"UBND xã Tiền thân {offset + i:02d}") for i in range(n)]
    for i, unit in enumerate(predecessors):
        _result(unit, 2023, 10 + i)
        _result(unit, 2024, 20 + i)
        older = _xa(p, f"UBND xã Cũ hơn {offset + i:02d}")
        _result(older, 2020, 5)
        with scope(province=p):
            services.units_merge(predecessors=[older], successor=unit, effective_date=date(2022, 1, 1), actor=world.admin_a)
    successor = _xa(p, f"UBND phường Hợp nhất {offset}")
    _result(successor, 2025, 50)
    with scope(province=p):
        services.units_merge(predecessors=predecessors, successor=successor, effective_date=MERGED, actor=world.admin_a)
    return successor


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as queries:
        fn()
    return len(queries)


def test_the_lineage_and_the_unit_page_take_the_same_queries_for_3_or_12_predecessors(world, client_as):
    small, large = _merged(world, 3, 0), _merged(world, 12, 50)
    world.province_a.lineage_ids  # read once per request by the middleware
    counts = {}
    for unit in (small, large):
        with scope(province=world.province_a):
            counts[unit.pk] = (_queries(lambda u=unit: lineage.lineage_trees(u)),
                               _queries(lambda u=unit: lineage.year_rows(world.province_a, u)))
            rows = lineage.year_rows(world.province_a, unit)
        assert sum(len(y["rows"]) for y in rows) == 1 + 2 * (3 if unit is small else 12) + (3 if unit is small else 12)
    assert counts[small.pk] == counts[large.pk] and counts[small.pk][0] == 1
    client = client_as(world.leader_a)
    url = lambda u: reverse("tenancy:unit_detail", kwargs={"province": "tinh-a", "unit_id": u.pk})  # noqa: E731
    client.get(url(small))
    pages = [_queries(lambda u=u: client.get(url(u))) for u in (small, large)]
    assert pages[0] == pages[1]


# --- recording a former name ---------------------------------------------------------------------
def test_a_former_name_is_recorded_from_the_unit_page_and_shown_in_the_ranking_of_its_years(world, client_as):
    unit = _xa(world.province_a, "UBND phường Mới", valid_from=date(2020, 1, 1), valid_to=date(2025, 6, 30))
    _result(unit, 2022, 50)
    client = client_as(world.admin_a)
    url = reverse("tenancy:unit_alias_add", kwargs={"province": "tinh-a", "unit_id": unit.pk})
    refused = {
        "31/13/2023": "Ngày không hợp lệ: hãy nhập theo dạng dd/mm/yyyy",
        "2023-12-31x": "Ngày không hợp lệ",
        "31/12/2019": "trước ngày đơn vị bắt đầu hiệu lực (01/01/2020)",
        "30/06/2025": "Tên cũ phải thôi dùng trước ngày cuối của đơn vị (30/06/2025)",
    }
    for value, message in refused.items():
        response = client.post(url, {"name": "UBND xã Cũ", "valid_to": value})
        assert response.status_code == 400 and message in response.content.decode(), value
    assert client.post(url, {"name": "UBND xã Cũ", "valid_to": "31/12/2023", "note": "NQ 2024"}).status_code == 302
    response = client.post(url, {"name": "UBND xã Cũ hơn", "valid_to": "31/12/2023"})
    assert "Đơn vị đã có một tên cũ dùng đến ngày 31/12/2023." in response.content.decode()
    foreign = reverse("tenancy:unit_alias_add", kwargs={"province": "tinh-a", "unit_id": world.unit_b1.pk})
    assert client.post(foreign, {"name": "Tên khác", "valid_to": "31/12/2023"}).status_code == 404
    page = client.get(reverse("tenancy:unit_detail", kwargs={"province": "tinh-a", "unit_id": unit.pk})).content.decode()
    assert "UBND xã Cũ <span class=\"text-muted small\">(tên cũ, dùng đến 31/12/2023)</span>" in page
    with scope(province=world.province_a):
        assert [r.unit for r in ranking_table(world.province_a, 2022, unit.kind).rows] == ["UBND xã Cũ"]
        entry = AuditEntry.objects.filter(action="unit.alias_added").latest("pk")
    assert entry.new["valid_to"] == "2023-12-31"
