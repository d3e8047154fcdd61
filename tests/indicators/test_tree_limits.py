"""Well-formed trees only (issue 11, part 2): cycles and trees deeper than any catalogue are refused
with a Vietnamese message at import and in the form — never a RecursionError, a 500 or a page that loops."""

import json

from django_scopes import scope, scopes_disabled

from indicators.catalogue import MAX_DEPTH
from indicators.models import Indicator
from tests.indicators.test_import import _framework_count
from tests.indicators.test_import import _import as _import_2021
from tests.indicators.test_pages import _url, framework  # noqa: F401  (fixture)

HEAD = {"code": "", "parent_code": "", "name": "", "max_points": "", "rule": "", "params": "", "achieved": ""}


def _csv(rows: list[dict]) -> bytes:
    import csv
    import io

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(HEAD))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _import(world, content):
    return _import_2021(world, content, meta={"name": "Thử", "year": "2025", "unit_kind": "so"})


def _chain(levels: int) -> bytes:
    rows = [HEAD | {"code": "c1", "name": "Gốc", "max_points": "10", "rule": "sum"}]
    rows += [HEAD | {"code": f"c{n}", "parent_code": f"c{n - 1}", "name": f"Cấp {n}", "max_points": "10",
                     "rule": "sum" if n < levels else "manual"} for n in range(2, levels + 1)]
    return _csv(rows)


def test_a_1500_level_tree_is_refused_at_import_with_one_message_and_nothing_saved(world):
    before = _framework_count()
    report = _import(world, _chain(1500))
    assert not report.ok
    assert [str(p) for p in report.problems if "sâu quá" in str(p)] == [
        f"Dòng {MAX_DEPTH + 2}, mã “c{MAX_DEPTH + 1}”: cây chỉ tiêu sâu quá {MAX_DEPTH} cấp "
        f"(mã “c{MAX_DEPTH + 1}” nằm dưới {MAX_DEPTH} cấp cha trở lên)."]
    assert _framework_count() == before


def test_a_100_level_tree_is_refused_and_an_8_level_one_imports(world):
    assert not _import(world, _chain(100)).ok
    assert _import(world, _chain(MAX_DEPTH)).ok


def test_a_cycle_with_achieved_points_is_refused_naming_it(world):
    rows = [HEAD | {"code": "A", "parent_code": "B", "name": "A", "max_points": "10", "rule": "sum", "achieved": "5"},
            HEAD | {"code": "B", "parent_code": "A", "name": "B", "max_points": "10", "rule": "sum", "achieved": "5"},
            HEAD | {"code": "C", "name": "C", "max_points": "5", "rule": "manual", "achieved": "1"}]
    report = _import(world, _csv(rows))
    assert not report.ok
    assert any("chỉ tiêu cha – con tạo thành vòng lặp: “A” → “B” → “A”" in str(p) for p in report.problems), report.problems


def test_params_nested_50_000_deep_are_refused_without_parsing_them(world, framework, client_as):  # noqa: F811
    deep = '{"a": ' * 50_000 + "1" + "}" * 50_000
    response = client_as(world.admin_a).post(_url("indicator_create", framework), {
        "code": "3", "name": "Ba", "max_points": "10", "rule": "manual", "params": deep})
    assert response.status_code == 200 and "Tham số dài 350001 ký tự; tối đa 20000." in response.content.decode()
    deep = '{"a": ' * 4_000 + "1" + "}" * 4_000  # a CSV cell holds at most 131 072 characters
    report = _import(world, _csv([HEAD | {"code": "1", "name": "Một", "max_points": "10", "rule": "manual", "params": deep}]))
    assert not report.ok and any("tham số dài" in str(p) for p in report.problems)
    shallow_but_deep = '{"a": ' * 200 + "1" + "}" * 200  # short enough, nested too deep
    report = _import(world, _csv([HEAD | {"code": "1", "name": "Một", "max_points": "10", "rule": "manual",
                                          "params": shallow_but_deep}]))
    assert any("tham số lồng nhau quá 6 cấp" in str(p) for p in report.problems), report.problems
    # Brackets inside a string are text, not nesting.
    fine = json.dumps({"options": [{"label": "[[[[[[[[{{{{{{", "points": 10}]}, ensure_ascii=False)
    assert _import(world, _csv([HEAD | {"code": "1", "name": "Một", "max_points": "10", "rule": "choice",
                                        "params": fine}])).ok


def test_the_form_refuses_a_parent_that_is_the_indicators_own_descendant(world, framework, client_as):  # noqa: F811
    with scopes_disabled():
        group = Indicator.objects.get(framework=framework, code="1")
        child = Indicator.objects.get(framework=framework, code="1.1")
    response = client_as(world.admin_a).post(_url("indicator_edit", framework, indicator_id=group.pk), {
        "code": "1", "name": "Nhận thức số", "max_points": "20", "rule": "sum", "params": "", "parent": child.pk})
    assert "chỉ tiêu cha – con tạo thành vòng lặp" in response.content.decode()
    with scope(province=world.province_a):
        assert Indicator.objects.get(pk=group.pk).parent_id is None
    page = client_as(world.admin_a).get(_url("framework_detail", framework))
    assert page.status_code == 200
