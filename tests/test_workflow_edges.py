"""Workflow edges closed (issue 11, part 6): acts refused at the wrong moment, with a Vietnamese reason."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from assessments.models import Assessment
from assessments.services import extension_grant
from rankings.models import ImportedResult
from rankings.results import results_import
from tests.rankings.test_publication_queue import YEAR, _request, final_year  # noqa: F401  (fixture)


def _extend(world, assessment):
    with scope(province=world.province_a):
        return extension_grant(assessment=assessment, until=timezone.localdate() + timedelta(days=7), actor=world.admin_a)


@pytest.mark.parametrize("status", [Assessment.Status.SUBMITTED, Assessment.Status.ROUND2, Assessment.Status.FINAL])
def test_an_extension_is_refused_to_a_unit_that_has_submitted(world, final_year, status):  # noqa: F811
    assessment = final_year[0]
    with scopes_disabled():
        Assessment.objects.filter(pk=assessment.pk).update(status=status)
        assessment.refresh_from_db()
    with pytest.raises(ValidationError, match="Chỉ gia hạn tự đánh giá cho đơn vị chưa gửi"):
        _extend(world, assessment)
    with scopes_disabled():
        assessment.refresh_from_db()
    assert assessment.extended_until is None


def test_an_extension_is_granted_to_a_unit_still_drafting(world, final_year):  # noqa: F811
    assessment = final_year[0]
    with scopes_disabled():
        Assessment.objects.filter(pk=assessment.pk).update(status=Assessment.Status.DRAFT)
        assessment.refresh_from_db()
    assert _extend(world, assessment).extended_until == timezone.localdate() + timedelta(days=7)


def _reimport(world):
    with scope(province=world.province_a):
        return results_import(actor=None, province=world.province_a, year=YEAR, filename="lai.csv",
                              content="kind,unit,total\nso,Sở Y tế,10\n".encode())


def test_results_cannot_be_imported_again_for_a_year_being_or_already_published(world, final_year,  # noqa: F811
                                                                                 django_capture_on_commit_callbacks):
    _request(world)  # queued, not yet run (nothing commits inside the test)
    report = _reimport(world)
    assert not report.ok and "Kết quả năm 2025 đang được công bố (quyết định 12/QĐ-UBND)" in str(report.problems[0])
    with scopes_disabled():
        from rankings.models import Publication

        Publication.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        _request(world)
    with scopes_disabled():
        before = list(ImportedResult.objects.filter(year=YEAR).order_by("pk").values_list("unit_id", "total"))
    report = _reimport(world)
    assert not report.ok and "Kết quả năm 2025 đã được công bố" in str(report.problems[0])
    with scopes_disabled():
        assert list(ImportedResult.objects.filter(year=YEAR).order_by("pk").values_list("unit_id", "total")) == before


@pytest.mark.parametrize("rows, columns", [(1001, 3), (2, 61)])
def test_a_results_file_with_too_many_rows_or_columns_is_refused_before_any_row_is_read(world, rows, columns,
                                                                                      django_assert_max_num_queries):
    header = ",".join(["kind", "unit", "total"] + [f"c{i}" for i in range(columns - 3)])
    body = "\n".join(",".join(["so", f"Sở {n}", "10"] + ["1"] * (columns - 3)) for n in range(rows))
    with scope(province=world.province_a), django_assert_max_num_queries(3):
        report = results_import(actor=None, province=world.province_a, year=2024, filename="lon.csv", content=f"{header}\n{body}".encode())
    assert not report.ok and f"Tệp có {rows} dòng và {columns} cột; tối đa 1000 dòng" in str(report.problems[0])
