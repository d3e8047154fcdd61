"""The framework's setting for units that did not report: ranked last (default) or not ranked.
Set in the framework form, read from a catalogue file's info sheet, the import form or the command."""

from django.core.management import call_command
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from indicators.models import Framework
from indicators.services import framework_import, meta_values, parse_meta
from indicators.tables import render_xlsx
from indicators.resources import IndicatorResource

CSV = "code,name,max_points,rule\n1,Nhận thức số,10,manual\n".encode()


def _url(name, **kwargs):
    return reverse(f"indicators:{name}", kwargs={"province": "tinh-a"} | kwargs)


def _kind(world):
    with scopes_disabled():
        return world.province_a.unit_kinds.get(code="so").pk


def test_the_framework_form_sets_whether_non_reporting_units_are_ranked(world, client_as):
    client = client_as(world.admin_a)
    form = client.get(_url("framework_create")).content.decode()
    assert 'name="non_reporting"' in form and "Không xếp hạng" in form
    data = {"name": "Bộ chỉ số sở 2026", "year": "2026", "unit_kind": _kind(world), "precision": "2", "bands_on": "points"}
    assert client.post(_url("framework_create"), data | {"non_reporting": "unranked"}).status_code == 302
    assert client.post(_url("framework_create"), data | {"name": "Mặc định"}).status_code == 302  # not sent: ranked last
    with scopes_disabled():
        framework = Framework.objects.get(name="Bộ chỉ số sở 2026")
        assert framework.non_reporting == Framework.NonReporting.NOT_RANKED and not framework.ranks_non_reporting
        assert Framework.objects.get(name="Mặc định").ranks_non_reporting
    page = client.get(_url("framework_detail", framework_id=framework.pk)).content.decode()
    assert "Đơn vị không báo cáo</b>:\n    không xếp hạng" in page
    edit = client.get(_url("framework_edit", framework_id=framework.pk)).content.decode()
    assert '<option value="unranked" selected>' in edit
    refused = client.post(_url("framework_create"), data | {"name": "Sai", "non_reporting": "doi-khi"})
    assert refused.status_code == 200 and "Hãy chọn một lựa chọn hợp lệ. doi-khi không phải" in refused.content.decode()
    with scopes_disabled():
        assert not Framework.objects.filter(name="Sai").exists()


def test_a_catalogue_file_says_whether_non_reporting_units_are_ranked(world):
    with scope(province=world.province_a):
        first = framework_import(actor=None, province=world.province_a, filename="x.csv", content=CSV,
                                 meta={"name": "Từ tệp", "year": "2026", "unit_kind": "so", "non_reporting": "unranked"})
        assert first.ok and first.framework.non_reporting == "unranked"
        # The workbook's info sheet carries it: an export imports back with the same setting.
        xlsx = render_xlsx(IndicatorResource(first.framework).export(), meta_values(first.framework))
        again = framework_import(actor=None, province=world.province_a, filename="x.xlsx", content=xlsx).framework
        assert again.non_reporting == "unranked" and meta_values(again)["non_reporting"] == "unranked"
        plain = framework_import(actor=None, province=world.province_a, filename="x.csv", content=CSV,
                                 meta={"name": "Không ghi", "year": "2026", "unit_kind": "so"})
        assert plain.framework.non_reporting == "last"
        _, problems = parse_meta(world.province_a, {"name": "X", "year": "2026", "unit_kind": "so", "non_reporting": "doi-khi"})
    assert ["Đơn vị không báo cáo “doi-khi”: ghi “last” (xếp sau các đơn vị có báo cáo) hoặc “unranked” (không xếp hạng)."] \
        == [str(p) for p in problems]


def test_the_import_command_takes_the_setting(world, tmp_path):
    path = tmp_path / "bo-chi-so.csv"
    path.write_bytes(CSV)
    call_command("import_framework", "tinh-a", str(path), "--name", "Từ lệnh", "--year", "2026", "--kind", "so",
                 "--non-reporting", "unranked")
    with scopes_disabled():
        assert Framework.objects.get(name="Từ lệnh").non_reporting == "unranked"


def test_a_clone_keeps_the_setting(world):
    from indicators.services import framework_clone

    with scope(province=world.province_a):
        source = framework_import(actor=None, province=world.province_a, filename="x.csv", content=CSV,
                                  meta={"name": "Gốc", "year": "2025", "unit_kind": "so", "non_reporting": "unranked"}).framework
        assert framework_clone(actor=None, framework=source, year=2026).non_reporting == "unranked"
