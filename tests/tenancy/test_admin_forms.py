"""Province admins' forms: bad input gets a Vietnamese message and nothing is lost or saved."""

from django.urls import reverse
from django_scopes import scopes_disabled

from dti_portal.accounts.models import Membership, Role, User
from dti_portal.tenancy.models import Province, Unit, UnitAlias
from tests.conftest import PASSWORD


def _unit_create_url():
    return reverse("tenancy:unit_create", kwargs={"province": "tinh-a"})


def _kind_id(world, code="so", province=None):
    with scopes_disabled():
        return (province or world.province_a).unit_kinds.get(code=code).pk


def test_a_unit_is_created_with_dates_typed_dd_mm_yyyy(world, client_as):
    client = client_as(world.admin_a)
    response = client.post(
        _unit_create_url(),
        {"kind": _kind_id(world), "name": "Sở Nội vụ", "valid_from": "01/03/2025", "valid_to": "", "note": ""},
    )
    assert response.status_code == 302
    with scopes_disabled():
        unit = Unit.objects.get(name="Sở Nội vụ")
    assert unit.province == world.province_a and str(unit.valid_from) == "2025-03-01"
    page = client.get(response["Location"]).content.decode()
    assert "từ 01/03/2025" in page


def test_a_unit_form_with_bad_dates_keeps_what_was_typed_and_says_why(world, client_as):
    client = client_as(world.admin_a)
    response = client.post(
        _unit_create_url(),
        {"kind": _kind_id(world), "name": "Sở Nội vụ", "valid_from": "31/02/2025", "valid_to": "abc", "note": "ghi chú"},
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "Ngày không hợp lệ: hãy nhập theo dạng dd/mm/yyyy" in text
    assert 'value="Sở Nội vụ"' in text and "ghi chú" in text
    with scopes_disabled():
        assert not Unit.objects.filter(name="Sở Nội vụ").exists()


def test_a_unit_form_whose_end_precedes_its_start_is_refused(world, client_as):
    response = client_as(world.admin_a).post(
        _unit_create_url(),
        {"kind": _kind_id(world), "name": "Sở Nội vụ", "valid_from": "01/03/2025", "valid_to": "01/01/2025"},
    )
    assert "Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực." in response.content.decode()


def test_a_unit_form_missing_its_name_and_kind_is_refused(world, client_as):
    response = client_as(world.admin_a).post(_unit_create_url(), {"kind": "", "name": ""})
    assert response.content.decode().count("Trường này là bắt buộc.") == 2


def test_a_duplicate_unit_name_is_refused_on_the_form(world, client_as):
    response = client_as(world.admin_a).post(_unit_create_url(), {"kind": _kind_id(world), "name": "SỞ Y TẾ"})
    assert "Đã có đơn vị cùng loại mang tên này." in response.content.decode()
    with scopes_disabled():
        assert Unit.objects.filter(province=world.province_a).count() == 2


def test_a_unit_kind_of_another_province_is_refused(world, client_as):
    foreign_kind = _kind_id(world, province=world.province_b)
    response = client_as(world.admin_a).post(_unit_create_url(), {"kind": foreign_kind, "name": "Sở Mới"})
    assert "Loại đơn vị đã chọn không có trong tỉnh này." in response.content.decode()
    with scopes_disabled():
        assert not Unit.objects.filter(name="Sở Mới").exists()


def test_a_unit_kind_id_that_is_not_a_number_is_refused(world, client_as):
    response = client_as(world.admin_a).post(_unit_create_url(), {"kind": "abc", "name": "Sở Mới"})
    assert "Loại đơn vị đã chọn không có trong tỉnh này." in response.content.decode()


def test_editing_a_unit_renames_it(world, client_as):
    url = reverse("tenancy:unit_edit", kwargs={"province": "tinh-a", "unit_id": world.unit_a1.pk})
    response = client_as(world.admin_a).post(url, {"kind": _kind_id(world), "name": "Sở Y tế tỉnh A"})
    assert response.status_code == 302
    world.unit_a1.refresh_from_db()
    assert world.unit_a1.name == "Sở Y tế tỉnh A"


def test_adding_an_alias_shows_it_and_a_duplicate_alias_is_refused_with_status_400(world, client_as):
    client = client_as(world.admin_a)
    url = reverse("tenancy:unit_alias_add", kwargs={"province": "tinh-a", "unit_id": world.unit_a1.pk})
    assert client.post(url, {"name": "Sở Y Tế", "note": ""}).status_code == 400  # same as the name
    assert client.post(url, {"name": "", "note": ""}).status_code == 400
    ok = client.post(url, {"name": "Sở Y tế tỉnh A", "note": "báo cáo 2020"})
    assert ok.status_code == 302
    assert "Sở Y tế tỉnh A" in client.get(ok["Location"]).content.decode()
    with scopes_disabled():
        assert UnitAlias.objects.filter(unit=world.unit_a1).count() == 1


def _member_url():
    return reverse("tenancy:member_create", kwargs={"province": "tinh-a"})


def _accept(client, user, answer="chap-nhan"):
    from dti_portal.accounts.models import Invitation

    client.force_login(user)
    with scopes_disabled():
        invitation = Invitation.objects.get(user=user)
    return client.post(reverse("accounts:invitation_answer", kwargs={"invitation_id": invitation.pk}), {"tra-loi": answer},
                       follow=True)


def test_a_new_officer_account_is_created_and_its_role_bound_to_a_unit_once_accepted(world, client_as):
    client = client_as(world.admin_a)
    response = client.post(
        _member_url(),
        {"username": "a.canbo3", "full_name": "Nguyễn Văn Ba", "password": "Mat-khau-moi-2026",
         "role": Role.UNIT_OFFICER, "unit": world.unit_a2.pk}, follow=True,
    )
    assert "Đã mời “a.canbo3” nhận vai trò Cán bộ đầu mối" in response.content.decode()
    with scopes_disabled():
        user = User.objects.get(username="a.canbo3")
        assert not Membership.objects.filter(user=user).exists()
    page = _accept(client, user).content.decode()
    assert "Đã nhận vai trò Cán bộ đầu mối đơn vị tại Tỉnh A." in page
    with scopes_disabled():
        membership = Membership.objects.get(user=user)
    assert membership.unit == world.unit_a2 and membership.province == world.province_a


def test_an_account_of_another_province_is_only_invited_and_the_form_does_not_tell_it_existed(world, client_as):
    client = client_as(world.admin_a)
    existing = client.post(_member_url(), {"username": "b.quantri", "password": "Mat-khau-moi-2026",
                                           "role": Role.APPRAISER}, follow=True).content.decode()
    fresh = client.post(_member_url(), {"username": "c.moi", "password": "Mat-khau-moi-2026",
                                        "role": Role.APPRAISER}, follow=True).content.decode()
    # The same words and the same list for an account that existed elsewhere and one just created.
    for page, name in ((existing, "b.quantri"), (fresh, "c.moi")):
        assert f"Đã mời “{name}” nhận vai trò Thành viên Tổ thẩm định. Vai trò có hiệu lực khi người đó đăng nhập" in page
        assert f"<code>{name}</code></td><td>Thành viên Tổ thẩm định</td>" in page
    assert "B Quantri" not in existing  # nothing of the other account is shown
    with scopes_disabled():
        assert set(Membership.objects.filter(user=world.admin_b).values_list("province__slug", flat=True)) == {"tinh-b"}
    # Without a password both are refused alike.
    no_password = [client.post(_member_url(), {"username": u, "role": Role.LEADERSHIP}).content.decode()
                   for u in ("b.quantri", "khong.co.ai")]
    assert all("Hãy nhập mật khẩu ban đầu (dùng khi tên đăng nhập này chưa có tài khoản)." in p for p in no_password)
    # Only the person accepts, keeping their password; declining leaves nothing.
    world.admin_b.refresh_from_db()
    assert world.admin_b.check_password(PASSWORD) and not world.admin_b.check_password("Mat-khau-moi-2026")
    _accept(client, world.admin_b)
    with scopes_disabled():
        assert set(Membership.objects.filter(user=world.admin_b).values_list("province__slug", flat=True)) == {
            "tinh-a", "tinh-b"}


def test_an_invitation_is_answered_only_by_its_person_and_can_be_declined(world, client_as):
    from dti_portal.accounts.models import Invitation

    client = client_as(world.admin_a)
    client.post(_member_url(), {"username": "b.quantri", "password": "Mat-khau-moi-2026", "role": Role.LEADERSHIP})
    with scopes_disabled():
        invitation = Invitation.objects.get(user=world.admin_b)
    client.force_login(world.officer_a1)
    url = reverse("accounts:invitation_answer", kwargs={"invitation_id": invitation.pk})
    assert client.post(url, {"tra-loi": "chap-nhan"}).status_code == 404
    assert client.get(url).status_code == 405
    page = _accept(client, world.admin_b, answer="tu-choi").content.decode()
    assert "Đã từ chối lời mời của Tỉnh A." in page
    with scopes_disabled():
        assert not Invitation.objects.exists()
        assert not Membership.objects.filter(user=world.admin_b, province=world.province_a).exists()


def test_a_person_already_in_the_province_gets_another_role_at_once(world, client_as):
    response = client_as(world.admin_a).post(_member_url(), {"username": "a.lanhdao", "role": Role.APPRAISER}, follow=True)
    assert "Đã giao vai trò Thành viên Tổ thẩm định cho a.lanhdao." in response.content.decode()
    with scopes_disabled():
        assert Membership.objects.filter(user=world.leader_a, role=Role.APPRAISER).exists()


def test_an_officer_without_a_unit_or_with_a_foreign_unit_is_refused(world, client_as):
    client = client_as(world.admin_a)
    no_unit = client.post(_member_url(), {"username": "x1", "password": "Mat-khau-moi-2026", "role": Role.UNIT_OFFICER})
    assert "Cán bộ đầu mối phải gắn với một đơn vị." in no_unit.content.decode()
    foreign = client.post(
        _member_url(),
        {"username": "x2", "password": "Mat-khau-moi-2026", "role": Role.UNIT_OFFICER, "unit": world.unit_b1.pk},
    )
    assert "Đơn vị đã chọn không có trong tỉnh này." in foreign.content.decode()
    assert not User.objects.filter(username__in=["x1", "x2"]).exists()


def test_a_new_account_needs_a_strong_password_and_keeps_the_other_fields(world, client_as):
    client = client_as(world.admin_a)
    missing = client.post(_member_url(), {"username": "x3", "full_name": "Trần Thị Bốn", "role": Role.LEADERSHIP})
    assert "Hãy nhập mật khẩu ban đầu" in missing.content.decode()
    assert 'value="Trần Thị Bốn"' in missing.content.decode()
    weak = client.post(_member_url(), {"username": "x3", "password": "12345678", "role": Role.LEADERSHIP})
    assert "Mật khẩu này hoàn toàn là số." in weak.content.decode()
    assert not User.objects.filter(username="x3").exists()


def test_the_same_role_twice_and_an_unknown_role_are_refused(world, client_as):
    client = client_as(world.admin_a)
    twice = client.post(_member_url(), {"username": "a.lanhdao", "role": Role.LEADERSHIP})
    assert "Người này đã có vai trò này trong tỉnh." in twice.content.decode()
    unknown = client.post(_member_url(), {"username": "a.lanhdao", "role": "god"})
    assert "Hãy chọn một lựa chọn hợp lệ. god không phải là một trong các lựa chọn" in unknown.content.decode()


def test_removing_a_role_and_refusing_to_remove_ones_own_admin_role(world, client_as):
    client = client_as(world.admin_a)
    with scopes_disabled():
        leader = Membership.objects.get(user=world.leader_a)
        own = Membership.objects.get(user=world.admin_a)
    url = lambda m: reverse("tenancy:member_remove", kwargs={"province": "tinh-a", "membership_id": m.pk})  # noqa: E731
    assert client.post(url(leader)).status_code == 302
    response = client.post(url(own), follow=True)
    assert "Bạn không thể tự bỏ vai trò quản trị của chính mình." in response.content.decode()
    with scopes_disabled():
        assert not Membership.objects.filter(pk=leader.pk).exists()
        assert Membership.objects.filter(pk=own.pk).exists()


def test_the_platform_admin_creates_a_province_with_its_first_admin(world, client_as):
    client = client_as(world.platform_admin)
    response = client.post(
        reverse("platform:admin_home"),
        {"slug": "phuyen", "name": "Phú Yên", "coordinating_agency": "Sở KH&CN tỉnh Phú Yên",
         "admin_username": "phuyen.quantri", "admin_password": "Mat-khau-moi-2026"},
    )
    assert response.status_code == 302
    province = Province.objects.get(slug="phuyen")
    with scopes_disabled():
        assert Membership.objects.get(province=province).role == Role.PROVINCE_ADMIN
        assert province.unit_kinds.count() == 3


def test_province_creation_refuses_a_bad_slug_and_a_weak_password_saving_nothing(world, client_as):
    client = client_as(world.platform_admin)
    bad_slug = client.post(reverse("platform:admin_home"), {
        "slug": "Đắk Lắk", "name": "X", "coordinating_agency": "Y", "admin_username": "z", "admin_password": "Mat-khau-moi-2026"})
    assert "Mã tỉnh chỉ gồm chữ thường không dấu" in bad_slug.content.decode()
    weak = client.post(reverse("platform:admin_home"), {
        "slug": "phuyen", "name": "Phú Yên", "coordinating_agency": "Y", "admin_username": "z", "admin_password": "123"})
    assert "Mật khẩu quá ngắn" in weak.content.decode()
    assert not Province.objects.filter(slug="phuyen").exists()
    assert not User.objects.filter(username="z").exists()


def test_only_the_platform_admin_opens_the_platform_page(world, client_as):
    assert client_as(world.admin_a).get(reverse("platform:admin_home")).status_code == 403


def _merge_url(unit):
    return reverse("tenancy:unit_merge", kwargs={"province": "tinh-a", "unit_id": unit.pk})


def test_a_merge_is_recorded_from_the_unit_page(world, client_as):
    client = client_as(world.admin_a)
    response = client.post(
        _merge_url(world.unit_a1), {"successor": world.unit_a2.pk, "effective_date": "01/07/2025", "note": "NQ 202"}
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Đã sáp nhập vào" in page and "UBND huyện Krông Pắc" in page and "đến 30/06/2025" in page


def test_a_merge_into_a_foreign_unit_itself_or_without_a_date_is_refused(world, client_as):
    client = client_as(world.admin_a)
    foreign = client.post(_merge_url(world.unit_a1), {"successor": world.unit_b1.pk, "effective_date": "01/07/2025"})
    itself = client.post(_merge_url(world.unit_a1), {"successor": world.unit_a1.pk, "effective_date": "01/07/2025"})
    no_date = client.post(_merge_url(world.unit_a1), {"successor": world.unit_a2.pk, "effective_date": ""})
    for response in (foreign, itself):
        assert response.status_code == 400
        assert "Đơn vị đã chọn không có trong tỉnh này." in response.content.decode()
    assert no_date.status_code == 400 and "Trường này là bắt buộc." in no_date.content.decode()
    world.unit_a1.refresh_from_db()
    assert world.unit_a1.valid_to is None


def test_a_province_admin_adds_a_unit_kind_and_a_duplicate_code_is_refused(world, client_as):
    client = client_as(world.admin_a)
    url = reverse("tenancy:unit_kind_create", kwargs={"province": "tinh-a"})
    ok = client.post(url, {"code": "xa-moi", "name": "UBND xã, phường (sau sáp nhập)", "order": 4})
    assert ok.status_code == 302
    duplicate = client.post(url, {"code": "xa-moi", "name": "Khác", "order": 5})
    assert "Tỉnh đã có loại đơn vị mang mã này." in duplicate.content.decode()
    bad = client.post(url, {"code": "Xã mới", "name": "", "order": "abc"})
    text = bad.content.decode()
    assert "Mã loại chỉ gồm chữ thường không dấu" in text and "Trường này là bắt buộc." in text
    assert "Hãy nhập một số nguyên, ví dụ 4." in text
    with scopes_disabled():
        assert world.province_a.unit_kinds.filter(code="xa-moi").count() == 1
        # the other province's code space is its own
        assert not world.province_b.unit_kinds.filter(code="xa-moi").exists()
