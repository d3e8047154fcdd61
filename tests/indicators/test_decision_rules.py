"""Rules as decisions write them (DESIGN.md §4), alike in the catalogue form, the import template
and the engine; numbers in catalogue pages and files read and written the Vietnamese way."""

import io
import json
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from indicators.catalogue import read_rows, rule_code, template_rows
from indicators.models import Framework, Indicator
from indicators.resources import EXPORT_COLUMNS
from indicators.scoring import RULE_EXAMPLES, Rule, score
from indicators.services import FrameworkMeta, framework_create, indicator_save

FIELDS = {"guidance": "", "evidence_required": "", "data_source": "", "verifying_agency": ""}


def _url(name, framework=None, **kwargs):
    if framework is not None:
        kwargs["framework_id"] = framework.pk
    return reverse(f"indicators:{name}", kwargs={"province": "tinh-a"} | kwargs)


def _kind(world):
    with scopes_disabled():
        return world.province_a.unit_kinds.get(code="so").pk


@pytest.fixture
def framework(world):
    province = world.province_a
    with scope(province=province):
        kind = province.unit_kinds.get(code="so")
        fw = framework_create(actor=None, province=province, meta=FrameworkMeta(name="Bộ chỉ số sở", year=2025, unit_kind=kind))
        indicator_save(actor=None, framework=fw, indicator=None, parent=None, data=FIELDS | {
            "code": "1", "name": "Tham dự họp", "max_points": Decimal("2.5"), "rule": "manual", "params": {}})
    return fw


def _post(client, framework, **data):
    base = {"code": "2", "name": "Tỷ lệ hồ sơ trực tuyến", "max_points": "20", "rule": "manual", "params": "", "parent": ""}
    return client.post(_url("indicator_create", framework), base | data)


def _saved(framework, code="2") -> Indicator:
    with scopes_disabled():
        return Indicator.objects.get(framework=framework, code=code)


def test_the_form_takes_ratio_steps_top_down_in_percentages_and_halves(world, framework, client_as):
    client = client_as(world.admin_a)
    written = {"steps": [{"min": "90 %", "fraction": "100 %"}, {"min": "70 %", "fraction": "1/2"}]}
    response = _post(client, framework, rule="ratio_steps", params=json.dumps(written))
    assert response.status_code == 302, response.content.decode()[:2000]
    indicator = _saved(framework)
    assert indicator.params == {"steps": [{"min": "0.7", "fraction": "0.5"}, {"min": "0.9", "fraction": "1"}]}
    assert score(indicator.rule, indicator.params, indicator.max_points, {"a": "850", "b": "1.000"}) == 10
    # The edit form shows the rule as the decision wrote it, and saving it unchanged keeps it.
    page = client.get(_url("indicator_edit", framework, indicator_id=indicator.pk)).content.decode()
    assert "&quot;min&quot;: &quot;90 %&quot;" in page and "&quot;min&quot;: &quot;70 %&quot;" in page
    detail = client.get(_url("framework_detail", framework)).content.decode()
    assert "từ 70 %: 0,5 × điểm tối đa; từ 90 %: điểm tối đa" in detail


def test_the_form_takes_a_checklist_in_shares_of_the_max(world, framework, client_as):
    client = client_as(world.admin_a)
    written = {"items": [{"label": "Dự họp của tỉnh", "fraction": "½"}, {"label": "Chủ trì họp riêng", "fraction": "50 %"}]}
    assert _post(client, framework, rule="checklist", params=json.dumps(written), max_points="10").status_code == 302
    indicator = _saved(framework)
    assert indicator.params == {"items": [{"label": "Dự họp của tỉnh", "fraction": "0.5"},
                                          {"label": "Chủ trì họp riêng", "fraction": "0.5"}]}
    assert score(indicator.rule, indicator.params, indicator.max_points, {"ticked": ["Chủ trì họp riêng"]}) == 5


@pytest.mark.parametrize(("data", "message"), [
    ({"rule": "checklist", "params": '{"items": [{"label": "A", "fraction": "1/3"}, {"label": "B", "fraction": "2/3"}]}',
      "max_points": "9"}, "Mục “A”: phần “1/3” của điểm tối đa không viết được chính xác"),
    ({"rule": "choice", "params": '{"options": [{"label": "A", "fraction": "2/1"}]}'}, "fraction phải từ 0 đến 1"),
    ({"max_points": "2.5"}, "Điểm tối đa: “2.5” không rõ nghĩa: viết số thập phân bằng dấu phẩy (2,5); "
                            "dấu chấm chỉ dùng để tách hàng nghìn (1.000)."),
])
def test_the_form_refuses_what_a_decision_could_not_mean(world, framework, client_as, data, message):
    response = _post(client_as(world.admin_a), framework, **data)
    assert response.status_code == 200 and message in response.content.decode()


def test_the_form_reads_max_points_the_vietnamese_way_and_shows_them_back(world, framework, client_as):
    client = client_as(world.admin_a)
    assert _post(client, framework, max_points="1.000", rule="steps",
                 params='{"steps": [{"min": 1, "points": 500}, {"min": 2, "fraction": 1}]}').status_code == 302
    indicator = _saved(framework)
    assert indicator.max_points == 1000
    assert 'value="1.000"' in client.get(_url("indicator_edit", framework, indicator_id=indicator.pk)).content.decode()


def test_the_import_template_imports_as_it_is_and_shows_every_rule_with_its_example(world, client_as):
    client = client_as(world.admin_a)
    content = client.get(_url("import_template")).content
    book = openpyxl.load_workbook(io.BytesIO(content))
    guide = dict(book["Hướng dẫn"].iter_rows(min_row=2, values_only=True))
    for rule in Rule:
        words, params = RULE_EXAMPLES[rule]
        assert words in guide[rule.value] and params in guide[rule.value]
    assert "“2.5” bị từ chối" in guide["max_points"] and "\"1/2\"" in guide["params"]
    rules = [row[4] for row in book["Chỉ tiêu"].iter_rows(min_row=2, values_only=True)]
    assert {"checklist", "steps", "ratio_steps", "choice"} <= set(rules)
    data = {"file": io.BytesIO(content), "name": "Bộ từ tệp mẫu", "year": "2026", "unit_kind": _kind(world)}
    data["file"].name = "mau.xlsx"
    preview = client.post(_url("framework_import"), data)
    assert preview.status_code == 200 and "Tệp hợp lệ: 7 chỉ tiêu sẽ được nhập" in preview.content.decode()
    assert client.post(_url("framework_import"), {"confirm": "1"}).status_code == 302
    with scopes_disabled():
        imported = {i.code: i for i in Framework.objects.get(name="Bộ từ tệp mẫu").indicators.all()}
    assert imported["1.6"].params == {"steps": [{"min": "0.7", "fraction": "0.5"}, {"min": "0.9", "fraction": "1"}]}
    assert imported["1.3"].params["items"][0] == {"label": "Dự họp của tỉnh", "fraction": "0.5"}
    assert imported["1.4"].params["steps"][0] == {"min": "1", "points": "5"}  # top-down, stored lowest first


def test_the_rule_column_takes_the_rule_name_as_well_as_its_code():
    assert rule_code("Theo bậc") == "steps" and rule_code(" tỷ lệ THEO bậc ") == "ratio_steps"
    assert rule_code("steps") == "steps" and rule_code("percent") == "percent"
    rows, problems = read_rows([dict(zip(EXPORT_COLUMNS, template_rows()[4], strict=True)) | {"rule": "Theo bậc"}])
    assert not problems and rows[0].rule == "steps"


def test_a_csv_export_writes_decimal_commas_and_imports_back(world, framework, client_as):
    client = client_as(world.admin_a)
    exported = client.get(_url("framework_export", framework), {"format": "csv"}).content
    assert b'"2,5"' in exported  # not 2.5, which the import refuses
    data = {"file": io.BytesIO(exported), "name": "Bộ xuất lại", "year": "2026", "unit_kind": _kind(world)}
    data["file"].name = "bo.csv"
    preview = client.post(_url("framework_import"), data)
    assert "Tệp hợp lệ: 1 chỉ tiêu sẽ được nhập" in preview.content.decode()
    assert "<td class=\"num\">2,5</td>" in preview.content.decode()


def test_band_thresholds_with_decimals_survive_the_framework_form(world, client_as):
    client = client_as(world.admin_a)
    data = {"name": "Bộ xếp loại", "year": "2026", "unit_kind": _kind(world), "precision": "2", "bands_on": "index",
            "non_reporting": "last", "bands": "Tốt:0,85|Khá:0,655|Yếu:0"}
    assert client.post(_url("framework_create"), data).status_code == 302
    with scopes_disabled():
        fw = Framework.objects.get(name="Bộ xếp loại")
    page = client.get(_url("framework_edit", fw)).content.decode()
    assert "Tốt:0,85|Khá:0,655|Yếu:0" in page
    refused = client.post(_url("framework_create"), data | {"name": "Khác", "bands": "Tốt:0.85|Yếu:0"}).content.decode()
    assert "“0.85” không rõ nghĩa" in refused
