"""Importing and exporting whole frameworks: all or nothing, every problem named in Vietnamese."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django_scopes import scope, scopes_disabled

from assessments.models import Answer, Assessment
from indicators.models import Framework, Indicator
from indicators.resources import IndicatorResource
from indicators.services import framework_import, meta_values
from indicators.tables import render_csv, render_xlsx
from tests.indicators.conftest import META_2021


def corrected(reference: bytes) -> bytes:
    """The two published defects mended: the second "6.2" is 6.20; 5.10 gets at most its max."""
    rows = list(csv.DictReader(io.StringIO(reference.decode("utf-8"))))
    seen = set()
    for row in rows:
        if row["code"] in seen:
            row["code"] = "6.20"
        seen.add(row["code"])
        if row["code"] == "5.10":
            row["achieved_2021"] = "5"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _import(world, content, filename="dti.csv", **kwargs):
    with scope(province=world.province_a):
        return framework_import(actor=None, province=world.province_a, filename=filename, content=content,
                                meta=kwargs.pop("meta", META_2021), **kwargs)


def _framework_count():
    with scopes_disabled():
        return Framework.objects.count(), Indicator.objects.count()


def test_the_2021_table_as_published_is_refused_naming_both_defects_and_nothing_is_saved(
    world, province_unit, reference_2021
):
    report = _import(world, reference_2021, result_unit=province_unit)
    messages = [str(p) for p in report.problems]
    assert not report.ok
    assert any("mã “6.2”" in m and "mã bị trùng" in m and "“6.20” khác “6.2”" in m for m in messages), messages
    assert any("mã “5.10”" in m and "điểm đạt 8 lớn hơn điểm tối đa 5" in m for m in messages), messages
    assert len(messages) == 2, messages
    assert _framework_count() == (0, 0)
    with scopes_disabled():
        assert not Assessment.objects.exists()


def test_once_corrected_the_2021_table_imports_with_rules_read_from_the_wording(world, province_unit, reference_2021):
    report = _import(world, corrected(reference_2021), result_unit=province_unit)
    assert report.ok, [str(p) for p in report.problems]
    framework = report.framework
    with scope(province=world.province_a):
        indicators = {i.code: i for i in framework.indicators.select_related("parent")}
        assert len(indicators) == 113
        assert indicators["6.20"].parent.code == "6" and indicators["6.2"].name == "Triển khai Cổng dữ liệu mở"
        assert indicators["5.12.3"].parent.code == "5.12" and indicators["5.12"].rule == "sum"
        assert {indicators[c].rule for c in ["1", "5", "9"]} == {"sum", "collected"}
        assert indicators["9"].rule == indicators["9.1"].rule == "collected"
        assert indicators["3.1"].rule == "ratio"          # "Tỷ lệ…"
        assert indicators["5.1"].rule == "count"          # "Số lượng…"
        assert indicators["2.4"].rule == "yes_no"         # "Ban hành…"
        assert indicators["6.18"].rule == "yes_no"        # "Triển khai…"
        assert indicators["1.1"].rule == "manual"         # no recognisable wording: appraisers set it
        assert sum(i.max_points for i in indicators.values() if i.parent_id is None) == Decimal(1000)
        answers = {a.indicator.code: a for a in Answer.objects.filter(assessment__unit=province_unit).select_related("indicator")}
    assert answers["3.1"].final_score == Decimal("6.8")
    assert answers["1.1"].reason.startswith("Theo Quyết định số 3331/QĐ-UBND")
    assert "5.12" not in answers and "5.12.1" in answers  # parents are computed, never typed
    notes = [str(n) for n in report.notes]
    assert any("mã “5”" in n and "54" in n and "52,47" in n for n in notes), notes
    assert any("mã “6”" in n and "78,47" in n and "78,544" in n for n in notes), notes


def test_a_dry_run_reports_the_same_and_saves_nothing(world, province_unit, reference_2021):
    report = _import(world, corrected(reference_2021), dry_run=True)
    assert report.ok and report.framework is None and len(report.rows) == 113
    assert _framework_count() == (0, 0)


def test_export_then_import_gives_an_identical_framework(world, province_unit, reference_2021):
    first = _import(world, corrected(reference_2021)).framework
    with scope(province=world.province_a):
        first_tree = _tree(first)
        dataset = IndicatorResource(first).export()
        xlsx = render_xlsx(dataset, meta_values(first))
        again = framework_import(actor=None, province=world.province_a, filename="x.xlsx", content=xlsx).framework
        assert again is not None
        assert _tree(again) == first_tree
        assert meta_values(again) == meta_values(first)
        via_csv = framework_import(actor=None, province=world.province_a, filename="x.csv", content=render_csv(dataset), meta=META_2021)
        assert via_csv.ok and _tree(via_csv.framework) == first_tree


def _tree(framework):
    return [
        (i.code, i.parent.code if i.parent_id else "", i.name, i.max_points, i.rule, i.params, i.guidance,
         sorted(a.name for a in i.aggregates.all()))
        for i in framework.indicators.select_related("parent").prefetch_related("aggregates").order_by("code")
    ]


def _csv(text: str) -> bytes:
    return text.encode("utf-8")


@pytest.mark.parametrize(
    "content, filename, expected",
    [
        (b"", "a.csv", "Tệp rỗng, không có dữ liệu."),
        (b"code,name,max_points\n", "a.csv", "Tệp không có dòng chỉ tiêu nào."),
        (b"this is plain text, not a workbook", "a.xlsx", "Tệp .xlsx không phải bảng tính Excel"),
        (_csv("code,name\n1,Nhận thức số\n"), "a.csv", "Thiếu cột: Điểm tối đa (max_points)."),
        (_csv("ma,ten\n1,x\n"), "a.csv", "Thiếu cột: Mã (code), Tên chỉ tiêu (name), Điểm tối đa (max_points)."),
        ("code,name,max_points\n1,Nhận thức số,10\n".encode("utf-16"), "a.csv", "phải mã hóa UTF-8"),
        (b"code,name,max_points\n1,x,1\n", "a.pdf", "Chỉ nhận tệp Excel (.xlsx) hoặc CSV (.csv)."),
        (b"x" * (5 * 1024 * 1024 + 1), "a.csv", "lớn hơn 5 MB"),
    ],
)
def test_an_unreadable_file_is_refused_with_a_plain_message(world, content, filename, expected):
    report = _import(world, content, filename)
    assert not report.ok
    assert any(expected in str(p) for p in report.problems), [str(p) for p in report.problems]
    assert _framework_count() == (0, 0)


@pytest.mark.parametrize(
    "body, expected",
    [
        ("1,Nhóm,abc\n", "Dòng 2, mã “1”: Điểm tối đa: “abc” không phải là số."),
        ("1,Nhóm,10\n1.1,Con,10\n1.1,Trùng,5\n", "Dòng 4, mã “1.1”: mã bị trùng với dòng 3."),
        ("1,Nhóm,10\n7.15.1,Con,10\n", "Dòng 3, mã “7.15.1”: mã cha “7.15” không có trong tệp."),
        ("1,Nhóm,10\n1.1,Con,15\n", "Dòng 3, mã “1.1”: điểm tối đa 15 lớn hơn điểm tối đa 10 của chỉ tiêu cha “1”."),
        ("1,Nhóm,20\n1.1,Con,10\n", "Dòng 2, mã “1”: điểm tối đa 20 khác tổng điểm tối đa các chỉ tiêu con (10)."),
        ("1,Nhóm,-5\n", "Dòng 2, mã “1”: "),
        (",Không mã,5\n", "Dòng 2: thiếu mã chỉ tiêu."),
        ("1,,5\n", "Dòng 2, mã “1”: thiếu tên chỉ tiêu."),
        ("1,Nhóm,\n", "Dòng 2, mã “1”: thiếu điểm tối đa."),
    ],
)
def test_a_bad_row_is_named_by_line_and_code_and_nothing_is_saved(world, body, expected):
    report = _import(world, _csv("code,name,max_points\n" + body), meta=META_2021 | {"unit_kind": "so"})
    messages = [str(p) for p in report.problems]
    assert any(m.startswith(expected) for m in messages), messages
    assert _framework_count() == (0, 0)


def test_steps_whose_top_step_exceeds_max_are_refused(world):
    body = (
        'code,name,max_points,rule,params\n'
        '1,Họp ban chỉ đạo,20,steps,"{""steps"": [{""min"": 1, ""points"": 5}, {""min"": 4, ""points"": 25}]}"\n'
    )
    report = _import(world, _csv(body), meta=META_2021 | {"unit_kind": "so"})
    assert not report.ok and "vượt điểm tối đa" in str(report.problems[0])
    assert _framework_count() == (0, 0)


RATIO_STEPS_FILE = (
    "Mã,Tên chỉ tiêu,Điểm tối đa,Cách tính điểm,Tham số\n"
    "1,Dịch vụ công trực tuyến,40,,\n"
    '1.1,"Tỷ lệ hồ sơ được tiếp nhận, xử lý trực tuyến",40,ratio_steps,'
    '"{""steps"": [{""min"": ""90 %"", ""points"": 40}, {""min"": ""70 %"", ""fraction"": 0.5}], ""b_zero"": ""zero""}"\n'
)


def test_a_ratio_steps_criterion_imports_as_the_decision_writes_it_and_exports_back_the_same(world):
    report = _import(world, _csv(RATIO_STEPS_FILE), meta=META_2021 | {"unit_kind": "so"})
    assert report.ok, [str(p) for p in report.problems]
    with scope(province=world.province_a):
        indicator = report.framework.indicators.get(code="1.1")
        assert indicator.rule == "ratio_steps" and indicator.get_rule_display() == "Tỷ lệ theo bậc"
        assert indicator.params == {"steps": [{"min": "0.7", "fraction": "0.5"}, {"min": "0.9", "points": "40"}],
                                    "b_zero": "zero"}
        assert indicator.params_text == "từ 70 %: 0,5 × điểm tối đa; từ 90 %: 40 điểm; mẫu số bằng 0 thì được 0 điểm"
        first_tree = _tree(report.framework)
        dataset = IndicatorResource(report.framework).export()
        again = framework_import(actor=None, province=world.province_a, filename="x.csv", content=render_csv(dataset),
                                 meta=META_2021 | {"unit_kind": "so"})
        assert again.ok and _tree(again.framework) == first_tree


@pytest.mark.parametrize(("params", "expected"), [
    ('{""steps"": [{""min"": 90, ""points"": 40}]}', "Dòng 3, mã “1.1”: Bậc 1 (min): ngưỡng tỷ lệ phải từ 0 đến 1"),
    ('{""steps"": [{""min"": ""70 %"", ""points"": 20}, {""min"": ""90 %"", ""points"": 30}]}',
     "Dòng 3, mã “1.1”: Bậc cao nhất (từ 90 %) cho 30 điểm, chưa bằng điểm tối đa 40"),
    ('{""target"": 0.9}', "Dòng 3, mã “1.1”: Cách tính “Tỷ lệ theo bậc” không dùng “target”"),
])
def test_a_badly_written_ratio_steps_criterion_is_refused_by_line(world, params, expected):
    body = RATIO_STEPS_FILE.rsplit("ratio_steps,", 1)[0] + f'ratio_steps,"{params}"\n'
    report = _import(world, _csv(body), meta=META_2021 | {"unit_kind": "so"})
    messages = [str(p) for p in report.problems]
    assert not report.ok and any(m.startswith(expected) for m in messages), messages
    assert _framework_count() == (0, 0)


def test_an_unknown_rule_and_bad_params_json_are_refused(world):
    body = 'code,name,max_points,rule,params\n1,A,10,magic,\n2,B,10,count,{per_item}\n'
    report = _import(world, _csv(body), meta=META_2021 | {"unit_kind": "so"})
    messages = " ".join(str(p) for p in report.problems)
    assert "cách tính điểm “magic” không có" in messages
    assert "không phải đối tượng JSON" in messages


def test_missing_or_wrong_framework_facts_are_refused(world):
    report = _import(world, _csv("code,name,max_points\n1,A,10\n"), meta={"name": "", "year": "hai nghìn", "unit_kind": "khong-co"})
    messages = " ".join(str(p) for p in report.problems)
    assert "Thiếu tên bộ chỉ số." in messages
    assert "Năm đánh giá “hai nghìn” không hợp lệ" in messages
    assert "Loại đơn vị “khong-co” không có trong tỉnh" in messages


def test_an_xlsx_with_a_code_turned_into_a_number_keeps_it_as_text(world):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Mã", "Tên chỉ tiêu", "Điểm tối đa"])  # Vietnamese headers are understood
    sheet.append([1, "Nhóm", 20])
    sheet.append([1.1, "Con một", 10])
    sheet.append(["1.10", "Con mười", 10])
    out = io.BytesIO()
    book.save(out)
    report = _import(world, out.getvalue(), "a.xlsx", meta=META_2021 | {"unit_kind": "so"})
    assert report.ok, [str(p) for p in report.problems]
    with scope(province=world.province_a):
        assert sorted(report.framework.indicators.values_list("code", flat=True)) == ["1", "1.1", "1.10"]


def test_the_command_refuses_the_published_table_with_a_non_zero_exit(world, province_unit, tmp_path, reference_2021):
    path = tmp_path / "province_dti_2021_daklak.csv"
    path.write_bytes(reference_2021)
    with pytest.raises(CommandError, match="Từ chối nhập"):
        call_command("import_framework", "tinh-a", str(path), "--name", "DTI", "--year", "2021", "--kind", "tinh")
    assert _framework_count() == (0, 0)


def test_the_command_imports_checks_and_exports(world, province_unit, tmp_path, reference_2021, capsys):
    path = tmp_path / "dti.csv"
    path.write_bytes(corrected(reference_2021))
    args = ["import_framework", "tinh-a", str(path), "--name", "DTI", "--year", "2021", "--kind", "tinh"]
    call_command(*args, "--dry-run")
    assert _framework_count() == (0, 0)
    call_command(*args, "--result-unit", "UBND tỉnh A")
    out = capsys.readouterr().out
    assert "Đã nhập “DTI”" in out and "Lưu ý" in out
    with scopes_disabled():
        framework = Framework.objects.get()
    target = tmp_path / "out.xlsx"
    call_command("export_framework", "tinh-a", str(framework.pk), "-o", str(target))
    sheet = openpyxl.load_workbook(target).worksheets[0]
    assert [c.value for c in sheet[1]][:4] == ["code", "parent_code", "name", "max_points"]
    assert sheet.max_row == 114 and sheet.freeze_panes == "A2"
    with pytest.raises(CommandError, match="không có bộ chỉ số"):
        call_command("export_framework", "tinh-b", str(framework.pk))
