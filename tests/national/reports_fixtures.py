"""Fixtures of the progress-report tests: a plan of province A with tasks owned by its units, built with
the ORM (national/plan.py's services are another part's), and a clock the views and services read."""

from datetime import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from indicators.models import Framework, Indicator
from national.models import Plan, Target, Task

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    """A moment in the portal's time zone (Asia/Ho_Chi_Minh)."""
    return timezone.make_aware(datetime(year, month, day, hour, minute))


def build_plan(province, owners, *, tasks_per_owner: int = 1, first_year: int = 2022, last_year: int = 2027) -> Plan:
    """A plan answering the national catalogue's criterion 8.1, each owner with `tasks_per_owner` tasks
    (the first with a 2023 target of 50 % and a 2027 one of 80 %)."""
    with scopes_disabled():
        kind = province.unit_kinds.get(code="so")
        framework = Framework.objects.create(province=province, name="Bộ chỉ số DTI cấp tỉnh", year=2021,
                                             unit_kind=kind, status="active", decision_number="922/QĐ-BTTTT")
        pillar = Indicator.objects.create(framework=framework, code="8", name="Hoạt động chính quyền số",
                                          max_points=100, rule="sum", position=8)
        criterion = Indicator.objects.create(framework=framework, parent=pillar, code="8.1",
                                             name="Tỷ lệ người dân có danh tính số", max_points=10, rule="manual", position=81)
        plan = Plan.objects.create(province=province, name="Kế hoạch nâng cao chỉ số DTI", decision="123/KH-UBND",
                                   base_year=2021, first_year=first_year, last_year=last_year)
        position = 0
        for owner in owners:
            for n in range(tasks_per_owner):
                position += 1
                task = Task.objects.create(plan=plan, indicator=criterion, owner=owner, position=position,
                                           title=f"Phổ cập tài khoản định danh điện tử ({owner.name}, {n + 1})",
                                           unit_of_measure="%")
                if n == 0:
                    Target.objects.create(task=task, year=2023, value=Decimal(50))
                    Target.objects.create(task=task, year=2027, value=Decimal(80))
    return plan


@pytest.fixture
def plan(world):
    """Province A's plan: one task of Sở Y tế (unit A1), one of UBND huyện Krông Pắc (unit A2)."""
    return build_plan(world.province_a, [world.unit_a1, world.unit_a2])


@pytest.fixture
def tasks(plan):
    with scopes_disabled():
        return list(plan.tasks.order_by("position"))


@pytest.fixture
def clock(monkeypatch):
    """clock(moment): the portal's `timezone.now()` answers `moment` from then on."""

    def set_to(moment: datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return set_to
