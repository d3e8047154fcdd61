"""The pages of a period cost the same number of queries for a few units or a province's worth,
and for a short or a long catalogue: counts are asserted, never timings (bench/ prints those)."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from assessments import appraisal
from assessments.models import Assessment, Assignment, Period, SignOff
from assessments.services import answers_save_bulk, assessment_submit
from dti_portal.tenancy.models import Unit
from dti_portal.tenancy.services import unit_create
from tests.assessments.conftest import build_framework, open_period
from tests.conftest import Rewind

S = Assessment.Status
INPUTS = {"yes_no": {"value": "không"}, "ratio": {"a": "4", "b": "10"}, "count": {"count": "3"}, "manual": {"points": "1"}}


def _period(world, units: int, extra_leaves: int) -> Period:
    """`units` sở in every state: drafting, round 1 (half decided), round 2 with a signature, final."""
    with scopes_disabled():
        kind = world.province_a.unit_kinds.get(code="so")
        for n in range(units - 1):  # Sở Y tế (unit_a1) is the first
            unit_create(actor=None, province=world.province_a, kind=kind, name=f"Sở thứ {n + 2:03d}")
    framework = build_framework(world.province_a, extra_leaves=extra_leaves)
    period = open_period(world, world.province_a, framework)
    with scope(province=world.province_a):
        period.lead = world.lead_a
        period.save()
        leaves = [i for i in framework.indicators.all() if i.rule != "sum"]
        for n, assessment in enumerate(Assessment.objects.filter(period=period).select_related("period", "unit").order_by("pk")):
            Assignment.objects.create(period=period, appraiser=world.appraiser_a, unit=assessment.unit)
            if n % 4 == 0:
                continue  # still drafting
            answers_save_bulk(assessment=assessment, values={i: (INPUTS[i.rule], "") for i in leaves}, actor=world.officer_a1)
            assessment_submit(assessment=assessment, actor=world.officer_a1)
        appraisal.round1_start(period=period, actor=world.lead_a)
        for n, assessment in enumerate(Assessment.objects.filter(period=period, status=S.ROUND1).order_by("pk")):
            if n % 2 == 0:
                appraisal.confirm_all(assessment=assessment, round=1, reviewer=world.appraiser_a)
            if n % 3 == 1:  # set-up shortcut: these states are reached by services in tests/assessments/test_appraisal.py
                Assessment.objects.filter(pk=assessment.pk).update(status=S.ROUND2)
                SignOff.objects.create(assessment=assessment, appraiser=world.appraiser_a)
            elif n % 3 == 2:
                Assessment.objects.filter(pk=assessment.pk).update(status=S.FINAL)
    return period


def _queries(user, url) -> int:
    client = Client()
    client.force_login(user)
    assert client.get(url).status_code == 200  # warm: sessions, caches
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _pages(world, period):
    with scopes_disabled():
        round1 = Assessment.objects.filter(period=period, status__in=[S.ROUND1, S.ROUND2]).order_by("pk").first()
    period_url = reverse("assessments:period_detail", kwargs={"province": "tinh-a", "period_id": period.pk})
    board_url = reverse("assessments:appraisal_board", kwargs={"province": "tinh-a", "period_id": period.pk})
    unit_url = reverse("assessments:unit_appraisal", kwargs={"province": "tinh-a", "assessment_id": round1.pk})
    return {
        "period page (admin)": (world.admin_a, period_url), "period page (leadership)": (world.leader_a, period_url),
        "board (lead)": (world.lead_a, board_url), "board (appraiser)": (world.appraiser_a, board_url),
        "board (leadership)": (world.leader_a, board_url), "appraisal of one unit": (world.appraiser_a, unit_url),
    }


@pytest.mark.parametrize("page", ["period page (admin)", "period page (leadership)", "board (lead)", "board (appraiser)",
                                  "board (leadership)", "appraisal of one unit"])
def test_a_period_page_costs_the_same_queries_for_5_and_for_30_units(world, page):
    counts, rewind = [], Rewind()
    for units in (5, 30):
        rewind()
        period = _period(world, units, extra_leaves=0)
        counts.append(_queries(*_pages(world, period)[page]))
        with scopes_disabled():
            assert Assessment.objects.filter(period=period).count() == units
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize("page", ["period page (admin)", "board (lead)", "appraisal of one unit"])
def test_a_period_page_costs_the_same_queries_for_20_and_for_80_indicators(world, page):
    counts, rewind = [], Rewind()
    for extra in (16, 76):  # plus the four of the base catalogue
        rewind()
        period = _period(world, 3, extra_leaves=extra)
        counts.append(_queries(*_pages(world, period)[page]))
    assert counts[0] == counts[1], counts
