"""The catalogue search ignores diacritics and case: "chuyen doi so" finds "chuyển đổi số"."""

from django.urls import reverse
from django_scopes import scope

from indicators.services import FrameworkMeta, framework_create, indicator_save

FIELDS = {"guidance": "", "evidence_required": "", "data_source": "", "verifying_agency": ""}


def _framework(world):
    province = world.province_a
    with scope(province=province):
        kind = province.unit_kinds.get(code="so")
        fw = framework_create(actor=None, province=province, meta=FrameworkMeta(name="Bộ chỉ số sở", year=2025, unit_kind=kind))
        root = indicator_save(actor=None, framework=fw, indicator=None, parent=None, data=FIELDS | {
            "code": "1", "name": "Nhận thức số", "max_points": 20, "rule": "sum", "params": {}})
        indicator_save(actor=None, framework=fw, indicator=None, parent=root, data=FIELDS | {
            "code": "1.1", "name": "Có chuyên mục chuyển đổi số", "max_points": 10, "rule": "yes_no", "params": {}})
        indicator_save(actor=None, framework=fw, indicator=None, parent=root, data=FIELDS | {
            "code": "1.2", "name": "Số văn bản chỉ đạo", "max_points": 10, "rule": "count", "params": {"per_item": 2},
            "guidance": "Văn bản của UBND tỉnh Đắk Lắk"})
        indicator_save(actor=None, framework=fw, indicator=None, parent=None, data=FIELDS | {
            "code": "2", "name": "Tỷ lệ hồ sơ trực tuyến", "max_points": 10, "rule": "ratio", "params": {}})
    return fw


def test_the_catalogue_search_ignores_diacritics_and_case(world, client_as):
    framework = _framework(world)
    url = reverse("indicators:framework_detail", kwargs={"province": "tinh-a", "framework_id": framework.pk})
    client = client_as(world.officer_a1)
    for query, codes in [("chuyen doi so", {"1", "1.1"}), ("CHUYỂN ĐỔI", {"1", "1.1"}), ("dak lak", {"1", "1.2"}),
                         ("ty le ho so", {"2"}), ("van ban", {"1", "1.2"})]:
        page = client.get(url, {"q": query}).content.decode()
        shown = {code for code in ["1", "1.1", "1.2", "2"] if f'data-code="{code}"' in page}
        assert shown == codes, query
    page = client.get(url, {"q": "chuyen doi so"}).content.decode()
    assert '<span data-testid="match-count">1 chỉ tiêu khớp “chuyen doi so”.</span> Tìm không phân biệt dấu.' in page
    assert "không cần gõ dấu" in page  # the box says so before anyone searches
