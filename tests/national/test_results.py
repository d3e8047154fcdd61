"""The province's national results by year (issue 12, deliverable 1): services, the import of a year,
and their bad input — each refused with a Vietnamese message, nothing saved."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope, scopes_disabled

from assessments.models import Answer
from dti_portal.audit.models import Entry
from indicators.services import framework_clone
from national.models import NationalResult, PeerTotal, PillarResult
from national.results import parse_peers, peers_save, pillars_save, result_import, result_save

from .results_fixtures import national, reference_bytes  # noqa: F401

pytestmark = pytest.mark.django_db


def entries(action):
    with scopes_disabled():
        return Entry.objects.filter(action=action).count()


def answer(world, code, year=2021):
    with scopes_disabled():
        result = NationalResult.objects.get(province=world.province_a, year=year)
        return Answer.objects.get(assessment=result.assessment, indicator__code=code)


def save(world, **changes):
    result = world.result_2021
    values = {"province": world.province_a, "year": 2021, "assessment": result.assessment, "rank": 36, "provinces": 63,
              "published_total": None, "source": "Bộ TTTT", "actor": world.admin_a} | changes
    with scope(province=world.province_a):
        return result_save(**values)


# --- result_save ---------------------------------------------------------------------------
def test_saving_a_result_writes_one_entry_with_what_changed(national):
    before = entries("national.result_saved")
    save(national, rank=30, published_total="398,49")
    with scopes_disabled():
        result = NationalResult.objects.get(pk=national.result_2021.pk)
        entry = Entry.objects.filter(action="national.result_saved").latest("pk")
    assert (result.rank, result.published_total) == (30, Decimal("398.49"))
    assert entries("national.result_saved") == before + 1
    assert entry.old == {"rank": 36, "published_total": "", "source": national.result_2021.source}
    assert entry.new["rank"] == 30


@pytest.mark.parametrize("rank, message", [
    (64, "hạng 64 lớn hơn số tỉnh, thành phố được xếp hạng (63)"),
    (0, "hạng phải từ 1 trở lên"),
    (-3, "không được là số âm"),
    ("ba mươi", "không phải là số"),
    ("3.5", "không rõ nghĩa"),
    ("3,5", "phải là số nguyên"),
])
def test_a_bad_overall_rank_is_refused_and_nothing_changes(national, rank, message):
    with pytest.raises(ValidationError) as refused:
        save(national, rank=rank)
    assert message in " ".join(refused.value.messages)
    with scopes_disabled():
        assert NationalResult.objects.get(pk=national.result_2021.pk).rank == 36


def test_a_rank_within_fewer_provinces_is_checked_against_that_years_number(national):
    with pytest.raises(ValidationError, match=r"lớn hơn số tỉnh, thành phố được xếp hạng \(34\)"):
        save(national, rank=36, provinces=34)


def test_a_published_total_above_the_catalogues_max_or_written_the_english_way_is_refused(national):
    with pytest.raises(ValidationError, match="lớn hơn điểm tối đa 1000"):
        save(national, published_total="1.200")
    with pytest.raises(ValidationError, match=r"viết số thập phân bằng dấu phẩy \(398,49\)"):
        save(national, published_total="398.49")


def test_a_result_must_be_the_final_result_of_the_provinces_own_unit(national):
    with scopes_disabled():
        from assessments.models import Assessment

        other = Assessment.objects.exclude(unit=national.tinh_a).first()
    if other is not None:  # the world has no other FINAL assessment; the unit check is what matters
        with pytest.raises(ValidationError):
            save(national, assessment=other)
    with scopes_disabled():
        from assessments.models import Assessment

        assessment = Assessment.objects.select_related("period").get(pk=national.result_2021.assessment_id)
    with scope(province=national.province_b), pytest.raises(ValidationError, match="không thuộc tỉnh này"):
        result_save(province=national.province_b, year=2021, assessment=assessment, rank=1, provinces=63,
                    published_total=None, source="", actor=national.admin_b)


# --- pillars -------------------------------------------------------------------------------
def pillar(world, code, framework=None):
    with scopes_disabled():
        return (framework or world.framework_2021).indicators.get(code=code)


def test_pillars_save_ranks_and_printed_points_in_one_entry(national):
    before = entries("national.ranks_saved")
    with scope(province=national.province_a):
        pillars_save(result=national.result_2021, pillars={pillar(national, "1"): (20, Decimal(75))}, actor=national.admin_a)
    with scopes_disabled():
        saved = PillarResult.objects.get(result=national.result_2021, indicator__code="1")
        entry = Entry.objects.filter(action="national.ranks_saved").latest("pk")
    assert (saved.rank, saved.published_points) == (20, Decimal(75))
    assert entries("national.ranks_saved") == before + 1
    assert entry.old == {"1": [22, "74"]} and entry.new == {"1": [20, "75"]}


def test_a_pillar_of_another_framework_or_a_criterion_is_refused(national):
    with scope(province=national.province_a):
        clone = framework_clone(framework=national.framework_2021, year=2022, actor=None)
    for indicator in (pillar(national, "1", clone), pillar(national, "1.1")):
        with scope(province=national.province_a), pytest.raises(ValidationError, match="không phải trụ cột"):
            pillars_save(result=national.result_2021, pillars={indicator: (1, None)}, actor=None)


@pytest.mark.parametrize("rank, points, message", [
    (64, None, "lớn hơn số tỉnh"), (0, None, "từ 1 trở lên"), (None, Decimal(101), "lớn hơn điểm tối đa 100"),
    ("x", None, "không phải là số"),
])
def test_a_bad_pillar_rank_or_points_is_refused_and_nothing_changes(national, rank, points, message):
    with scope(province=national.province_a), pytest.raises(ValidationError, match=message):
        pillars_save(result=national.result_2021, pillars={pillar(national, "2"): (rank, points)}, actor=None)
    with scopes_disabled():
        assert PillarResult.objects.get(result=national.result_2021, indicator__code="2").rank == 53


# --- peers ---------------------------------------------------------------------------------
def test_peers_are_replaced_with_one_entry(national):
    with scope(province=national.province_a):
        peers_save(result=national.result_2021, peers=parse_peers("Lâm Đồng: 512,34\nGia Lai;401,5\n\nKon Tum\t350"),
                   actor=national.admin_a)
        peers_save(result=national.result_2021, peers=[("Lâm Đồng", Decimal("512.34"))], actor=national.admin_a)
    with scopes_disabled():
        assert list(PeerTotal.objects.filter(result=national.result_2021).values_list("name", "total")) == [
            ("Lâm Đồng", Decimal("512.34"))]
    assert entries("national.peers_saved") == 2


@pytest.mark.parametrize("text, message", [
    ("Lâm Đồng: 512.34", "viết số thập phân bằng dấu phẩy (512,34)"),
    ("Lâm Đồng 512", "viết “Tên tỉnh: tổng điểm”"),
    ("Lâm Đồng: nhiều", "không phải là số"),
    ("Lâm Đồng: -5", "không được là số âm"),
])
def test_bad_lines_of_peers_are_refused_with_how_to_write_them(text, message):
    with pytest.raises(ValidationError) as refused:
        parse_peers(text)
    assert message in " ".join(refused.value.messages)


@pytest.mark.parametrize("peers, message", [
    ([("Lâm Đồng", Decimal(1)), ("lâm  đồng", Decimal(2))], "có hai lần"),
    ([("Gia Lai", Decimal(1001))], "lớn hơn điểm tối đa 1000"),
    ([("Tỉnh A", Decimal(1))], "là chính tỉnh mình"),
    ([(f"Tỉnh {n}", Decimal(1)) for n in range(63)], "chỉ 63 tỉnh"),
    ([("", Decimal(1))], "Thiếu tên"),
])
def test_bad_peers_are_refused_and_the_old_ones_stay(national, peers, message):
    with scope(province=national.province_a):
        peers_save(result=national.result_2021, peers=[("Lâm Đồng", Decimal(500))], actor=None)
        with pytest.raises(ValidationError, match=message):
            peers_save(result=national.result_2021, peers=peers, actor=None)
    with scopes_disabled():
        assert list(PeerTotal.objects.filter(result=national.result_2021).values_list("name", flat=True)) == ["Lâm Đồng"]


# --- importing a year ----------------------------------------------------------------------
def run_import(world, content, *, year=2021, filename="ket-qua.csv", **kwargs):
    with scope(province=world.province_a):
        return result_import(province=world.province_a, year=year, filename=filename, content=content,
                             actor=world.admin_a, **kwargs)


def test_the_reference_table_verbatim_is_refused_for_its_two_defects_with_how_to_fix_them(national):
    before = entries("national.result_imported")
    report = run_import(national, reference_bytes(), rank=36)
    messages = [str(p) for p in report.problems]
    assert any("“6.2” có hai lần" in m and "“6.20” khác “6.2”" in m for m in messages), messages
    assert any("mã “5.10”" in m and "điểm đạt 8 lớn hơn điểm tối đa 5" in m and "cột “Ghi chú”" in m for m in messages)
    assert len(messages) == 2
    assert entries("national.result_imported") == before
    assert answer(national, "5.10").final_score == 5


def corrected_reference() -> bytes:
    """The reference table with its two defects corrected as the catalogue did, a note column and ranks."""
    lines = reference_bytes().decode("utf-8-sig").splitlines()
    out, seen = [lines[0] + ",rank,note"], False
    ranks = dict(zip("12345678", [22, 53, 35, 53, 27, 37, 34, 39]))
    for line in lines[1:]:
        code = line.split(",", 1)[0]
        note = ""
        if code == "6.2" and seen:
            line, note = "6.20" + line[3:], "In nhầm mã 6.2"
        seen = seen or code == "6.2"
        if code == "5.10":
            line, note = line.replace(",5,8,", ",5,5,"), "Bản công bố ghi 8 điểm"
        out.append(f"{line},{ranks.get(code, '')},{note}")
    out.append("Tổng,,,\"398,49\",,36,")
    return "\n".join(out).encode()


def test_the_corrected_reference_table_imports_into_the_existing_result(national):
    before = entries("national.result_imported")
    report = run_import(national, corrected_reference(), rank=None)
    assert report.ok, report.problems
    assert report.criteria == 104 or report.criteria > 90
    assert any("54" in str(n) and "52,47" in str(n) for n in report.notes)  # pillar 5, kept and flagged
    with scopes_disabled():
        result = NationalResult.objects.get(pk=national.result_2021.pk)
        assert (result.rank, result.published_total) == (36, Decimal("398.49"))
        assert result.pillars.get(indicator__code="5").published_points == 54
        assert result.assessment_id == national.result_2021.assessment_id
    assert answer(national, "5.10").note == "Bản công bố ghi 8 điểm"
    assert entries("national.result_imported") == before + 1


def test_points_written_the_english_way_are_refused_with_how_to_write_them(national):
    report = run_import(national, "code,achieved\n3.1,6.8\n".encode())
    assert [str(p) for p in report.problems] == [
        "Dòng 2, mã “3.1”: Điểm đạt được: “6.8” không rõ nghĩa: viết số thập phân bằng dấu phẩy (6,8); "
        "dấu chấm chỉ dùng để tách hàng nghìn (1.000)."]
    assert answer(national, "3.1").final_score == Decimal("6.8")


@pytest.mark.parametrize("content, message", [
    ("code,achieved\n3.99,1\n", "mã “3.99” không có trong bộ chỉ số"),
    ("code,achieved\n3.1,11\n", "điểm đạt 11 lớn hơn điểm tối đa 10"),
    ("code,achieved\n3.1,-1\n", "không được là số âm"),
    ("code,achieved\n3.1,nhiều\n", "không phải là số"),
    ("code,achieved,rank\n3.1,5,4\n", "chỉ ghi xếp hạng ở dòng trụ cột"),
    ("code,achieved,rank\n3,40,70\n", "hạng 70 lớn hơn số tỉnh"),
    ("code,achieved,rank\n3,40,0\n", "từ 1 trở lên"),
    ("code,reason\n3.1,x\n", "thiếu cột: Điểm đạt được"),
    ("ma,diem\n3.1,1\n", "thiếu cột: Mã (code), Điểm đạt được"),
    ("", "tệp rỗng"),
    ("code,achieved\n3.1,\n", "không có điểm đạt được của chỉ số nào"),
])
def test_a_bad_file_is_refused_and_nothing_is_saved(national, content, message):
    report = run_import(national, content.encode() if isinstance(content, str) else content)
    assert not report.ok
    assert any(message.casefold() in str(p).casefold() for p in report.problems), [str(p) for p in report.problems]
    assert answer(national, "3.1").final_score == Decimal("6.8")


def test_a_rank_above_the_number_of_provinces_in_the_form_is_refused(national):
    report = run_import(national, "code,achieved\n3.1,7\n".encode(), rank=64)
    assert any("hạng 64 lớn hơn số tỉnh, thành phố được xếp hạng (63)" in str(p) for p in report.problems)
    assert answer(national, "3.1").final_score == Decimal("6.8")


def test_other_files_and_oversize_files_are_refused(national):
    assert "Chỉ nhận tệp Excel (.xlsx) hoặc CSV" in str(run_import(national, b"x", filename="a.pdf").problems[0])
    assert "lớn hơn 2 MB" in str(run_import(national, b"x" * (2 * 1024 * 1024 + 1)).problems[0])
    assert "không phải bảng tính Excel" in str(run_import(national, b"PK..", filename="a.xlsx").problems[0])


def test_a_dry_run_saves_nothing(national):
    report = run_import(national, "code,achieved\n3.1,7\n".encode(), dry_run=True)
    assert report.ok and report.criteria == 1
    assert answer(national, "3.1").final_score == Decimal("6.8")


def test_a_new_year_needs_its_catalogue(national):
    report = run_import(national, "code,achieved\n3.1,7\n".encode(), year=2022)
    assert "Chưa có bộ chỉ số cấp tỉnh" in str(report.problems[0]) and "Sao chép" in str(report.problems[0])


def test_a_new_year_is_imported_into_a_new_final_assessment_of_the_provinces_unit(national):
    with scope(province=national.province_a):
        framework_clone(framework=national.framework_2021, year=2022, actor=None)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Mã", "Điểm đạt được", "Lý do mất điểm", "Xếp hạng"])
    sheet.append(["8.1", 12.5, "Mới triển khai một phần", None])
    sheet.append(["8", 40, None, 30])
    sheet.append(["Tổng", 420, None, 25])
    buffer = io.BytesIO()
    book.save(buffer)
    report = run_import(national, buffer.getvalue(), year=2022, filename="2022.xlsx")
    assert report.ok, report.problems
    with scopes_disabled():
        result = NationalResult.objects.select_related("assessment__period", "assessment__unit").get(year=2022)
        assert (result.rank, result.published_total, result.assessment.status) == (25, Decimal(420), "final")
        assert result.assessment.unit == national.tinh_a and result.assessment.period.year == 2022
        assert result.assessment.final_total == Decimal("12.5")
        assert result.pillars.get(indicator__code="8").rank == 30
    assert answer(national, "8.1", year=2022).reason == "Mới triển khai một phần"
