"""Evidence files: checked by content, stored under unguessable names, served only to who may see them."""

import hashlib
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from django_scopes import scopes_disabled

from assessments.evidence import EvidenceRefused, check_upload, sanitise_name
from assessments.models import Assessment, Evidence
from dti_portal.audit.models import Entry

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _upload(client, assessment, indicator, name, content):
    url = reverse("assessments:evidence_upload", kwargs={
        "province": "tinh-a", "assessment_id": assessment.pk, "indicator_id": indicator.pk})
    return client.post(url, {"file": SimpleUploadedFile(name, content)}, follow=True)


def _files(assessment):
    with scopes_disabled():
        return list(Evidence.objects.filter(answer__assessment=assessment))


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, "PNG")
    return out.getvalue()


def _xlsx() -> bytes:
    import openpyxl

    out = io.BytesIO()
    openpyxl.Workbook().save(out)
    return out.getvalue()


@pytest.mark.parametrize("name, content, content_type", [
    ("bao-cao.pdf", PDF, "application/pdf"),
    ("anh.png", _png(), "image/png"),
    ("anh.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 64, "image/jpeg"),
    ("so-lieu.xlsx", _xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("van-ban.docx", _zip({"[Content_Types].xml": b"<x/>", "word/document.xml": b"<w/>"}),
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("van-ban.odt", _zip({"mimetype": b"application/vnd.oasis.opendocument.text"}), "application/vnd.oasis.opendocument.text"),
    ("cu.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64 + "WordDocument".encode("utf-16-le"), "application/msword"),
    ("ghi-chu.txt", "Báo cáo chuyển đổi số năm 2025".encode(), "text/plain"),
    ("VAN-BAN.PDF", PDF, "application/pdf"),
    ("cu-nhung-la-docx.doc", _zip({"word/document.xml": b"<w/>"}),
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),  # still Word
    ("anh-png-ten-jpg.jpg", _png(), "image/png"),  # still an image
])
def test_each_allowed_kind_is_recognised_by_its_content(name, content, content_type):
    checked = check_upload(SimpleUploadedFile(name, content))
    assert checked.content_type == content_type
    assert checked.size == len(content) and checked.sha256 == hashlib.sha256(content).hexdigest()


@pytest.mark.parametrize("name, content, message", [
    ("setup.pdf", b"MZ\x90\x00" + b"\x00" * 200, "không phải loại được nhận (nội dung là tệp chạy được)"),
    ("linux.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 100, "nội dung là tệp chạy được"),
    ("nen.zip", _zip({"a.txt": b"x"}), "không phải loại được nhận"),
    ("trinh-chieu.pptx", _zip({"ppt/presentation.xml": b"<p/>"}), "không phải loại được nhận"),
    ("rac.bin", b"\x00\x01\x02\x03" * 100, "Chỉ nhận: PDF, Word, Excel, OpenDocument, ảnh JPEG/PNG, văn bản."),
    ("rong.pdf", b"", "Tệp “rong.pdf” rỗng (0 byte)."),
    ("bao-cao.pdf", "Đây là văn bản, không phải PDF".encode(), "Tệp “bao-cao.pdf” có đuôi .pdf nhưng nội dung là văn bản (.txt)"),
    ("thuc-ra-la-pdf.txt", PDF, "có đuôi .txt nhưng nội dung là PDF"),
    ("bang.xlsx", _zip({"word/document.xml": b"<w/>"}), "có đuôi .xlsx nhưng nội dung là Word (.docx)"),
    ("khong-duoi", PDF, "không có đuôi: chỉ nhận tệp có đuôi .pdf"),
    ("so-lieu.csv", b"a,b\n1,2\n", "đuôi “.csv”: chỉ nhận tệp có đuôi"),
])
def test_a_file_of_another_kind_or_empty_is_refused_with_a_message(name, content, message):
    with pytest.raises(EvidenceRefused) as refusal:
        check_upload(SimpleUploadedFile(name, content))
    assert message in refusal.value.message


def test_a_file_above_the_limit_is_refused_and_the_limit_is_a_setting():
    with pytest.raises(EvidenceRefused, match="vượt giới hạn 20 MB"):
        check_upload(SimpleUploadedFile("lon.pdf", PDF + b"0" * (21 * 1024 * 1024)))
    with override_settings(EVIDENCE_MAX_BYTES=1024):
        with pytest.raises(EvidenceRefused, match=r"\(1,1 MB\)|vượt giới hạn 0 MB|vượt giới hạn"):
            check_upload(SimpleUploadedFile("nho.pdf", PDF + b"0" * 2048))


@pytest.mark.parametrize("raw, clean", [
    ("../../etc/passwd", "passwd"),
    ("..\\..\\Báo cáo  năm 2024.pdf", "Báo cáo năm 2024.pdf"),
    ("con\x00trol.pdf", "control.pdf"),
    ("...an.pdf", "an.pdf"),
    ('a<b>c:"d"|e?.pdf', "abcde.pdf"),
    ("", "tep-dinh-kem"),
    ("x" * 300 + ".pdf", "x" * 146 + ".pdf"),
])
def test_file_names_are_sanitised(raw, clean):
    assert sanitise_name(raw) == clean


def test_an_officer_uploads_evidence_it_is_stored_unguessably_and_downloaded_back(world, assessment, indicators, client_as):
    client = client_as(world.officer_a1)
    page = _upload(client, assessment, indicators["1.1"], "../Ảnh chụp chuyên mục.pdf", PDF).content.decode()
    assert "Đã tải lên “Ảnh chụp chuyên mục.pdf” cho chỉ tiêu 1.1." in page
    [evidence] = _files(assessment)
    assert evidence.original_name == "Ảnh chụp chuyên mục.pdf" and evidence.content_type == "application/pdf"
    assert evidence.sha256 == hashlib.sha256(PDF).hexdigest() and evidence.size == len(PDF)
    assert "Ảnh" not in evidence.file.name and ".pdf" not in evidence.file.name and len(evidence.file.name) > 40
    download = client.get(reverse("assessments:evidence_download", kwargs={"province": "tinh-a", "evidence_id": evidence.pk}))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert "attachment" in download["Content-Disposition"] and download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Security-Policy"] == "sandbox"  # its own policy, not replaced by the site-wide one
    with scopes_disabled():
        assert Entry.objects.filter(assessment=assessment, action="evidence.added").count() == 1


def test_refused_uploads_say_why_and_store_nothing(world, assessment, indicators, client_as):
    client = client_as(world.officer_a1)
    assert "nội dung là tệp chạy được" in _upload(client, assessment, indicators["1.1"], "virus.pdf", b"MZ" + b"\x00" * 99).content.decode()
    assert "rỗng" in _upload(client, assessment, indicators["1.1"], "rong.pdf", b"").content.decode()
    with override_settings(EVIDENCE_MAX_BYTES=100):
        assert "vượt giới hạn" in _upload(client, assessment, indicators["1.1"], "lon.pdf", PDF + b"0" * 200).content.decode()
    assert _files(assessment) == []


def test_the_page_tells_the_browser_the_same_limit_as_the_server(world, assessment, client_as):
    with override_settings(EVIDENCE_MAX_BYTES=5 * 1024 * 1024):
        page = client_as(world.officer_a1).get(reverse("assessments:entry", kwargs={
            "province": "tinh-a", "assessment_id": assessment.pk})).content.decode()
    assert 'data-max-bytes="5242880"' in page and 'accept=".pdf,' in page


def test_only_those_who_may_see_the_assessment_download_its_evidence(world, assessment, indicators, client_as):
    _upload(client_as(world.officer_a1), assessment, indicators["1.1"], "a.pdf", PDF)
    [evidence] = _files(assessment)
    url = reverse("assessments:evidence_download", kwargs={"province": "tinh-a", "evidence_id": evidence.pk})
    for persona, status in [(world.appraiser_a, 200), (world.leader_a, 200), (world.officer_a2, 404), (world.nobody, 404)]:
        client = Client()
        client.force_login(persona)
        assert client.get(url).status_code == status, persona
    other = Client()
    other.force_login(world.admin_b)
    assert other.get(reverse("assessments:evidence_download", kwargs={"province": "tinh-b", "evidence_id": evidence.pk})).status_code == 404
    assert Client().get(url).status_code == 302  # anonymous: to the login page
    assert Client().get("/media-not-served/" + evidence.file.name).status_code == 404


def test_evidence_is_removable_before_submission_and_append_only_after(
    world, assessment, indicators, client_as, django_capture_on_commit_callbacks
):
    client = client_as(world.officer_a1)
    _upload(client, assessment, indicators["1.1"], "mot.pdf", PDF)
    _upload(client, assessment, indicators["1.1"], "hai.pdf", PDF)
    first, second = _files(assessment)
    delete = lambda e: reverse("assessments:evidence_delete", kwargs={"province": "tinh-a", "evidence_id": e.pk})  # noqa: E731
    with django_capture_on_commit_callbacks(execute=True):
        assert "Đã gỡ “mot.pdf” khỏi chỉ tiêu 1.1." in client.post(delete(first), follow=True).content.decode()
    assert not first.file.storage.exists(first.file.name)
    with scopes_disabled():
        Assessment.objects.filter(pk=assessment.pk).update(status=Assessment.Status.SUBMITTED)
    refused = client.post(delete(second), follow=True).content.decode()
    assert "Đơn vị đã gửi bản tự đánh giá" in refused
    assert [e.pk for e in _files(assessment)] == [second.pk]
    assert "Đơn vị đã gửi" in _upload(client, assessment, indicators["1.1"], "ba.pdf", PDF).content.decode()


def test_another_units_officer_cannot_upload_or_delete(world, assessment, indicators, client_as):
    _upload(client_as(world.officer_a1), assessment, indicators["1.1"], "a.pdf", PDF)
    [evidence] = _files(assessment)
    intruder = Client()
    intruder.force_login(world.officer_a2)
    assert _upload(intruder, assessment, indicators["1.1"], "b.pdf", PDF).status_code == 404
    assert intruder.post(reverse("assessments:evidence_delete", kwargs={"province": "tinh-a", "evidence_id": evidence.pk})).status_code == 404
    assert len(_files(assessment)) == 1


def test_a_post_without_csrf_token_is_refused(world, assessment, indicators):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.officer_a1)
    url = reverse("assessments:answer_save", kwargs={"province": "tinh-a", "assessment_id": assessment.pk, "indicator_id": indicators["1.2"].pk})
    assert client.post(url, {"a": "1", "b": "2"}).status_code == 403
    with scopes_disabled():
        assert not assessment.answers.exists()


def test_removing_evidence_asks_first_and_says_what_will_happen(world, assessment, indicators, client_as):
    client = client_as(world.officer_a1)
    _upload(client, assessment, indicators["1.1"], "mot.pdf", PDF)
    [evidence] = _files(assessment)
    url = reverse("assessments:evidence_delete", kwargs={"province": "tinh-a", "evidence_id": evidence.pk})
    page = client.get(url).content.decode()
    assert "Gỡ tài liệu kiểm chứng?" in page and "“mot.pdf”" in page and "không lấy lại được" in page
    assert 'data-testid="leaves-missing"' in page  # 1.1 needs evidence and this is its only file
    assert _files(assessment) == [evidence]  # GET changed nothing
    entry = client.get(reverse("assessments:entry", kwargs={"province": "tinh-a", "assessment_id": assessment.pk})).content.decode()
    assert f'href="{url}"' in entry  # the entry page links to the confirmation, it does not post
    client.post(url)
    assert _files(assessment) == []


def test_an_htmx_upload_refreshes_the_card_and_keeps_what_was_typed_in_it(world, assessment, indicators, client_as):
    from assessments.answer_forms import answer_version

    client = client_as(world.officer_a1)
    url = reverse("assessments:evidence_upload", kwargs={"province": "tinh-a", "assessment_id": assessment.pk,
                                                         "indicator_id": indicators["1.1"].pk})
    text = client.post(url, {"file": SimpleUploadedFile("anh.pdf", PDF), "value": "có", "note": "chưa lưu",
                             "version": answer_version({}, "")}, HTTP_HX_REQUEST="true").content.decode()
    assert "Đã tải lên “anh.pdf”." in text and ">anh.pdf</a>" in text
    assert 'value="có" checked' in text and 'value="chưa lưu"' in text and 'data-dirty="1"' in text
    assert 'id="entry-summary" hx-swap-oob="true"' in text
    empty = client.post(url, {"file": SimpleUploadedFile("rong.pdf", b"")}, HTTP_HX_REQUEST="true").content.decode()
    assert "Tệp rỗng (0 byte)." in empty or "rỗng" in empty
    assert len(_files(assessment)) == 1


def test_a_zip_bomb_costs_a_few_kilobytes_to_refuse_not_what_it_expands_to():
    # An ODF whose `mimetype` member inflates to 100 MB (about 100 KB on disk): only its first bytes are read.
    import tracemalloc

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("mimetype", "w") as member:
            for _ in range(100):
                member.write(b"a" * (1024 * 1024))
    bomb = SimpleUploadedFile("bao-cao.odt", buffer.getvalue())
    assert len(buffer.getvalue()) < 1024 * 1024
    tracemalloc.start()
    try:
        with pytest.raises(EvidenceRefused, match="không phải loại được nhận"):
            check_upload(bomb)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * 1024 * 1024, f"{peak / 1024 / 1024:.1f} MB"
