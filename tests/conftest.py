"""Personas shared by the suite: two provinces, their units and one person per role.

Tenant data is created inside `scopes_disabled()`, as a management command would; the
code under test runs with the scope the middleware enters.
"""

import pytest
from django.db import transaction
from django_scopes import scopes_disabled

from dti_portal.accounts.models import Membership, Role, User
from dti_portal.tenancy import services as tenancy_services

PASSWORD = "Mat-khau-thu-2026"


def make_user(username: str, *, superuser: bool = False) -> User:
    user = User(username=username, full_name=username.replace(".", " ").title(), is_superuser=superuser)
    user.set_password(PASSWORD)
    user.save()
    return user


class Rewind:
    """Measuring two sizes one after the other in one test: calling it at the top of each round
    undoes what the previous round wrote (a savepoint rolled back). Periods with audit entries
    cannot be deleted, so a test cannot clear them away any more."""

    def __init__(self):
        self.mark = None

    def __call__(self) -> None:
        if self.mark is not None:
            transaction.savepoint_rollback(self.mark)
        self.mark = transaction.savepoint()


class World:
    """Province A (with units A1, A2) and province B (unit B1), and people in them."""

    def __init__(self):
        with scopes_disabled():
            self.province_a = tenancy_services.province_create(
                actor=None, slug="tinh-a", name="Tỉnh A", coordinating_agency="Sở KH&CN tỉnh A"
            )
            self.province_b = tenancy_services.province_create(
                actor=None, slug="tinh-b", name="Tỉnh B", coordinating_agency="Sở KH&CN tỉnh B"
            )
            so_a = self.province_a.unit_kinds.get(code="so")
            huyen_a = self.province_a.unit_kinds.get(code="huyen")
            so_b = self.province_b.unit_kinds.get(code="so")
            self.unit_a1 = tenancy_services.unit_create(actor=None, province=self.province_a, kind=so_a, name="Sở Y tế")
            self.unit_a2 = tenancy_services.unit_create(
                actor=None, province=self.province_a, kind=huyen_a, name="UBND huyện Krông Pắc", aliases=["UBND huyện Krông Pắk"]
            )
            self.unit_b1 = tenancy_services.unit_create(actor=None, province=self.province_b, kind=so_b, name="Sở Tài chính")

            self.platform_admin = make_user("quantri", superuser=True)
            self.admin_a = self._member("a.quantri", self.province_a, Role.PROVINCE_ADMIN)
            self.officer_a1 = self._member("a.canbo1", self.province_a, Role.UNIT_OFFICER, self.unit_a1)
            self.officer_a2 = self._member("a.canbo2", self.province_a, Role.UNIT_OFFICER, self.unit_a2)
            self.appraiser_a = self._member("a.thamdinh", self.province_a, Role.APPRAISER)
            self.lead_a = self._member("a.totruong", self.province_a, Role.APPRAISAL_LEAD)
            self.leader_a = self._member("a.lanhdao", self.province_a, Role.LEADERSHIP)
            self.admin_b = self._member("b.quantri", self.province_b, Role.PROVINCE_ADMIN)
            self.officer_b1 = self._member("b.canbo1", self.province_b, Role.UNIT_OFFICER, self.unit_b1)
            self.nobody = make_user("khong.vai.tro")
            self.membership_b = Membership.objects.get(user=self.officer_b1)

    def _member(self, username, province, role, unit=None) -> User:
        user = make_user(username)
        Membership.objects.create(user=user, province=province, role=role, unit=unit)
        return user

    def persona_by_role(self) -> dict[str, User]:
        return {
            Role.PROVINCE_ADMIN: self.admin_a,
            Role.UNIT_OFFICER: self.officer_a1,
            Role.APPRAISER: self.appraiser_a,
            Role.APPRAISAL_LEAD: self.lead_a,
            Role.LEADERSHIP: self.leader_a,
        }


@pytest.fixture
def world(db) -> World:
    return World()


@pytest.fixture
def client_as(client):
    """client_as(user) -> the test client logged in as `user`."""

    def login(user):
        client.force_login(user)
        return client

    return login
