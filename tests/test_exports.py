"""Exports that cannot attack the reader (issue 11, part 3): one shared mechanism (dti_portal/exports.py)
used by every CSV and xlsx the portal writes, and read back by its importers."""

import io

import openpyxl
import pytest
from django_scopes import scope, scopes_disabled

from dti_portal.exports import FORMULA_STARTS, csv_cell, csv_text, sheet_title
from indicators.models import Indicator
from indicators.resources import IndicatorResource
from indicators.services import framework_import, meta_values
from indicators.tables import render_csv, render_xlsx
from tests.assessments.test_workbook import export, setup  # noqa: F401  (fixture)
from tests.indicators.test_pages import framework  # noqa: F401  (fixture)

RISKY = ["=HYPERLINK(\"http://x\",\"bấm\")", "+84 912 345 678", "-2+3+cmd|' /C calc'!A0", "@SUM(A1:A9)", "\tx", "\rx"]


@pytest.mark.parametrize("text", RISKY)
def test_every_risky_start_is_quoted_in_csv_and_read_back_as_it_was(text):
    assert text.startswith(FORMULA_STARTS)
    assert csv_cell(text) == "'" + text and csv_text(csv_cell(text)) == text


def test_plain_text_a_lone_dash_and_numbers_pass_unchanged():
    assert [csv_cell(v) for v in ("Sở Y tế", "-", "", None, 3)] == ["Sở Y tế", "-", "", "", "3"]
    assert csv_text("'bình thường") == "'bình thường"  # an apostrophe before ordinary text is kept


def test_sheet_titles_are_made_valid_short_and_unique():
    taken: set[str] = set()
    assert sheet_title("Trụ cột 1/2", taken) == "Trụ cột 1-2"
    assert sheet_title("trụ cột 1/2", taken) == "trụ cột 1-2 (2)"  # Excel compares titles ignoring case
    assert sheet_title("[Nhóm]: chính quyền số? *", taken) == "-Nhóm-- chính quyền số- -"
    assert len(sheet_title("Xã hội số " * 10, taken)) == 31
    assert sheet_title("", taken) == "Trang"


def _risky_framework(world, framework):  # noqa: F811
    with scope(province=world.province_a):
        one = Indicator.objects.get(framework=framework, code="1.1")
        one.name, one.guidance = "- Có chuyên mục chuyển đổi số", RISKY[0]
        one.save()
    return one


def test_the_catalogue_export_quotes_risky_text_in_csv_keeps_it_text_in_xlsx_and_imports_back(world, framework):  # noqa: F811
    indicator = _risky_framework(world, framework)
    with scope(province=world.province_a):
        dataset = IndicatorResource(framework).export()
        csv_bytes = render_csv(dataset)
        xlsx_bytes = render_xlsx(dataset, meta_values(framework))
    text = csv_bytes.decode("utf-8-sig")
    assert "'- Có chuyên mục" in text and "'=HYPERLINK" in text
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes))["Chỉ tiêu"]
    cells = [c for row in sheet.iter_rows() for c in row if c.value == RISKY[0]]
    assert cells and all(c.data_type == "s" for c in cells)  # text, never a formula
    for name, content in (("lai.csv", csv_bytes), ("lai.xlsx", xlsx_bytes)):
        with scope(province=world.province_a):
            report = framework_import(actor=None, province=world.province_a, filename=name, content=content,
                                      meta={"name": f"Nhập lại {name}", "year": "2026", "unit_kind": "so"})
        assert report.ok, report.problems
        with scopes_disabled():
            again = Indicator.objects.get(framework=report.framework, code="1.1")
        assert (again.name, again.guidance) == (indicator.name, indicator.guidance)


def test_the_units_workbook_keeps_a_guidance_and_a_note_beginning_with_equals_as_text(setup):  # noqa: F811
    from django.utils import timezone

    from assessments import workbook
    from assessments.models import Answer

    with scopes_disabled():
        Indicator.objects.filter(pk=setup.ind["4"].pk).update(guidance=RISKY[0])
        Answer.objects.create(assessment=setup.assessment, indicator=setup.ind["4"], inputs={"points": "5"},
                              note="=1+2", self_score=5, updated_at=timezone.now())
    sheet = openpyxl.load_workbook(io.BytesIO(export(setup.assessment)))[workbook.DATA_SHEET]
    found = [c for row in sheet.iter_rows() for c in row if c.value == "=1+2" or (isinstance(c.value, str) and "HYPERLINK" in c.value)]
    assert len(found) >= 2 and all(c.data_type == "s" for c in found)


def test_ranking_exports_quote_risky_text_keep_numbers_and_accept_any_pillar_name():
    from decimal import Decimal

    from rankings.exporters import render_csv as ranking_csv
    from rankings.exporters import render_xlsx as ranking_xlsx

    rows = [[1, "=HYPERLINK(\"http://x\")", Decimal("-12.5"), "-"], [2, "Sở Y tế", Decimal("860.69"), "Tốt"]]
    text = ranking_csv(["rank", "unit", "change", "band"], rows).decode()
    assert "'=HYPERLINK" in text and '"-12,5"' in text and ",-\r\n" in text  # numbers stay numbers, "-" stays
    book = openpyxl.load_workbook(io.BytesIO(ranking_xlsx([("Trụ cột 1/2", ["Hạng", "Đơn vị", "Thay đổi", "Xếp loại"], rows),
                                                          ("TRỤ CỘT 1/2", ["Hạng"], [])])))
    assert book.sheetnames == ["Trụ cột 1-2", "TRỤ CỘT 1-2 (2)"]
    sheet = book["Trụ cột 1-2"]
    assert sheet["B2"].value == "=HYPERLINK(\"http://x\")" and sheet["B2"].data_type == "s"
    assert sheet["C2"].value == -12.5 and sheet["C3"].value == 860.69
