"""Every stored file the portal vouches for, checked against the checksum recorded when it was stored.

Evidence files (sha256 taken at upload) and publication files (the official PDF, the workbook, the
bundle of scorecards and each scorecard PDF, hashed when the worker wrote them). Used by
`manage.py verify_integrity` and by the backup drill (`make backup-drill`).
"""

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import FileField
from django_scopes import scopes_disabled

CHUNK = 1024 * 1024


@dataclass(frozen=True)
class StoredFile:
    what: str  # e.g. "Tài liệu kiểm chứng #12 (bien-ban.pdf)"
    name: str  # the storage name
    sha256: str  # recorded when stored
    field: FileField


@dataclass(frozen=True)
class Problem:
    file: StoredFile
    text: str

    def __str__(self) -> str:
        return f"{self.file.what} — {self.file.name}: {self.text}"


def stored_files() -> Iterator[StoredFile]:
    """Every file with a recorded checksum, in every province, in a stable order."""
    from assessments.models import Evidence
    from rankings.models import Publication, Scorecard

    with scopes_disabled():
        for evidence in Evidence.objects.order_by("pk").only("pk", "file", "sha256", "original_name").iterator(chunk_size=2000):
            yield StoredFile(f"Tài liệu kiểm chứng #{evidence.pk} ({evidence.original_name})", evidence.file.name,
                             evidence.sha256, evidence.file)
        for publication in Publication.objects.order_by("pk").select_related("province"):
            for label, field, checksum in (("báo cáo PDF", publication.pdf, publication.pdf_sha256),
                                           ("bảng tính Excel", publication.xlsx, publication.xlsx_sha256),
                                           ("phiếu điểm (zip)", publication.bundle, publication.bundle_sha256)):
                if field.name:
                    yield StoredFile(f"Công bố {publication.province.name} {publication.year}, {label}", field.name,
                                     checksum, field)
        for card in Scorecard.objects.order_by("pk").select_related("publication__province").iterator(chunk_size=2000):
            if card.pdf.name:
                yield StoredFile(f"Phiếu điểm {card.unit_name}, {card.publication.province.name} {card.publication.year}",
                                 card.pdf.name, card.pdf_sha256, card.pdf)


def file_sha256(field) -> str:
    digest = hashlib.sha256()
    with field.storage.open(field.name, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def check(files) -> Iterator[Problem]:
    """A Problem for each file that is missing, unreadable or differs from its recorded checksum."""
    for stored in files:
        if not stored.sha256:
            yield Problem(stored, "không có mã kiểm tra (sha256) được ghi khi lưu.")
            continue
        try:
            actual = file_sha256(stored.field)
        except FileNotFoundError:
            yield Problem(stored, "không tìm thấy tệp.")
            continue
        except OSError as error:
            yield Problem(stored, f"không đọc được tệp ({error.strerror or error}).")
            continue
        if actual != stored.sha256:
            yield Problem(stored, f"nội dung đã thay đổi (sha256 ghi nhận {stored.sha256[:12]}…, hiện tại {actual[:12]}…).")
