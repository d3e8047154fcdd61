"""Catalogue files are read within limits (issue 11, part 1): a hostile or broken workbook is refused
early, in bounded memory, with a Vietnamese message — never read to the end of what it claims."""

import io
import re
import tracemalloc
import zipfile

import openpyxl
import pytest

from indicators.tables import load_table

HEADER = ["code", "name", "max_points", "rule"]


def _peak(fn):
    tracemalloc.start()
    try:
        result = fn()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _saved(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _without_dimension(content: bytes) -> bytes:
    """The same workbook with its sheet's <dimension> removed, as a hand-made file may come."""
    source, out = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = re.sub(rb"<dimension[^>]*/>", b"", data)
            target.writestr(item, data)
    return out.getvalue()


@pytest.fixture(scope="module")
def many_rows() -> bytes:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADER)
    for n in range(200_000):
        sheet.append(["1", "Chỉ tiêu", 1, "manual"])
    return _saved(book)


def test_a_workbook_of_200_000_rows_is_refused_without_reading_them(many_rows):
    assert len(many_rows) < 5 * 2**20  # under the upload limit: its sheet unzips to some 30 MB
    for content in (many_rows, _without_dimension(many_rows)):
        table, peak = _peak(lambda: load_table("dti.xlsx", content))
        assert "giải nén ra quá lớn" in str(table.problems[0])
        assert peak < 16 * 1024 * 1024, f"{peak / 2**20:.0f} MB"


def test_rows_beyond_the_limit_are_refused_as_they_stream_even_without_a_declared_size():
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADER)
    for n in range(25_000):
        sheet.append(["1", "Chỉ tiêu", 1, "manual"])
    content = _saved(book)  # openpyxl's write-only mode declares no size either
    streamed, peak = _peak(lambda: load_table("dti.xlsx", _without_dimension(content)))
    assert "quá nhiều dòng; một bộ chỉ số có tối đa 2000 dòng" in str(streamed.problems[0])
    assert peak < 64 * 1024 * 1024, f"{peak / 2**20:.0f} MB"


def test_a_workbook_whose_only_cell_is_xfd1048576_is_refused_naming_the_cell():
    book = openpyxl.Workbook()
    book.active["XFD1048576"] = 1
    content = _saved(book)
    assert len(content) < 10_000
    table, peak = _peak(lambda: load_table("dti.xlsx", content))
    assert "kéo dài đến ô XFD1048576" in str(table.problems[0])
    hidden, peak_hidden = _peak(lambda: load_table("dti.xlsx", _without_dimension(content)))
    assert hidden.problems and max(peak, peak_hidden) < 64 * 1024 * 1024


def test_an_archive_that_unzips_to_more_than_a_catalogue_can_hold_is_refused_before_opening():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("xl/media/image1.png", "w") as member:
            for _ in range(70):
                member.write(b"\0" * 2**20)
    table, peak = _peak(lambda: load_table("dti.xlsx", out.getvalue()))
    assert "giải nén ra quá lớn" in str(table.problems[0]) and peak < 8 * 1024 * 1024


def test_trailing_empty_rows_and_columns_are_not_part_of_the_catalogue():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(["1", "Nhận thức số", 100, "manual"])
    sheet["AA5000"] = None  # formatting far away, no content
    sheet.cell(row=5000, column=3).number_format = "0.00"
    table = load_table("dti.xlsx", _saved(book))
    assert not table.problems and len(table.records) == 1 and table.records[0]["code"] == "1"
