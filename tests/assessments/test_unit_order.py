"""Pages that list a period's units list them in Vietnamese alphabetical order (within each kind)."""

from django_scopes import scope, scopes_disabled

from assessments.selectors import period_assessments
from dti_portal.accounts.models import Membership, Role
from dti_portal.accounts.selectors import memberships_of
from dti_portal.tenancy import services as tenancy_services

from .conftest import build_framework, open_period


def test_a_periods_units_are_in_vietnamese_order(world, django_assert_num_queries):
    with scopes_disabled():
        so = world.province_a.unit_kinds.get(code="so")
        for name in ["Sở Khoa học và Công nghệ", "Sở Kế hoạch và Đầu tư", "Sở Đắk Lắk thử", "Sở Cơ khí", "Sở Công Thương"]:
            tenancy_services.unit_create(actor=None, province=world.province_a, kind=so, name=name)
    period = open_period(world, world.province_a, build_framework(world.province_a))
    with scope(province=world.province_a), django_assert_num_queries(1):
        names = [row.unit for row in period_assessments(period)]
    assert names == ["Sở Công Thương", "Sở Cơ khí", "Sở Đắk Lắk thử", "Sở Kế hoạch và Đầu tư", "Sở Khoa học và Công nghệ", "Sở Y tế"]


def test_a_persons_roles_are_listed_by_province_in_vietnamese_order(world):
    with scopes_disabled():
        dak_lak = tenancy_services.province_create(actor=None, slug="dak-lak", name="Đắk Lắk", coordinating_agency="Sở KH&CN")
        ca_mau = tenancy_services.province_create(actor=None, slug="ca-mau", name="Cà Mau", coordinating_agency="Sở KH&CN")
        for province in (dak_lak, ca_mau):
            Membership.objects.create(user=world.leader_a, province=province, role=Role.LEADERSHIP)
    assert [m.province.name for m in memberships_of(world.leader_a)] == ["Cà Mau", "Đắk Lắk", "Tỉnh A"]
