"""Publication: a frozen snapshot, the official PDF, the workbook and one scorecard per unit with
checksums, made by the task queue (immediate backend here); a public page."""

import hashlib
import io
import logging
import subprocess
import unicodedata
from datetime import date

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_scopes import scope, scopes_disabled
from fontTools.ttLib import TTFont

from dti_portal.accounts.models import User
from dti_portal.tenancy.models import Province
from rankings.models import ImportedResult, Publication
from rankings.publication import publication_request
from rankings.report import FONTS


@pytest.fixture
def demo(db):
    call_command("load_demo", mergers=False)  # Đắk Nông as its own tenant (before 01/07/2025): its own results and URLs


@pytest.fixture
def publish(django_capture_on_commit_callbacks):
    """publish(slug, year) requests the publication; the queued tasks run at once (immediate backend)."""

    def run(slug, year, **kwargs):
        province = Province.objects.get(slug=slug)
        with scope(province=province), django_capture_on_commit_callbacks(execute=True):
            publication = publication_request(
                province=province, year=year, decision_number=kwargs.get("number", "401/QĐ-UBND"),
                decision_date=date(2024, 4, 5), signer="Chủ tịch UBND tỉnh",
                actor=User.objects.get(username=f"{slug}.quantri"))
        with scopes_disabled():
            publication.refresh_from_db()
        return publication

    return run


def _pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_publishing_freezes_the_tables_and_stores_the_pdf_and_workbook_with_checksums(demo, publish, caplog):
    with caplog.at_level(logging.WARNING):
        publication = publish("daknong", 2023)
    assert publication.status == Publication.Status.PUBLISHED
    assert not [r for r in caplog.records if r.name.startswith(("weasyprint", "fontTools"))], caplog.text
    with publication.pdf.open("rb") as f:
        pdf = f.read()
    assert hashlib.sha256(pdf).hexdigest() == publication.pdf_sha256
    text = _pdf_text(publication.pdf.path)
    assert "BÁO CÁO KẾT QUẢ CHỈ SỐ CHUYỂN ĐỔI SỐ" in text and "Trang 1 / " in text
    assert "559,11" in text and "Xếp hạng trụ cột Chính quyền số" in text and "407,82" in text
    assert text == unicodedata.normalize("NFC", text)
    fonts = subprocess.run(["pdffonts", publication.pdf.path], capture_output=True, text=True, check=True).stdout
    assert "DejaVu-Sans" in fonts and " yes yes " in fonts  # embedded, subset
    book = openpyxl.load_workbook(io.BytesIO(publication.xlsx.open("rb").read()))
    assert "Sở, ban, ngành" in book.sheetnames and "Chi tiết chỉ tiêu" in book.sheetnames
    sheet = book["Sở, ban, ngành"]
    assert sheet["C2"].value == 860.69 and sheet.freeze_panes == "A2" and sheet.auto_filter.ref


def test_every_character_of_the_report_and_of_a_scorecard_has_a_glyph_in_the_embedded_font(demo, publish):
    publication = publish("daklak", 2021, number="KH-BCĐCĐS")  # the provincial DTI, scored per criterion
    with scopes_disabled():
        card = publication.scorecards.get()
    assert card.unit_name == "UBND tỉnh Đắk Lắk"
    scorecard = _pdf_text(card.pdf.path)
    assert "PHIẾU ĐIỂM CHỈ SỐ CHUYỂN ĐỔI SỐ NĂM 2021" in scorecard and "Chưa triển khai" in scorecard
    assert "Phụ lục" not in _pdf_text(publication.pdf.path)  # the official report stays a few pages
    cmap = TTFont(FONTS / "DejaVuSans.ttf").getBestCmap()
    for text in (scorecard, _pdf_text(publication.pdf.path)):
        assert sorted({ch for ch in text if not ch.isspace() and ord(ch) not in cmap}) == []


def test_publishing_twice_is_refused(demo, publish):
    publish("daknong", 2023)
    with pytest.raises(ValidationError, match="đã được công bố theo quyết định 401/QĐ-UBND ngày 05/04/2024"):
        publish("daknong", 2023)


def test_publishing_while_assessments_are_not_final_lists_them(demo, publish):
    with pytest.raises(ValidationError) as refusal:
        publish("daknong", 2024)
    message = refusal.value.messages[0]
    assert "bản đánh giá chưa chốt kết quả" in message and "Sở Tư pháp (thẩm định lần 2)" in message
    with scopes_disabled():
        assert not Publication.objects.exists()


def test_later_edits_never_change_what_was_published(demo, publish, client):
    publish("daknong", 2023)
    with scopes_disabled():
        ImportedResult.objects.filter(unit__name="Sở Thông tin và Truyền thông", year=2023).update(total=1)
    page = client.get("/daknong/cong-khai/2023/").content.decode()
    assert "860,69" in page


def test_the_public_page_shows_published_results_only_without_login(demo, publish):
    anonymous = Client()
    assert "Chưa có kết quả nào được công bố" in anonymous.get("/daknong/cong-khai/").content.decode()
    assert anonymous.get("/daknong/cong-khai/2023/").status_code == 404
    publish("daknong", 2023)
    assert "Năm 2023" in anonymous.get("/daknong/cong-khai/").content.decode()
    assert anonymous.get("/daknong/cong-khai/2023/").status_code == 200
    assert anonymous.get("/daknong/cong-khai/2023/pdf/").status_code == 200
    assert anonymous.get("/daklak/cong-khai/2023/").status_code == 404  # another province: nothing published there
    assert anonymous.get("/daknong/lanh-dao/cong-bo/2023/pdf/").status_code == 302  # the internal list needs login


def test_leadership_downloads_and_another_provinces_report_is_404(demo, publish):
    publish("daknong", 2023)
    leader = Client()
    leader.force_login(User.objects.get(username="daknong.lanhdao"))
    response = leader.get(reverse("rankings:publication_download", kwargs={"province": "daknong", "year": 2023, "kind": "pdf"}))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    other = Client()
    other.force_login(User.objects.get(username="daklak.lanhdao"))
    assert other.get(reverse("rankings:publication_download", kwargs={"province": "daklak", "year": 2023, "kind": "pdf"})).status_code == 404
    assert other.get(reverse("rankings:publication_download", kwargs={"province": "daknong", "year": 2023, "kind": "pdf"})).status_code == 404


def test_the_admin_publishes_from_the_page_and_bad_input_is_refused(demo, django_capture_on_commit_callbacks):
    admin = Client()
    admin.force_login(User.objects.get(username="daknong.quantri"))
    url = reverse("rankings:publication_create", kwargs={"province": "daknong"})
    assert admin.get(url).status_code == 200  # the form alone
    bad = admin.post(url, {"year": "2023", "decision_number": "401/QĐ-UBND", "decision_date": "31/02/2024", "signer": "X"})
    assert bad.status_code == 400 and "Ngày quyết định không hợp lệ" in bad.content.decode()
    missing = admin.post(url, {"year": "2023", "decision_number": "", "decision_date": "05/04/2024", "signer": ""}).content.decode()
    assert "Cần số quyết định." in missing and "Cần người ký." in missing
    with django_capture_on_commit_callbacks(execute=True):
        ok = admin.post(url, {"year": "2023", "decision_number": "401/QĐ-UBND", "decision_date": "05/04/2024", "signer": "Chủ tịch"})
    assert ok.status_code == 302 and ok["Location"] == "/daknong/lanh-dao/cong-bo/2023/"
    page = admin.get(ok["Location"]).content.decode()
    assert "Đã ghi nhận yêu cầu công bố kết quả năm 2023" in page and "Đã công bố" in page


FORM = {"year": "2023", "decision_number": "401/QĐ-UBND", "decision_date": "05/04/2024", "signer": "Chủ tịch UBND tỉnh"}


def _admin(username="daknong.quantri"):
    admin = Client()
    admin.force_login(User.objects.get(username=username))
    return admin


def test_the_publish_form_asks_first_saying_what_becomes_read_only_and_changes_nothing(demo):
    admin = _admin("daklak.quantri")
    url = reverse("rankings:publication_create", kwargs={"province": "daklak"})
    response = admin.get(url, FORM | {"year": "2021", "decision_number": "KH-BCĐCĐS"})
    page = response.content.decode()
    assert response.status_code == 200 and "Công bố kết quả năm 2021" in page
    assert "1 bản đánh giá</b> chuyển từ “Đã chốt kết quả” sang <b>“Đã công bố”</b>" in page
    assert "UBND tỉnh Đắk Lắk" in page and "không ai mở lại hay sửa được nữa" in page and "Không có thư báo" in page
    assert 'name="decision_number" value="KH-BCĐCĐS"' in page  # carried to the confirming POST
    with scopes_disabled():
        assert not Publication.objects.exists()


def test_a_refused_publication_keeps_what_was_typed(demo):
    admin = _admin()
    url = reverse("rankings:publication_create", kwargs={"province": "daknong"})
    for response in (admin.get(url, FORM | {"year": "2024"}), admin.post(url, FORM | {"year": "2024"})):
        page = response.content.decode()
        assert response.status_code == 400 and "bản đánh giá chưa chốt kết quả" in page
        assert 'value="401/QĐ-UBND"' in page and 'value="Chủ tịch UBND tỉnh"' in page and 'value="05/04/2024"' in page
        assert "<option selected>2024</option>" in page
    too_long = admin.post(url, FORM | {"signer": "X" * 151})
    page = too_long.content.decode()
    assert too_long.status_code == 400 and "Tên người ký dài quá 150 ký tự." in page and 'value="401/QĐ-UBND"' in page
    with scopes_disabled():
        assert not Publication.objects.exists()


def test_asking_to_publish_a_year_already_published_is_refused_on_the_form(demo, publish):
    publish("daknong", 2023)
    response = _admin().get(reverse("rankings:publication_create", kwargs={"province": "daknong"}), FORM)
    assert response.status_code == 400 and "đã được công bố theo quyết định 401/QĐ-UBND" in response.content.decode()


def test_only_a_province_admin_opens_the_publish_confirmation(demo):
    leader = _admin("daknong.lanhdao")
    assert leader.get(reverse("rankings:publication_create", kwargs={"province": "daknong"}), FORM).status_code == 403


def _words_past_the_right_margin(pdf: bytes, margin_pt: float) -> list[str]:
    """Words whose right edge passes the page's right margin (pdftotext's word boxes, in points)."""
    import re

    boxes = subprocess.run(["pdftotext", "-bbox", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    late = []
    for page in re.finditer(r'<page width="([\d.]+)" height="[\d.]+">(.*?)</page>', boxes, re.S):
        limit = float(page.group(1)) - margin_pt + 1
        late += [word for x_max, word in re.findall(r'xMax="([\d.]+)"[^>]*>([^<]*)<', page.group(2)) if float(x_max) > limit]
    return late


def test_no_ranking_table_runs_off_the_page_even_with_a_column_per_pillar_and_more(demo):
    from rankings.publication import snapshot_of
    from rankings.report import render_pdf
    from rankings.selectors import ranking_table

    province = Province.objects.get(slug="daknong")
    with scope(province=province):
        tables = [snapshot_of(ranking_table(province, 2023, kind)) for kind in province.unit_kinds.filter(code__in=["so", "huyen"])]
    huyen = tables[-1]
    assert len(huyen["columns"]) >= 8  # the table the report used to cut at the right edge
    wider = json_copy(huyen) | {"kind": "Bảng thử rộng hơn"}
    for n in range(5):  # five more pillars with long names, and a change column
        wider["columns"].append({"key": f"them_{n}", "label": f"Trụ cột bổ sung số {n} về dữ liệu số", "maximum": "100", "average": "55.5"})
        for row in wider["rows"]:
            row["parts"][f"them_{n}"] = "99.99"
    wider["previous_year"], wider["framework_changed"] = 2022, False
    meta = {"province": "Đắk Nông", "agency": "Sở TT&TT", "year": 2023, "decision_number": "401/QĐ-UBND",
            "decision_date": "05/04/2024", "signer": "Chủ tịch"}
    pdf = render_pdf({"meta": meta, "tables": [*tables, wider]})
    assert _words_past_the_right_margin(pdf, margin_pt=12 / 25.4 * 72) == []
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "UBND huyện Cư Jút" in text and "Xếp loại" in text


def json_copy(value):
    import json

    return json.loads(json.dumps(value))
