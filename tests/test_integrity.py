"""`manage.py verify_integrity`: every evidence and publication file against its recorded sha256."""

import hashlib

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django_scopes import scopes_disabled

from assessments.models import Answer, Evidence
from rankings.models import Publication, Scorecard
from tests.rankings.test_publication_queue import _request, final_year  # noqa: F401  (fixture)


@pytest.fixture
def published(world, final_year, django_capture_on_commit_callbacks):  # noqa: F811
    with django_capture_on_commit_callbacks(execute=True):
        publication = _request(world)  # queued on commit; the test settings run the tasks at once
    with scopes_disabled():
        publication.refresh_from_db()
        assert publication.status == Publication.Status.PUBLISHED
        answer = Answer.objects.filter(assessment=final_year[0]).first()
        content = b"%PDF-1.4 bien ban\n%%EOF\n"
        evidence = Evidence(answer=answer, original_name="bien-ban.pdf", content_type="application/pdf",
                            size=len(content), sha256=hashlib.sha256(content).hexdigest())
        evidence.file.save("x", ContentFile(content), save=False)
        evidence.save()
    return publication, evidence


def _run(capsys):
    with pytest.raises(SystemExit) as exit_:
        call_command("verify_integrity")
        raise SystemExit(0)
    out = capsys.readouterr()
    return exit_.value.code, out.out + out.err


def test_all_files_match_their_recorded_checksums(published, capsys):
    code, text = _run(capsys)
    with scopes_disabled():
        files = 1 + 3 + Scorecard.objects.count()
    assert code == 0 and f"Đã kiểm tra {files} tệp: tất cả khớp" in text


def test_a_changed_evidence_file_and_a_missing_published_file_exit_non_zero_naming_each(published, capsys):
    publication, evidence = published
    with evidence.file.storage.open(evidence.file.name, "wb") as handle:
        handle.write(b"%PDF-1.4 sua doi\n")
    publication.xlsx.storage.delete(publication.xlsx.name)
    code, text = _run(capsys)
    assert code == 1
    assert f"Tài liệu kiểm chứng #{evidence.pk} (bien-ban.pdf)" in text and "nội dung đã thay đổi" in text
    assert "bảng tính Excel" in text and "không tìm thấy tệp" in text
    assert "Có 2 / " in text
