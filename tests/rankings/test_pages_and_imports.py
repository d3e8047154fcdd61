import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from rankings.models import ImportedResult
from rankings.results import results_import


def _url(name, **kwargs):
    return reverse(f"rankings:{name}", kwargs={"province": "daknong"} | kwargs)


@pytest.fixture
def demo(db):
    call_command("load_demo", mergers=False)  # Đắk Nông as its own tenant (before 01/07/2025): its own results and URLs
    from dti_portal.accounts.models import User

    return {u.username: u for u in User.objects.all()}


def test_the_ranking_page_shows_ranks_pillars_index_bands_averages_and_the_pillar_tables(demo, client):
    client.force_login(demo["daknong.lanhdao"])
    page = client.get(_url("ranking_detail", year=2023, kind_code="huyen")).content.decode()
    assert 'data-unit="UBND huyện Đắk Song"' in page and "685,21" in page and "Khá" in page
    assert "559,11" in page and "Xếp hạng trụ cột Chính quyền số" in page and "407,82" in page
    assert "<svg" in page and "Biểu đồ xếp hạng" in page
    sorted_page = client.get(_url("ranking_detail", year=2023, kind_code="huyen"), {"sap-xep": "the_che_so"}).content.decode()
    assert sorted_page.index("UBND huyện Đắk Song") < sorted_page.index("UBND huyện Cư Jút")


def test_the_year_over_year_change_is_flagged_when_the_frameworks_differ(demo, client):
    client.force_login(demo["daklak.lanhdao"])
    page = client.get(reverse("rankings:ranking_detail", kwargs={"province": "daklak", "year": 2023, "kind_code": "so"})).content.decode()
    assert 'data-testid="framework-changed"' in page and "Thay đổi so với năm 2020" in page


def test_the_excel_export_has_one_sheet_per_table_with_numbers_frozen_header_and_filter(demo, client):
    client.force_login(demo["daknong.lanhdao"])
    content = client.get(_url("ranking_export", year=2023, kind_code="huyen")).content
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["Xếp hạng", "Chính quyền số", "Kinh tế số", "Xã hội số"]
    sheet = book["Xếp hạng"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
    first = [c.value for c in sheet[2]]
    assert first[:3] == [1, "UBND huyện Đắk Song", 685.21] and first[-1] == "Khá"


def test_the_command_prints_the_ranking_as_csv(demo, capsysbinary):
    call_command("export_ranking", "daknong", "2023", "--kind", "so")
    lines = capsysbinary.readouterr().out.decode().splitlines()
    assert lines[0] == ("kind,unit,rank,total,nhan_thuc_so,the_che_so,ha_tang_so,nhan_luc_so,an_toan_thong_tin_mang,"
                        "hoat_dong_chinh_quyen_so,hoat_dong_xa_hoi_so,index,band")
    assert lines[1].startswith('so,Sở Thông tin và Truyền thông,1,"860,69",') and lines[1].endswith(',"0,86069",Tốt')
    with pytest.raises(CommandError, match="chưa có kết quả năm 2019"):
        call_command("export_ranking", "daknong", "2019")


def _import(slug, year, text):
    from dti_portal.tenancy.models import Province

    province = Province.objects.get(slug=slug)
    with scope(province=province):
        return results_import(actor=None, province=province, year=year, filename="x.csv", content=text.encode())


@pytest.mark.parametrize("text, message", [
    ("kind,unit,total\nso,Sở Không Có,10\n", "Sở Không Có: không tìm thấy đơn vị này"),
    ("kind,unit,total\nso,Sở Y tế,10\nso,SỞ Y TẾ,11\n", "đơn vị xuất hiện hai lần (dòng 2 và 3)"),
    ("kind,unit,total\nso,Sở Y tế,1200\n", "tổng 1200 điểm vượt tối đa 1000"),
    ("kind,unit,nhan_thuc_so\nso,Sở Y tế,150\n", "Nhận thức số: 150 điểm vượt tối đa 100"),
    ("kind,unit,total\nso,Sở Y tế,mười\n", "“mười” không phải là số"),
    ("kind,unit,total\nxa,Sở Y tế,10\n", "Sở Y tế: không tìm thấy đơn vị này"),
    ("kind,unit,total\ntinh,Sở Y tế,10\n", "loại đơn vị “tinh” không có"),
    ("unit,total\nSở Y tế,10\n", "Thiếu cột: kind"),
    ("", "Tệp rỗng"),
    ("kind,unit,khong_co_tru_cot\nso,Sở Y tế,10\n", "cột “khong_co_tru_cot” không khớp"),
    ("kind,unit,total\nso,Sở Y tế,738,08\n", "số cột của các dòng không khớp"),
])
def test_a_bad_results_file_names_every_problem_and_imports_nothing(demo, text, message):
    with scopes_disabled():
        before = ImportedResult.objects.count()
    report = _import("daknong", 2023, text)
    assert not report.ok and any(message in str(p) for p in report.problems), [str(p) for p in report.problems]
    with scopes_disabled():
        assert ImportedResult.objects.count() == before


def test_the_admin_imports_a_results_file_in_the_browser_with_a_preview(demo, client):
    client.force_login(demo["daknong.quantri"])
    upload = io.BytesIO("kind,unit,total\nso,Sở Y tế,700\nso,Sở Tư pháp,-\n".encode())
    upload.name = "ket-qua-2022.csv"
    preview = client.post(_url("results_upload"), {"year": "2022", "file": upload})
    assert "Tệp hợp lệ: 2 đơn vị" in preview.content.decode()
    with scopes_disabled():
        assert not ImportedResult.objects.filter(year=2022).exists()
    client.post(_url("results_upload"), {"confirm": "1"})
    with scopes_disabled():
        assert ImportedResult.objects.filter(year=2022).count() == 2
    bad = io.BytesIO("kind,unit,total\nso,Sở Ma,1\n".encode())
    bad.name = "sai.csv"
    response = client.post(_url("results_upload"), {"year": "2021", "file": bad})
    assert response.status_code == 400 and "Sở Ma: không tìm thấy đơn vị này" in response.content.decode()


def test_another_provinces_ranking_answers_404(demo, client):
    client.force_login(demo["daklak.lanhdao"])
    assert client.get(_url("ranking_detail", year=2023, kind_code="huyen")).status_code == 404
    assert client.get(reverse("rankings:ranking_detail", kwargs={"province": "daklak", "year": 1999, "kind_code": "so"})).status_code == 404


def test_a_unit_and_the_province_are_followed_year_over_year(demo, client):
    from dti_portal.tenancy.models import Unit

    client.force_login(demo["daklak.lanhdao"])
    with scopes_disabled():
        unit = Unit.objects.get(province__slug="daklak", name="Sở Tài chính")
    page = client.get(reverse("tenancy:unit_detail", kwargs={"province": "daklak", "unit_id": unit.pk})).content.decode()
    assert 'data-testid="unit-history"' in page and "<td>2020</td><td class=\"num\">3/18</td>" in page and "0,886" in page
    history = client.get(reverse("rankings:ranking_list", kwargs={"province": "daklak"})).content.decode()
    assert "114,98" in history and "146,34" in history and "17/18" in history


def test_the_command_writes_a_pdf_preview(demo, tmp_path):
    target = tmp_path / "xep-hang.pdf"
    call_command("export_ranking", "daknong", "2023", "--format", "pdf", "-o", str(target))
    assert target.read_bytes().startswith(b"%PDF")


def test_a_results_import_leaves_the_id_sequence_alone_so_provinces_can_import_at_once(demo):
    # django-import-export resets the sequence to the largest id its transaction sees after an
    # import, handing out ids another province's import (its own transaction) is still using.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        report = _import("daknong", 2022, "kind,unit,total\nso,Sở Y tế,700\n")
    assert report.ok and report.imported == 1
    with scopes_disabled():
        assert ImportedResult.objects.filter(year=2022).count() == 1
    assert not [q for q in queries if "setval" in q["sql"].lower() or "sqlite_sequence" in q["sql"].lower()]
