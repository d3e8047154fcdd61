"""The catalogue pages: browsing for every role, editing for province admins."""

import io
from decimal import Decimal
import json

import openpyxl
import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from assessments.models import Assessment, Period
from indicators.models import Framework, Indicator
from indicators.services import FrameworkMeta, framework_create, indicator_save

FIELDS = {"guidance": "", "evidence_required": "", "data_source": "", "verifying_agency": ""}


def _node(framework, code, name, max_points, rule="manual", params=None, parent=None, **extra):
    return indicator_save(actor=None, framework=framework, indicator=None, parent=parent, data=FIELDS | extra | {
        "code": code, "name": name, "max_points": max_points, "rule": rule, "params": params or {}})


@pytest.fixture
def framework(world):
    """Province A's sở framework: 1 (20) = 1.1 yes/no (10) + 1.2 count (10); 2 ratio (10)."""
    province = world.province_a
    with scope(province=province):
        kind = province.unit_kinds.get(code="so")
        fw = framework_create(actor=None, province=province, meta=FrameworkMeta(name="Bộ chỉ số sở", year=2025, unit_kind=kind))
        root = _node(fw, "1", "Nhận thức số", 20, "sum")
        _node(fw, "1.1", "Có chuyên mục chuyển đổi số", 10, "yes_no", parent=root, guidance="Ảnh chụp cổng thông tin")
        _node(fw, "1.2", "Số văn bản chỉ đạo", 10, "count", {"per_item": 2}, parent=root)
        _node(fw, "2", "Tỷ lệ hồ sơ trực tuyến", 10, "ratio")
    return fw


def _url(name, framework=None, **kwargs):
    if framework is not None:
        kwargs["framework_id"] = framework.pk
    return reverse(f"indicators:{name}", kwargs={"province": "tinh-a"} | kwargs)


@pytest.mark.parametrize("persona", ["admin_a", "officer_a1", "appraiser_a", "lead_a", "leader_a"])
def test_every_role_browses_the_tree_with_codes_max_rule_and_guidance(world, framework, client_as, persona):
    page = client_as(getattr(world, persona)).get(_url("framework_detail", framework)).content.decode()
    for text in ["1.1", "Có chuyên mục chuyển đổi số", "Ảnh chụp cổng thông tin", "Đếm số lượng",
                 "2 điểm cho mỗi đơn vị đếm", 'data-testid="max-total">30<']:
        assert text in page


def test_search_keeps_matches_and_their_ancestors_only(world, framework, client_as):
    page = client_as(world.leader_a).get(_url("framework_detail", framework), {"q": "văn bản"}).content.decode()
    assert "1 chỉ tiêu khớp “văn bản”." in page
    assert 'data-code="1"' in page and 'data-code="1.2"' in page
    assert 'data-code="1.1"' not in page and 'data-code="2"' not in page


def test_the_tree_page_costs_the_same_queries_however_many_indicators(world, framework, client_as, django_assert_max_num_queries):
    client = client_as(world.leader_a)
    client.get(_url("framework_detail", framework))
    with scope(province=world.province_a):
        parent = Indicator.objects.get(framework=framework, code="1")
        for n in range(3, 40):
            _node(framework, f"1.{n}", f"Chỉ tiêu {n}", 1, parent=parent)
    with django_assert_max_num_queries(14):
        assert client.get(_url("framework_detail", framework)).status_code == 200


def test_a_framework_of_another_province_answers_404(world, framework, client_as):
    assert client_as(world.admin_b).get(reverse("indicators:framework_detail", kwargs={
        "province": "tinh-b", "framework_id": framework.pk})).status_code == 404


def test_the_admin_creates_a_framework_with_bands(world, client_as):
    response = client_as(world.admin_a).post(_url("framework_create"), {
        "name": "Bộ mới", "year": "2026", "unit_kind": _kind(world), "decision_number": "1/QĐ-UBND",
        "decision_date": "15/01/2026", "precision": "2", "bands_on": "points", "bands": "Tốt:80|Khá:65,5|Yếu:0"})
    assert response.status_code == 302
    with scopes_disabled():
        fw = Framework.objects.get(name="Bộ mới")
        assert [(b.label, f"{b.lower_bound.normalize():f}") for b in fw.bands.all()] == [("Tốt", "80"), ("Khá", "65.5"), ("Yếu", "0")]
        assert str(fw.decision_date) == "2026-01-15" and fw.status == "draft"


def _kind(world, province=None):
    with scopes_disabled():
        return (province or world.province_a).unit_kinds.get(code="so").pk


def test_framework_form_refuses_bad_bands_a_bad_year_and_a_foreign_kind(world, client_as):
    client = client_as(world.admin_a)
    data = {"name": "X", "year": "2026", "unit_kind": _kind(world), "precision": "2", "bands_on": "points"}
    assert "Ngưỡng xếp loại Tốt: “tám mươi” không phải là số." in client.post(
        _url("framework_create"), data | {"bands": "Tốt:tám mươi"}).content.decode()
    assert "Hãy nhập năm, ví dụ 2024." in client.post(_url("framework_create"), data | {"year": "abc"}).content.decode()
    assert "Loại đơn vị đã chọn không có trong tỉnh này." in client.post(
        _url("framework_create"), data | {"unit_kind": _kind(world, world.province_b)}).content.decode()
    with scopes_disabled():
        assert not Framework.objects.filter(name="X").exists()


def _indicator_post(client, framework, **data):
    base = {"code": "3", "name": "Họp ban chỉ đạo", "max_points": "20", "rule": "manual", "params": "", "parent": ""}
    return client.post(_url("indicator_create", framework), base | data)


def test_indicator_form_accepts_a_decimal_comma_in_points_and_in_params(world, framework, client_as):
    steps = json.dumps({"steps": [{"min": 1, "points": 5}, {"min": 4, "points": "20,5"}]})
    ok = _indicator_post(client_as(world.admin_a), framework, rule="steps", params=steps, max_points="20,5")
    assert ok.status_code == 302
    with scopes_disabled():
        indicator = Indicator.objects.get(framework=framework, code="3")
    assert indicator.max_points == Decimal("20.5")
    assert indicator.params == {"steps": [{"min": "1", "points": "5"}, {"min": "4", "points": "20.5"}]}


@pytest.mark.parametrize("data, message", [
    ({"rule": "steps", "params": '{"steps": [{"min": 1, "points": 5}, {"min": 4, "points": 25}]}'}, "vượt điểm tối đa"),
    ({"rule": "steps", "params": '{"steps": [{"min": 1, "points": 5}]}'}, "điểm tối đa"),
    ({"params": "{per_item: 1}"}, "Tham số không phải JSON hợp lệ"),
    ({"max_points": "abc"}, "Điểm tối đa: “abc” không phải là số."),
    ({"max_points": "-1"}, "không được là số âm"),
    ({"max_points": "1,23456"}, "quá 4 chữ số thập phân"),
    ({"code": "1.1"}, "mã bị trùng"),
    ({"code": "", "name": ""}, "Trường này là bắt buộc."),
    ({"rule": "choice", "params": '{"options": [{"label": "Có", "points": 5}]}'}, "Không có lựa chọn nào đạt điểm tối đa 20"),
])
def test_indicator_form_refuses_bad_input_and_keeps_what_was_typed(world, framework, client_as, data, message):
    response = _indicator_post(client_as(world.admin_a), framework, **data)
    text = response.content.decode()
    assert response.status_code == 200 and message in text, text[text.find("alert"):][:600]
    assert "Họp ban chỉ đạo" in text or data.get("name") == ""
    with scopes_disabled():
        assert Indicator.objects.filter(framework=framework).count() == 4


def test_a_child_whose_max_exceeds_its_parents_is_refused(world, framework, client_as):
    with scopes_disabled():
        parent = Indicator.objects.get(framework=framework, code="1")
    response = _indicator_post(client_as(world.admin_a), framework, code="1.3", max_points="25", parent=parent.pk)
    assert "điểm tối đa 25 lớn hơn điểm tối đa 20 của chỉ tiêu cha “1”" in response.content.decode()


def test_a_parent_from_another_framework_is_refused(world, framework, client_as):
    with scope(province=world.province_a):
        other = framework_create(actor=None, province=world.province_a, meta=FrameworkMeta(
            name="Khác", year=2025, unit_kind=framework.unit_kind))
        stranger = _node(other, "9", "Lạ", 10)
    response = _indicator_post(client_as(world.admin_a), framework, parent=stranger.pk)
    assert "Chỉ tiêu cha không thuộc bộ chỉ số này." in response.content.decode()


def test_activation_refuses_an_unbalanced_tree_then_accepts_it(world, framework, client_as):
    client = client_as(world.admin_a)
    with scope(province=world.province_a):
        parent = Indicator.objects.get(framework=framework, code="1")
        _node(framework, "1.3", "Thêm", 5, parent=parent)  # the draft may be unbalanced for a while
    refused = client.post(_url("framework_activate", framework), follow=True).content.decode()
    assert "Chưa thể áp dụng bộ chỉ số" in refused
    assert "Mã “1”: điểm tối đa 20 khác tổng điểm tối đa các chỉ tiêu con (25)." in refused
    with scope(province=world.province_a):
        Indicator.objects.filter(framework=framework, code="1.3").delete()
    client.post(_url("framework_activate", framework))
    framework.refresh_from_db()
    assert framework.status == Framework.Status.ACTIVE


def _use(world, framework):
    with scope(province=world.province_a):
        period = Period.objects.create(province=world.province_a, year=2025, name="Kỳ 2025")
        Assessment.objects.create(period=period, unit=world.unit_a1, framework=framework)


def test_a_framework_already_used_cannot_be_edited_or_deleted_and_says_why(world, framework, client_as):
    _use(world, framework)
    client = client_as(world.admin_a)
    with scopes_disabled():
        indicator = Indicator.objects.get(framework=framework, code="1.1")
    deleted = client.post(_url("framework_delete", framework), follow=True).content.decode()
    assert "đã được dùng cho 1 bản đánh giá (ví dụ: Sở Y tế – Kỳ 2025)" in deleted
    edited = client.post(_url("indicator_edit", framework, indicator_id=indicator.pk), {
        "code": "1.1", "name": "Đổi tên", "max_points": "10", "rule": "yes_no", "params": "", "parent": indicator.parent_id})
    assert "không thể sửa hoặc xóa" in edited.content.decode()
    removed = client.post(_url("indicator_delete", framework, indicator_id=indicator.pk), follow=True)
    assert "Hãy sao chép thành bộ chỉ số mới" in removed.content.decode()
    meta = client.post(_url("framework_edit", framework), {
        "name": "Đổi", "year": "2025", "unit_kind": _kind(world), "precision": "2", "bands_on": "points"})
    assert "không thể sửa hoặc xóa" in meta.content.decode()
    with scopes_disabled():
        assert Framework.objects.get(pk=framework.pk).name == "Bộ chỉ số sở"
        assert Indicator.objects.get(pk=indicator.pk).name == "Có chuyên mục chuyển đổi số"


def test_cloning_makes_a_draft_for_next_year_with_a_code_map(world, framework, client_as):
    _use(world, framework)
    response = client_as(world.admin_a).post(_url("framework_clone", framework), {"year": "2026", "name": ""})
    assert response.status_code == 302
    with scopes_disabled():
        clone = Framework.objects.get(year=2026)
        assert clone.status == "draft" and clone.cloned_from == framework and clone.name == framework.name
        assert sorted(clone.indicators.values_list("code", flat=True)) == ["1", "1.1", "1.2", "2"]
        assert clone.indicators.get(code="1.2").parent.code == "1"
        assert clone.code_map == {"1": "1", "1.1": "1.1", "1.2": "1.2", "2": "2"}


def test_the_excel_export_has_numbers_as_numbers_a_frozen_header_and_a_filter(world, framework, client_as):
    response = client_as(world.leader_a).get(_url("framework_export", framework), {"format": "xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["1.2"][3] == 10 and isinstance(rows["1.2"][3], (int, float))
    assert json.loads(rows["1.2"][5]) == {"per_item": "2"}
    assert book["Thông tin"]["B2"].value == "Bộ chỉ số sở"


def test_the_csv_export_opens_in_excel_with_vietnamese_intact(world, framework, client_as):
    content = client_as(world.leader_a).get(_url("framework_export", framework), {"format": "csv"}).content
    assert content.startswith("\ufeff".encode()) and "Nhận thức số".encode() in content


def test_the_template_opens_and_explains_every_rule(world, client_as):
    content = client_as(world.admin_a).get(_url("import_template")).content
    book = openpyxl.load_workbook(io.BytesIO(content))
    guide = [row[0] for row in book["Hướng dẫn"].iter_rows(min_row=2, values_only=True)]
    assert {"yes_no", "choice", "checklist", "steps", "count", "ratio", "ratio_target", "sum", "manual", "collected"} <= set(guide)


def _upload(client, content, name="bo.csv", **meta):
    data = {"file": io.BytesIO(content), "name": "Bộ nhập", "year": "2026", "unit_kind": ""} | meta
    data["file"].name = name
    return client.post(_url("framework_import"), data)


def test_importing_in_the_browser_previews_then_commits(world, client_as):
    client = client_as(world.admin_a)
    content = "code,name,max_points\n1,Nhận thức số,20\n1.1,Tỷ lệ cán bộ được tập huấn,20\n".encode()
    preview = _upload(client, content, unit_kind=_kind(world))
    text = preview.content.decode()
    assert preview.status_code == 200 and "Tệp hợp lệ: 2 chỉ tiêu sẽ được nhập" in text and "(đề xuất)" in text
    with scopes_disabled():
        assert not Framework.objects.filter(name="Bộ nhập").exists()
    confirmed = client.post(_url("framework_import"), {"confirm": "1"})
    assert confirmed.status_code == 302
    with scopes_disabled():
        fw = Framework.objects.get(name="Bộ nhập")
        assert fw.indicators.get(code="1.1").rule == "ratio"


def test_a_bad_file_in_the_browser_lists_its_problems_and_saves_nothing(world, client_as):
    client = client_as(world.admin_a)
    response = _upload(client, b"code,name,max_points\n1,A,10\n1,B,abc\n", unit_kind=_kind(world))
    text = response.content.decode()
    assert response.status_code == 400
    assert "Không nhập được — chưa có gì được lưu." in text
    assert "Dòng 3, mã “1”: Điểm tối đa: “abc” không phải là số." in text
    assert client.post(_url("framework_import"), {"confirm": "1"}, follow=True).content.decode().count("Phiên nhập đã hết hạn") == 1
    with scopes_disabled():
        assert not Framework.objects.exists()


def test_a_foreign_unit_kind_on_the_import_form_is_refused(world, client_as):
    response = _upload(client_as(world.admin_a), b"code,name,max_points\n1,A,10\n", unit_kind=_kind(world, world.province_b))
    assert "Loại đơn vị đã chọn không có trong tỉnh này." in response.content.decode()


def test_an_indicator_joins_and_leaves_aggregates_from_its_form(world, framework, client_as):
    client = client_as(world.admin_a)
    with scopes_disabled():
        group = Indicator.objects.get(framework=framework, code="1")
    url = _url("indicator_edit", framework, indicator_id=group.pk)
    data = {"code": "1", "name": "Nhận thức số", "max_points": "20", "rule": "sum", "params": "", "parent": ""}
    assert client.post(url, data | {"aggregates": "Chính quyền số | Kinh tế số"}).status_code == 302
    with scopes_disabled():
        assert sorted(a.name for a in group.aggregates.all()) == ["Chính quyền số", "Kinh tế số"]
    assert 'value="Chính quyền số|Kinh tế số"' in client.get(url).content.decode()
    client.post(url, data | {"aggregates": "Kinh tế số"})
    with scopes_disabled():
        assert list(framework.aggregates.values_list("name", flat=True)) == ["Kinh tế số"]
