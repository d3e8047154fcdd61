"""A year published after one of its units was renamed: the ranking shows the name of that year and
each scorecard still finds its line of the ranking (matched by unit, not by name)."""

from datetime import date

import pytest
from django.core.management import call_command
from django_scopes import scope, scopes_disabled

from assessments.models import Assessment
from dti_portal.accounts.models import User
from dti_portal.tenancy.models import Province, UnitAlias
from rankings.publication import publication_request


@pytest.fixture
def demo(db):
    call_command("load_demo")


def test_a_scorecard_of_a_unit_renamed_since_keeps_its_rank_and_the_name_of_that_year(demo, django_capture_on_commit_callbacks):
    province = Province.objects.get(slug="daklak")
    with scopes_disabled():
        assessment = (Assessment.objects.filter(period__province=province, period__year=2021, status="final")
                      .select_related("unit").first())
        assert assessment is not None
        unit = assessment.unit
        UnitAlias.objects.create(unit=unit, name=f"{unit.name} (tên năm 2021)", valid_to=date(2022, 12, 31))
    with scope(province=province), django_capture_on_commit_callbacks(execute=True):
        publication = publication_request(
            province=province, year=2021, decision_number="KH-BCĐCĐS", decision_date=date(2022, 4, 5),
            signer="Chủ tịch UBND tỉnh", actor=User.objects.get(username="daklak.quantri"))
    with scopes_disabled():
        publication.refresh_from_db()
        card = publication.scorecards.get(unit=unit)
    names = [r["unit"] for t in publication.snapshot["tables"] for r in t["rows"]]
    assert f"{unit.name} (tên năm 2021)" in names and unit.name not in names
    assert card.summary["rank"] is not None and card.unit_name == f"{unit.name} (tên năm 2021)"
