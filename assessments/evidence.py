"""Checking an uploaded evidence file (tài liệu kiểm chứng) before it is stored.

The type is read from the content, never from the name: a handful of signatures cover every
kind the portal accepts, so a few explicit checks are clearer here than a general library.
"""

import hashlib
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from django.conf import settings

MAX_BYTES_DEFAULT = 20 * 1024 * 1024

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT, ODS, ODP = (f"application/vnd.oasis.opendocument.{k}" for k in ("text", "spreadsheet", "presentation"))
ALLOWED: dict[str, str] = {
    "application/pdf": "PDF",
    "application/msword": "Word (.doc)",
    DOCX: "Word (.docx)",
    "application/vnd.ms-excel": "Excel (.xls)",
    XLSX: "Excel (.xlsx)",
    ODT: "OpenDocument văn bản (.odt)",
    ODS: "OpenDocument bảng tính (.ods)",
    ODP: "OpenDocument trình chiếu (.odp)",
    "image/jpeg": "ảnh JPEG",
    "image/png": "ảnh PNG",
    "text/plain": "văn bản (.txt)",
}
ACCEPT_ATTRIBUTE = ",".join(
    [".pdf", ".doc", ".docx", ".xls", ".xlsx", ".odt", ".ods", ".odp", ".jpg", ".jpeg", ".png", ".txt", *ALLOWED]
)
ALLOWED_SUMMARY = "PDF, Word, Excel, OpenDocument, ảnh JPEG/PNG, văn bản"
# The content types each file name ending may hold: the detected type must be of the name's family
# (a .doc that is really a .docx is still Word; a text file named .pdf is not a PDF).
_WORD, _EXCEL = {"application/msword", DOCX}, {"application/vnd.ms-excel", XLSX}
_IMAGES = {"image/jpeg", "image/png"}
FAMILIES: dict[str, set[str]] = {
    "pdf": {"application/pdf"}, "doc": _WORD, "docx": _WORD, "xls": _EXCEL, "xlsx": _EXCEL,
    "odt": {ODT}, "ods": {ODS}, "odp": {ODP}, "jpg": _IMAGES, "jpeg": _IMAGES, "png": _IMAGES, "txt": {"text/plain"},
}
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ILLEGAL = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')


def max_bytes() -> int:
    return int(getattr(settings, "EVIDENCE_MAX_BYTES", MAX_BYTES_DEFAULT))


class EvidenceRefused(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CheckedFile:
    original_name: str
    content_type: str
    size: int
    sha256: str


def sanitise_name(name: str) -> str:
    """The file's own name, safe to show and to send back: no folders, no control characters."""
    name = re.split(r"[/\\]", unicodedata.normalize("NFC", name or ""))[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = _ILLEGAL.sub("", name)
    name = re.sub(r"\s+", " ", name).strip().lstrip(". ").strip()
    if len(name) > 150:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 150 - len(ext) - 1] + "." + ext) if dot and len(ext) <= 10 else name[:150]
    return name or "tep-dinh-kem"


def _megabytes(size: int) -> str:
    value = round(size / (1024 * 1024), 1)
    return (f"{value:.1f}".rstrip("0").rstrip(".")).replace(".", ",")


def sniff_content_type(head: bytes, whole: bytes | None = None) -> str | None:
    """The content type by the file's own bytes, if it is one the portal accepts."""
    data = whole if whole is not None else head
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(_OLE2):
        if "WordDocument".encode("utf-16-le") in data:
            return "application/msword"
        if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
            return "application/vnd.ms-excel"
        return None
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    if head.startswith((b"MZ", b"\x7fELF")):
        return None
    return "text/plain" if _is_text(head) else None


MIMETYPE_MAX = 128  # bytes read of an ODF's `mimetype` member (the longest valid one is 46)


def _zip_kind(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                # At most a few bytes of the member, whatever it claims to expand to: an ODF whose
                # `mimetype` entry inflates to hundreds of MB costs nothing here.
                with archive.open("mimetype") as member:
                    mimetype = member.read(MIMETYPE_MAX).decode("ascii", "replace").strip()
                return mimetype if mimetype in (ODT, ODS, ODP) else None
            if "word/document.xml" in names:
                return DOCX
            if "xl/workbook.xml" in names:
                return XLSX
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    return None


def _is_text(head: bytes) -> bool:
    sample = head[:8192]
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            sample.decode("utf-16")
            return True
        except UnicodeDecodeError:
            return False
    if b"\x00" in sample:
        return False
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as error:
        return error.start >= len(sample) - 3  # a multi-byte character cut by the sample's end
    return True


def check_upload(uploaded_file) -> CheckedFile:
    """Size, type by content, sha256 and a safe name; `EvidenceRefused` says why not."""
    name = sanitise_name(getattr(uploaded_file, "name", ""))
    limit = max_bytes()
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > limit:
        raise EvidenceRefused(f"Tệp “{name}” ({_megabytes(size)} MB) vượt giới hạn {_megabytes(limit)} MB.")
    digest, chunks = hashlib.sha256(), []
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
        chunks.append(chunk)
        if sum(map(len, chunks)) > limit:
            raise EvidenceRefused(f"Tệp “{name}” vượt giới hạn {_megabytes(limit)} MB.")
    data = b"".join(chunks)
    if not data:
        raise EvidenceRefused(f"Tệp “{name}” rỗng (0 byte).")
    content_type = sniff_content_type(data[:8192], data)
    if content_type is None:
        what = "tệp chạy được" if data.startswith((b"MZ", b"\x7fELF")) else "không xác định"
        raise EvidenceRefused(
            f"Tệp “{name}” không phải loại được nhận (nội dung là {what}). Chỉ nhận: {ALLOWED_SUMMARY}."
        )
    _check_family(name, content_type)
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    return CheckedFile(original_name=name, content_type=content_type, size=len(data), sha256=digest.hexdigest())


def _check_family(name: str, content_type: str) -> None:
    """The name's ending must announce what the content is: people open files by their name."""
    stem, dot, ending = name.rpartition(".")
    ending = ending.lower() if dot and stem else ""
    endings = ", ".join(f".{e}" for e in FAMILIES)
    if ending not in FAMILIES:
        shown = f"đuôi “.{ending}”" if ending else "không có đuôi"
        raise EvidenceRefused(f"Tệp “{name}” {shown}: chỉ nhận tệp có đuôi {endings}.")
    if content_type not in FAMILIES[ending]:
        raise EvidenceRefused(
            f"Tệp “{name}” có đuôi .{ending} nhưng nội dung là {ALLOWED[content_type]}: "
            "hãy chọn đúng tệp, hoặc đặt lại tên tệp cho đúng loại rồi tải lên lại."
        )
