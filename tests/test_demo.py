from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django_scopes import scope, scopes_disabled

from dti_portal.accounts.models import Membership, Role, User
from dti_portal.demo import DEMO_PASSWORD, demo_accounts
from dti_portal.tenancy.models import Province, Unit
from dti_portal.tenancy.selectors import find_units_by_name


def _count(slug, kind):
    with scopes_disabled():
        return Unit.objects.filter(province__slug=slug, kind__code=kind).count()


def test_the_demo_has_the_real_units_of_both_provinces(db):
    call_command("load_demo")
    assert list(Province.objects.values_list("slug", flat=True)) == ["daklak", "daknong"]
    assert (_count("daklak", "so"), _count("daklak", "huyen")) == (18, 15)
    assert (_count("daknong", "so"), _count("daknong", "huyen")) == (19, 8)


def test_loading_the_demo_twice_changes_nothing(db):
    call_command("load_demo")
    with scopes_disabled():
        before = (Unit.objects.count(), Membership.objects.count(), User.objects.count())
    call_command("load_demo")
    with scopes_disabled():
        assert (Unit.objects.count(), Membership.objects.count(), User.objects.count()) == before


def test_every_unit_name_of_the_reference_results_is_found_through_names_or_aliases(db):
    """The 2020, 2023 reports spell units differently; each spelling must reach one unit."""
    call_command("load_demo")
    spellings = {
        "daklak": ["UBND huyện Krông Pắk", "UBND huyên Buôn Đôn", "Sở Lao động, Thương Binh Xã Hội",
                   "UBND huyện Ea H’leo", "Huyện M'Drắk", "UBND huyện Krông Pắc"],
        "daknong": ["Thanh Tra tỉnh", "Ban Dân tộc", "Ban Dân tộc tỉnh", "UBND huyện Đắk R'lấp"],
    }
    for slug, names in spellings.items():
        province = Province.objects.get(slug=slug)
        with scope(province=province):
            for name in names:
                assert len(find_units_by_name(province, name)) == 1, name


def test_the_2025_mergers_are_recorded_as_lineage(db):
    call_command("load_demo")
    province = Province.objects.get(slug="daklak")
    with scope(province=province):
        tttt = Unit.objects.get(name="Sở Thông tin và Truyền thông")
        assert [link.successor.name for link in tttt.successor_links.all()] == ["Sở Khoa học và Công nghệ"]
        assert str(tttt.valid_to) == "2025-02-28"


def test_every_demo_account_logs_in_and_holds_its_role(db, client):
    call_command("load_demo")
    for row in demo_accounts():
        user = User.objects.get(username=row["username"])
        assert user.check_password(DEMO_PASSWORD)
        if row["role"] == "platform_admin":
            assert user.is_platform_admin
            continue
        with scopes_disabled():
            membership = Membership.objects.get(user=user, province__slug=row["province"], role=row["role"])
        assert (membership.unit.name if membership.unit else "") == row["unit"]
    roles = {(r["province"], r["role"]) for r in demo_accounts()}
    for slug in ["daklak", "daknong"]:
        assert {role for province, role in roles if province == slug} == set(Role.values)


def test_the_readme_lists_every_demo_account_and_the_password():
    readme = (Path(settings.BASE_DIR) / "README.md").read_text(encoding="utf-8")
    for row in demo_accounts():
        assert f"`{row['username']}`" in readme
    assert DEMO_PASSWORD in readme
    assert "make demo" in readme and "make test" in readme


# The page each demo role lands on after login, and a text it shows.
LANDING = {
    "platform_admin": ("/he-thong/", "Quản trị hệ thống"),
    "province_admin": ("/{province}/quan-tri/", "Quản trị cấp tỉnh"),
    "unit_officer": ("/{province}/don-vi/", "{unit}"),
    "appraiser": ("/{province}/tham-dinh/", "Tổ thẩm định"),
    "appraisal_lead": ("/{province}/tham-dinh/to-truong/", "Tổ trưởng Tổ thẩm định"),
    "leadership": ("/{province}/lanh-dao/", "Lãnh đạo"),
}


def test_every_demo_account_logs_in_through_the_form_and_lands_on_its_roles_home(db, client):
    call_command("load_demo")
    single_role = [r for r in demo_accounts() if r["username"] != "thamdinh.chung"]
    for row in single_role:
        client.logout()
        response = client.post("/dang-nhap/", {"username": row["username"], "password": DEMO_PASSWORD}, follow=True)
        path, text = (part.format(**row) for part in LANDING[row["role"]])
        final_path = response.redirect_chain[-1][0]
        assert final_path.startswith(path), (row["username"], final_path)
        assert response.status_code == 200 and text in response.content.decode(), row["username"]


def test_the_demo_person_with_two_provinces_is_offered_both(db, client):
    call_command("load_demo")
    response = client.post("/dang-nhap/", {"username": "thamdinh.chung", "password": DEMO_PASSWORD}, follow=True)
    text = response.content.decode()
    assert "Đắk Lắk" in text and "Đắk Nông" in text
    assert client.get("/daklak/tham-dinh/").status_code == 200
    assert client.get("/daknong/tham-dinh/").status_code == 200


def test_the_daknong_2024_period_has_units_in_every_state(db):
    from assessments.models import Assessment

    call_command("load_demo")
    with scopes_disabled():
        states = set(Assessment.objects.filter(period__province__slug="daknong", period__year=2024).values_list("status", flat=True))
        daklak = set(Assessment.objects.filter(period__province__slug="daklak", period__year=2025).values_list("status", flat=True))
    assert {"draft", "submitted", "round1", "returned", "explained", "round2", "final"} <= states
    assert daklak == {"draft"}
