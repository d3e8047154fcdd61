import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from dti_portal.accounts.forms import INVALID_LOGIN
from dti_portal.accounts.models import Membership, Role
from tests.conftest import PASSWORD

LOGIN = "/dang-nhap/"


def _login(client, username, password, ip="10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_a_wrong_password_and_an_unknown_account_get_the_same_message(world, client):
    wrong_password = _login(client, "a.quantri", "sai")
    unknown_user = _login(client, "khong-ton-tai", "sai")
    assert wrong_password.status_code == unknown_user.status_code == 200
    assert INVALID_LOGIN in wrong_password.content.decode()
    assert INVALID_LOGIN in unknown_user.content.decode()


def test_an_inactive_account_gets_the_same_message_as_a_wrong_password(world, client):
    world.admin_a.is_active = False
    world.admin_a.save()
    response = _login(client, "a.quantri", PASSWORD)
    assert INVALID_LOGIN in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_after_five_failures_the_login_is_locked_with_a_message_saying_when_to_retry(world, client):
    for _ in range(4):
        assert _login(client, "a.quantri", "sai").status_code == 200
    locked = _login(client, "a.quantri", "sai")
    assert locked.status_code == 429
    text = locked.content.decode()
    assert "Đăng nhập tạm bị khóa sau 5 lần nhập sai liên tiếp" in text
    assert "Vui lòng thử lại sau 15 phút" in text
    # Even the right password is refused while locked.
    assert _login(client, "a.quantri", PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lock_is_per_username_and_ip_so_colleagues_in_the_same_office_can_still_log_in(world, client):
    for _ in range(5):
        _login(client, "a.quantri", "sai", ip="10.0.0.1")
    assert _login(client, "a.quantri", PASSWORD, ip="10.0.0.1").status_code == 429
    colleague = _login(client, "a.thamdinh", PASSWORD, ip="10.0.0.1")
    assert colleague.status_code == 302
    client.logout()
    from_elsewhere = _login(client, "a.quantri", PASSWORD, ip="10.9.9.9")
    assert from_elsewhere.status_code == 302


@pytest.mark.parametrize(
    "attr, expected",
    [
        ("admin_a", "/tinh-a/quan-tri/"),
        ("appraiser_a", "/tinh-a/tham-dinh/"),
        ("lead_a", "/tinh-a/tham-dinh/to-truong/"),
        ("leader_a", "/tinh-a/lanh-dao/"),
    ],
)
def test_each_role_lands_on_its_own_home(world, client, attr, expected):
    response = _login(client, getattr(world, attr).username, PASSWORD)
    assert response.status_code == 302
    landing = client.get(response["Location"])
    assert landing["Location"] == expected
    assert client.get(expected).status_code == 200


def test_a_unit_officer_lands_on_their_units_page(world, client):
    _login(client, "a.canbo1", PASSWORD)
    home = client.get(reverse("accounts:home"))
    assert home["Location"] == f"/tinh-a/don-vi/{world.unit_a1.pk}/"
    assert "Sở Y tế" in client.get(home["Location"]).content.decode()


def test_the_platform_admin_lands_on_the_platform_page(world, client):
    _login(client, "quantri", PASSWORD)
    home = client.get(reverse("accounts:home"))
    assert home["Location"] == reverse("platform:admin_home")
    assert "Tạo tỉnh mới" in client.get(home["Location"]).content.decode()


def test_a_person_with_roles_in_two_provinces_chooses_between_them(world, client):
    with scopes_disabled():
        Membership.objects.create(user=world.appraiser_a, province=world.province_b, role=Role.APPRAISER)
    _login(client, "a.thamdinh", PASSWORD)
    page = client.get(reverse("accounts:home"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Tỉnh A" in text and "Tỉnh B" in text
    assert client.get("/tinh-b/tham-dinh/").status_code == 200


def test_a_login_without_any_role_is_told_so(world, client):
    _login(client, "khong.vai.tro", PASSWORD)
    page = client.get(reverse("accounts:home"))
    assert "chưa được giao vai trò nào" in page.content.decode()


def test_logout_is_a_post_and_ends_the_session(world, client_as):
    client = client_as(world.admin_a)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get("/tinh-a/quan-tri/").status_code == 302


def test_password_change_refuses_a_wrong_old_password_and_a_weak_one_then_accepts(world, client_as):
    client = client_as(world.admin_a)
    url = reverse("accounts:password_change")
    wrong_old = client.post(url, {"old_password": "sai", "new_password1": "Moi-Rat-Dai-2026", "new_password2": "Moi-Rat-Dai-2026"})
    assert "Mật khẩu cũ không chính xác" in wrong_old.content.decode()
    weak = client.post(url, {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"})
    assert "Mật khẩu này hoàn toàn là số." in weak.content.decode()
    mismatch = client.post(url, {"old_password": PASSWORD, "new_password1": "Moi-Rat-Dai-2026", "new_password2": "Khac-2026-xyz"})
    assert "Hai trường mật khẩu không giống nhau." in mismatch.content.decode()
    world.admin_a.refresh_from_db()
    assert world.admin_a.check_password(PASSWORD)
    ok = client.post(url, {"old_password": PASSWORD, "new_password1": "Moi-Rat-Dai-2026", "new_password2": "Moi-Rat-Dai-2026"})
    assert ok.status_code == 302
    world.admin_a.refresh_from_db()
    assert world.admin_a.check_password("Moi-Rat-Dai-2026")


BEHIND_ONE_PROXY = {"AXES_IPWARE_PROXY_COUNT": 0, "AXES_IPWARE_META_PRECEDENCE_ORDER": ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")}


def _through_proxy(client, username, password, forwarded_for):
    # The proxy (127.0.0.1) is what Django sees as REMOTE_ADDR; the client is in the header it sets.
    return client.post(LOGIN, {"username": username, "password": password},
                       REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded_for)


def test_the_settings_read_the_client_address_behind_the_documented_proxy(monkeypatch):
    import importlib

    import dti_portal.settings.base as base

    monkeypatch.setenv("AXES_PROXY_COUNT", "1")
    behind = importlib.reload(base)
    assert {k: getattr(behind, k) for k in BEHIND_ONE_PROXY} == BEHIND_ONE_PROXY
    monkeypatch.setenv("AXES_PROXY_COUNT", "0")
    direct = importlib.reload(base)
    assert direct.AXES_IPWARE_META_PRECEDENCE_ORDER == ("REMOTE_ADDR",)


def test_behind_the_proxy_a_lock_holds_one_client_and_never_the_same_user_elsewhere(world, client, settings):
    for name, value in BEHIND_ONE_PROXY.items():
        setattr(settings, name, value)
    for _ in range(5):
        _through_proxy(client, "a.quantri", "sai", "203.0.113.5")
    locked = _through_proxy(client, "a.quantri", PASSWORD, "203.0.113.5")
    assert locked.status_code == 429 and "Vui lòng thử lại sau 15 phút" in locked.content.decode()
    # Same account, another client behind the same proxy: not locked (without ipware both were 127.0.0.1).
    assert _through_proxy(client, "a.quantri", PASSWORD, "198.51.100.7").status_code == 302


def test_a_client_cannot_dodge_its_lock_by_sending_its_own_forwarded_header(world, client, settings):
    for name, value in BEHIND_ONE_PROXY.items():
        setattr(settings, name, value)
    # The proxy appends the real address after whatever the client sent: a chain longer than the
    # proxies configured is not trusted, so every such attempt counts against the proxy's address.
    for n in range(5):
        _through_proxy(client, "a.quantri", "sai", f"10.1.1.{n}, 203.0.113.5")
    assert _through_proxy(client, "a.quantri", PASSWORD, "10.1.1.99, 203.0.113.5").status_code == 429
    assert _through_proxy(client, "a.quantri", PASSWORD, "198.51.100.7").status_code == 302
