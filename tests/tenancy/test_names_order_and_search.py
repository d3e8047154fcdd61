"""Vietnamese alphabetical order (ICU's "vi" collation) and search that ignores diacritics."""

import unicodedata

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from dti_portal.tenancy import services
from dti_portal.tenancy.names import matches, search_key, vn_sort_key
from dti_portal.tenancy.selectors import provinces_listed, unit_registry


def _sorted(names):
    return sorted(names, key=vn_sort_key)


@pytest.mark.parametrize("before, after", [
    ("UBND huyện Cư Jút", "UBND huyện Đắk Mil"),      # đ is a letter after d, and d after c
    ("Đà Nẵng", "Ea Súp"),                            # ...before e, not after every Latin letter
    ("Dak", "Đà Nẵng"),                               # d < đ as letters, not a mark on d
    ("Sở Kế hoạch và Đầu tư", "Sở Khoa học và Công nghệ"),  # e < h: "Kế" before "Kh"
    ("Anh", "Ăn"), ("Ăn", "Ân"),                      # a < ă < â
    ("Sở Công Thương", "Sở Cơ khí"),                  # o < ô < ơ
    ("Sở Tài chính", "Sở Tư pháp"),
    ("sở y tế", "Sở Y tế"),                           # case only breaks ties
])
def test_names_sort_in_vietnamese_alphabetical_order(before, after):
    assert _sorted([after, before]) == [before, after]


def test_a_name_in_decomposed_unicode_sorts_like_its_composed_form():
    composed = "Đắk Lắk"
    decomposed = unicodedata.normalize("NFD", composed)  # as some keyboards and PDFs give it
    assert decomposed != composed and vn_sort_key(decomposed) == vn_sort_key(composed)


@pytest.mark.parametrize("text, key", [
    ("Chuyển  đổi SỐ", "chuyen doi so"),
    ("Đắk Lắk", "dak lak"),
    ("UBND huyện Krông Pắc", "ubnd huyen krong pac"),
    (unicodedata.normalize("NFD", "Đắk Lắk"), "dak lak"),
    ("", ""),
])
def test_the_search_key_drops_diacritics_case_and_extra_spaces(text, key):
    assert search_key(text) == key


def test_a_query_matches_with_or_without_diacritics():
    assert matches("chuyen doi so", "Kế hoạch chuyển đổi số năm 2025")
    assert matches("CHUYỂN ĐỔI", "kế hoạch chuyển đổi số")
    assert matches("dak lak", "Tỉnh Đắk Lắk") and not matches("dak nong", "Tỉnh Đắk Lắk")
    assert matches("", "anything") and matches("  ", "anything")


@pytest.fixture
def many_units(world):
    with scopes_disabled():
        so = world.province_a.unit_kinds.get(code="so")
        for name in ["Sở Khoa học và Công nghệ", "Sở Kế hoạch và Đầu tư", "Sở Đắk Lắk thử", "Sở Công Thương", "Sở Cơ khí"]:
            services.unit_create(actor=None, province=world.province_a, kind=so, name=name)
    return world


def test_units_of_a_kind_are_listed_in_vietnamese_order(many_units):
    with scope(province=many_units.province_a):
        groups = dict((kind.code, [u.name for u in units]) for kind, units in unit_registry(many_units.province_a)[0].groups)
    assert groups["so"] == ["Sở Công Thương", "Sở Cơ khí", "Sở Đắk Lắk thử", "Sở Kế hoạch và Đầu tư",
                            "Sở Khoa học và Công nghệ", "Sở Y tế"]


def test_provinces_are_listed_in_vietnamese_order(world):
    with scopes_disabled():
        _provinces()
    names = [p.name for p in provinces_listed()]
    assert names.index("Cà Mau") < names.index("Đắk Lắk") < names.index("Gia Lai") < names.index("Tỉnh A")


def _provinces():
    services.province_create(actor=None, slug="dak-lak", name="Đắk Lắk", coordinating_agency="Sở KH&CN")
    services.province_create(actor=None, slug="ca-mau", name="Cà Mau", coordinating_agency="Sở KH&CN")
    services.province_create(actor=None, slug="gia-lai", name="Gia Lai", coordinating_agency="Sở KH&CN")


def test_unit_search_ignores_diacritics_and_finds_former_names(many_units, django_assert_num_queries):
    province = many_units.province_a
    province.lineage_ids  # read once per request by the middleware
    with scope(province=province):
        with django_assert_num_queries(2):  # the units, then every alias of the province: whatever their number
            found = unit_registry(province, query="dak lak")[0].groups
        assert [u.name for _, units in found for u in units] == ["Sở Đắk Lắk thử"]
        found = unit_registry(province, query="krong pak")[0].groups  # a former spelling, recorded as an alias
        assert [u.name for _, units in found for u in units] == ["UBND huyện Krông Pắc"]
        with django_assert_num_queries(1):
            assert len(unit_registry(province)[0].groups) == 2


def test_the_admin_searches_the_unit_list_without_typing_diacritics(many_units, client_as):
    url = reverse("tenancy:admin_home", kwargs={"province": "tinh-a"})
    client = client_as(many_units.admin_a)
    page = client.get(url).content.decode()
    assert 'data-testid="unit-search"' in page
    assert page.index("Sở Công Thương") < page.index("Sở Cơ khí") < page.index("Sở Kế hoạch và Đầu tư") < page.index("Sở Khoa học")
    found = client.get(url, {"q": "KE HOACH"}).content.decode()
    assert "Sở Kế hoạch và Đầu tư" in found and "Sở Khoa học và Công nghệ" not in found and "Sở Y tế" not in found.split("Người dùng")[0]
    nothing = client.get(url, {"q": "không có đơn vị này"}).content.decode()
    assert "Không có đơn vị nào khớp “không có đơn vị này”." in nothing


@pytest.mark.parametrize("persona, url_name", [("appraiser_a", "assessments:appraiser_home"), ("lead_a", "assessments:lead_home"),
                                               ("leader_a", "rankings:leadership_home")])
def test_every_home_that_lists_the_units_searches_them_without_diacritics(many_units, client_as, persona, url_name):
    url = reverse(url_name, kwargs={"province": "tinh-a"})
    client = client_as(getattr(many_units, persona))
    assert 'data-testid="unit-search"' in client.get(url).content.decode()
    found = client.get(url, {"q": "co khi"}).content.decode()
    units = found.split('data-testid="unit-search"')[1]
    assert "Sở Cơ khí" in units and "Sở Công Thương" not in units and "Sở Y tế" not in units


def test_unit_dropdowns_list_units_by_kind_in_vietnamese_order(many_units):
    from dti_portal.accounts.forms import MemberForm
    from dti_portal.tenancy.forms import MergeForm

    with scope(province=many_units.province_a):
        member_units = [label for value, label in MemberForm(province=many_units.province_a).fields["unit"].choices if value]
        merge = MergeForm(unit=many_units.unit_a1).fields["successor"].choices
        successors = [label for value, label in merge if value]
    assert [str(u) for u in member_units][:6] == ["Sở Công Thương", "Sở Cơ khí", "Sở Đắk Lắk thử", "Sở Kế hoạch và Đầu tư",
                                                   "Sở Khoa học và Công nghệ", "Sở Y tế"]
    assert str(member_units[-1]) == "UBND huyện Krông Pắc"
    assert [str(u) for u in successors][:2] == ["Sở Công Thương", "Sở Cơ khí"] and "Sở Y tế" not in map(str, successors)
