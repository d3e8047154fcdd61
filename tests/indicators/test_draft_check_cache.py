"""A draft's catalogue check runs once per change of its tree, not on every view of its page."""

from django_scopes import scope

from indicators import services
from indicators.models import Indicator
from tests.indicators.test_pages import _node, _url, framework  # noqa: F401  (fixture)


def test_the_check_is_reused_until_an_indicator_changes(world, framework, client_as, monkeypatch):  # noqa: F811
    calls = []
    real = services.check_rows
    monkeypatch.setattr(services, "check_rows", lambda rows: calls.append(len(rows)) or real(rows))
    client = client_as(world.admin_a)
    page = lambda: client.get(_url("framework_detail", framework)).content.decode()  # noqa: E731
    page()
    checked = len(calls)
    page()
    assert len(calls) == checked  # the second view reads the stored check
    with scope(province=world.province_a):
        parent = Indicator.objects.get(framework=framework, code="1")
        _node(framework, "1.3", "Thêm một chỉ tiêu", 5, parent=parent)  # 1 is now 25 ≠ 20
    assert "khác tổng điểm tối đa các chỉ tiêu con" in page()
    with scope(province=world.province_a):
        services.indicator_delete(actor=None, indicator=Indicator.objects.get(framework=framework, code="1.3"))
    assert "khác tổng điểm tối đa các chỉ tiêu con" not in page()
