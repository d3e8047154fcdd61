import pytest
from django_scopes import ScopeError, scope, scopes_disabled

from dti_portal.accounts.models import Membership
from dti_portal.tenancy.models import Unit, UnitAlias, UnitKind, UnitLineage


@pytest.mark.parametrize("model", [Unit, UnitKind, UnitAlias, UnitLineage, Membership])
def test_a_query_on_tenant_data_without_a_province_scope_raises(world, model):
    with pytest.raises(ScopeError):
        list(model.objects.all())


def test_inside_a_province_scope_only_that_provinces_units_are_visible(world):
    with scope(province=world.province_a):
        names = set(Unit.objects.values_list("name", flat=True))
        assert names == {"Sở Y tế", "UBND huyện Krông Pắc"}
        assert not Unit.objects.filter(pk=world.unit_b1.pk).exists()


def test_aliases_are_scoped_through_their_unit(world):
    with scope(province=world.province_b):
        assert not UnitAlias.objects.exists()
    with scope(province=world.province_a):
        assert UnitAlias.objects.get().name == "UBND huyện Krông Pắk"


def test_scopes_disabled_sees_every_province(world):
    with scopes_disabled():
        assert Unit.objects.count() == 3
