from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django_scopes import scope

from dti_portal.tenancy import services
from dti_portal.tenancy.models import Unit
from dti_portal.tenancy.names import name_key
from dti_portal.tenancy.selectors import active_units, find_units_by_name, unit_registry


def test_name_key_ignores_case_spacing_composition_and_apostrophe_style():
    decomposed = "UBND huyện Ea H\u2019leo".replace("ệ", "e\u0323\u0302")
    assert name_key("UBND  huyện Ea H'leo ") == name_key(decomposed) == name_key("ubnd HUYỆN ea h'leo")
    assert name_key("Krông Pắk") != name_key("Krông Pắc")


def test_a_unit_is_found_by_its_name_or_any_alias(world):
    with scope(province=world.province_a):
        assert find_units_by_name(world.province_a, "UBND huyện Krông Pắc") == [world.unit_a2]
        assert find_units_by_name(world.province_a, "ubnd huyện krông pắk") == [world.unit_a2]
        assert find_units_by_name(world.province_a, "UBND huyện Lắk") == []


def test_name_lookup_never_crosses_provinces(world):
    with scope(province=world.province_a):
        assert find_units_by_name(world.province_a, "Sở Tài chính") == []


def test_two_units_of_one_kind_cannot_share_a_name_even_spelled_differently(world):
    with scope(province=world.province_a):
        with pytest.raises(ValidationError) as error:
            services.unit_create(actor=None, province=world.province_a, kind=world.unit_a1.kind, name="  sở y TẾ ")
        assert "Đã có đơn vị cùng loại mang tên này." in str(error.value)
        assert Unit.objects.count() == 2


def test_a_unit_cannot_take_a_kind_of_another_province(world):
    with scope(province=world.province_a):
        with pytest.raises(ValidationError) as error:
            services.unit_create(actor=None, province=world.province_a, kind=world.unit_b1.kind, name="Sở Mới")
        assert "Loại đơn vị không thuộc tỉnh này." in str(error.value)


def test_a_validity_that_ends_before_it_starts_is_refused_by_service_and_database(world):
    with scope(province=world.province_a):
        with pytest.raises(ValidationError):
            services.unit_update(actor=None, unit=world.unit_a1, valid_from=date(2025, 1, 1), valid_to=date(2024, 1, 1))
        unit = Unit.objects.get(pk=world.unit_a1.pk)
        unit.valid_from, unit.valid_to = date(2025, 1, 1), date(2024, 1, 1)
        with pytest.raises(IntegrityError):
            unit.save()


def test_an_alias_equal_to_the_name_or_an_existing_alias_is_refused(world):
    with scope(province=world.province_a):
        for name in ["UBND huyện Krông Pắc", "ubnd huyện krông pắk", "   "]:
            with pytest.raises(ValidationError):
                services.unit_add_alias(actor=None, unit=world.unit_a2, name=name)
        assert world.unit_a2.aliases.count() == 1


def test_merging_closes_the_predecessors_and_keeps_them_readable(world):
    with scope(province=world.province_a):
        successor = services.unit_create(
            actor=None, province=world.province_a, kind=world.unit_a1.kind, name="Sở Khoa học và Công nghệ"
        )
        old = services.unit_create(actor=None, province=world.province_a, kind=world.unit_a1.kind, name="Sở Thông tin và Truyền thông")
        services.units_merge(actor=None, predecessors=[old], successor=successor, effective_date=date(2025, 3, 1))
        old.refresh_from_db()
        assert old.valid_to == date(2025, 2, 28)
        assert [link.successor for link in old.successor_links.all()] == [successor]
        assert [link.predecessor for link in successor.predecessor_links.all()] == [old]
        on_2024 = set(active_units(world.province_a, on=date(2024, 12, 31)))
        on_2025 = set(active_units(world.province_a, on=date(2025, 3, 1)))
        assert old in on_2024 and old not in on_2025
        assert old.is_active_on(date(2025, 2, 28)) and not old.is_active_on(date(2025, 3, 1))


def test_a_unit_cannot_merge_into_itself_or_into_another_province(world):
    with scope(province=world.province_a):
        with pytest.raises(ValidationError):
            services.units_merge(actor=None, predecessors=[world.unit_a1], successor=world.unit_a1, effective_date=date(2025, 3, 1))
    with scope(province=world.province_a):
        with pytest.raises(ValidationError):
            services.units_merge(actor=None, predecessors=[world.unit_a1], successor=world.unit_b1, effective_date=date(2025, 3, 1))


def test_units_are_grouped_by_kind_in_the_kinds_order(world):
    with scope(province=world.province_a):
        groups = unit_registry(world.province_a)[0].groups
    assert [(kind.code, [u.name for u in units]) for kind, units in groups] == [
        ("so", ["Sở Y tế"]),
        ("huyen", ["UBND huyện Krông Pắc"]),
    ]


def test_a_province_slug_reserved_for_the_platform_or_taken_is_refused(world):
    for slug in ["dang-nhap", "tinh-a"]:
        with pytest.raises(ValidationError):
            services.province_create(actor=None, slug=slug, name="X", coordinating_agency="Y")
