from pathlib import Path

import pytest
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
    assert sorted(Province.objects.values_list("slug", flat=True)) == ["daklak", "daknong", "lamdong"]
    assert (_count("daklak", "so"), _count("daklak", "huyen")) == (18, 15)
    assert (_count("daknong", "so"), _count("daknong", "huyen")) == (19, 8)
    assert _count("daklak", "xa") == 6  # a handful of the xã, phường formed on 01/07/2025


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
        # The wards and commune of the former city when districts were abolished (01/07/2025): its results are
        # theirs to look back on, one row per predecessor on the unit page.
        city = Unit.objects.get(name="UBND thành phố Buôn Ma Thuột")
        assert sorted(link.successor.name for link in city.successor_links.all()) == [
            "UBND phường Buôn Ma Thuột", "UBND phường Ea Kao", "UBND phường Thành Nhất", "UBND phường Tân An",
            "UBND phường Tân Lập", "UBND xã Hòa Phú"]


def test_every_demo_account_logs_in_and_holds_its_role(db, client):
    call_command("load_demo")
    for row in demo_accounts():
        user = User.objects.get(username=row["username"])
        assert user.check_password(DEMO_PASSWORD)
        if row["role"] == "platform_admin":
            assert user.is_platform_admin
            continue
        with scopes_disabled():  # a role of Đắk Nông is held in Lâm Đồng since the merger
            membership = Membership.objects.get(user=user, province__slug=row["tenant"], role=row["role"])
        assert (membership.unit.name if membership.unit else "") == row["unit"]
    roles = {(r["province"], r["role"]) for r in demo_accounts()}
    for slug in ["daklak", "daknong"]:
        assert {role for province, role in roles if province == slug} == set(Role.values)
    assert {role for province, role in roles if province == "lamdong"} == {Role.PROVINCE_ADMIN, Role.LEADERSHIP}
    with scopes_disabled():
        assert not Membership.objects.filter(province__slug="daknong").exists()


def test_the_readme_lists_every_demo_account_and_the_password():
    readme = (Path(settings.BASE_DIR) / "README.md").read_text(encoding="utf-8")
    for row in demo_accounts():
        assert f"`{row['username']}`" in readme
    assert DEMO_PASSWORD in readme
    assert "make demo" in readme and "make test" in readme


# The page each demo role lands on after login, and a text it shows.
LANDING = {
    "platform_admin": ("/he-thong/", "Quản trị hệ thống"),
    "province_admin": ("/{tenant}/quan-tri/", "Quản trị cấp tỉnh"),
    "unit_officer": ("/{tenant}/don-vi/", "{unit}"),
    "appraiser": ("/{tenant}/tham-dinh/", "Tổ thẩm định"),
    "appraisal_lead": ("/{tenant}/tham-dinh/to-truong/", "Tổ trưởng Tổ thẩm định"),
    "leadership": ("/{tenant}/lanh-dao/", "Lãnh đạo"),
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
    assert "Đắk Lắk" in text and "Lâm Đồng" in text  # the Đắk Nông role is held in Lâm Đồng since the merger
    assert client.get("/daklak/tham-dinh/").status_code == 200
    assert client.get("/lamdong/tham-dinh/").status_code == 200
    assert client.get("/daknong/tham-dinh/", follow=True).redirect_chain == [("/lamdong/tham-dinh/", 301)]


def test_the_daknong_2024_period_has_units_in_every_state(db):
    from assessments.models import Assessment

    call_command("load_demo")
    with scopes_disabled():
        states = set(Assessment.objects.filter(period__province__slug="daknong", period__year=2024).values_list("status", flat=True))
        daklak = set(Assessment.objects.filter(period__province__slug="daklak", period__year=2025).values_list("status", flat=True))
    assert {"draft", "submitted", "round1", "returned", "explained", "round2", "final"} <= states
    assert daklak == {"draft"}


# --- the live 2025 period of Đắk Lắk: criterion-level sample catalogues --------------------------
def _daklak_2025():
    from assessments.models import Period

    return Period.objects.get(province__slug="daklak", year=2025)


def test_the_daklak_2025_period_answers_the_criterion_level_samples_with_the_new_xa_phuong(db):
    from dti_portal.demo import DEMO_PERIOD, SAMPLE_DECISION

    call_command("load_demo")
    with scope(province=Province.objects.get(slug="daklak")):
        period = _daklak_2025()
        assert period.name == DEMO_PERIOD
        frameworks = {link.unit_kind.code: link.framework for link in period.period_frameworks.select_related("framework", "unit_kind")}
        assert set(frameworks) == {"so", "xa"}  # no huyện after 01/07/2025
        for framework in frameworks.values():
            assert framework.decision_number == SAMPLE_DECISION and "mẫu" in framework.name
            assert framework.indicators.filter(children__isnull=True).count() > framework.indicators.filter(parent__isnull=True).count()
        kinds = sorted(period.assessments.values_list("unit__kind__code", flat=True))
        assert kinds.count("so") == 18 and kinds.count("xa") == 6
        assert period.assessments.get(unit__name="UBND xã Hòa Phú").framework == frameworks["xa"]


def test_the_historical_years_keep_their_real_catalogues(db):
    from assessments.models import Assessment, Period

    call_command("load_demo")
    with scopes_disabled():
        daknong = Period.objects.get(province__slug="daknong", year=2024)
        assert {link.framework.decision_number for link in daknong.period_frameworks.select_related("framework")} == {"1552/QĐ-UBND"}
        dti_2021 = Assessment.objects.get(period__province__slug="daklak", period__year=2021)
        assert dti_2021.framework.decision_number == "922/QĐ-BTTTT" and dti_2021.status == "final"
        assert not Period.objects.filter(province__slug="daklak", year__in=[2020, 2022, 2023, 2024]).exists()


def test_the_demo_officer_has_answered_two_groups_the_vietnamese_way(db):
    from decimal import Decimal

    from assessments.models import Answer

    call_command("load_demo")
    with scope(province=Province.objects.get(slug="daklak")):
        answers = Answer.objects.filter(assessment__period=_daklak_2025(), assessment__unit__name="Sở Y tế").select_related("indicator__parent")
        assert {a.indicator.parent.code for a in answers} == {"1", "2"}
        assert all(a.self_score is not None and not a.error for a in answers)
        assert len(answers) == answers[0].assessment.framework.indicators.filter(parent__code__in=["1", "2"]).count()
        by_code = {a.indicator.code: a for a in answers}
        assert by_code["2.6"].inputs == {"a": "412,6", "b": "48.735,2"} and by_code["2.6"].self_score == Decimal("8.4662")
        assert by_code["1.1"].self_score == Decimal("7.5")  # a deputy heads the steering committee: ½ max
        assert sum(a.self_score for a in answers if a.indicator.parent.code == "1") == Decimal("78")
        assert sum(a.self_score for a in answers if a.indicator.parent.code == "2") == Decimal("70.1329")
        assessment = answers[0].assessment
        assessment.refresh_from_db()
        assert (assessment.self_total, assessment.answered_count) == (Decimal("148.1329"), 15)  # stored by the services
        others = Answer.objects.filter(assessment__period=_daklak_2025()).exclude(assessment__unit__name="Sở Y tế")
        assert not others.exists()


def _entry_url(unit_name):
    from assessments.models import Assessment

    assessment = Assessment.objects.get(period__province__slug="daklak", period__year=2025, unit__name=unit_name)
    return assessment, f"/daklak/tu-danh-gia/{assessment.pk}/"


def test_the_demo_officer_answers_a_criterion_and_sees_its_score(db, client):
    from assessments.models import Answer

    call_command("load_demo")
    client.post("/dang-nhap/", {"username": "daklak.canbo", "password": DEMO_PASSWORD})
    with scopes_disabled():
        assessment, url = _entry_url("Sở Y tế")
        indicator = assessment.framework.indicators.get(code="3.1")
    page = client.get(url).content.decode()
    assert "Chuyển đổi số y tế" in page and "48.735,2" in page  # what was typed stays as typed
    response = client.post(f"{url}chi-tieu/{indicator.pk}/", {"a": "118", "b": "124", "note": "Tại 31/12"}, follow=True)
    text = response.content.decode()
    assert "Đã lưu chỉ tiêu 3.1" in text and "14,27" in text  # 118/124 × 15
    with scopes_disabled():
        assert str(Answer.objects.get(assessment=assessment, indicator=indicator).self_score) == "14.2742"


def test_the_xa_officer_opens_47_criteria_and_answers_one(db, client):
    from assessments.models import Answer

    call_command("load_demo")
    response = client.post("/dang-nhap/", {"username": "daklak.canbo3", "password": DEMO_PASSWORD}, follow=True)
    assert "UBND xã Hòa Phú" in response.content.decode()
    with scopes_disabled():
        assessment, url = _entry_url("UBND xã Hòa Phú")
        indicator = assessment.framework.indicators.get(code="6.2")
    page = client.get(url).content.decode()
    assert "UBND xã Hòa Phú" in page and "Hoạt động kinh tế số" in page
    assert "Tỷ lệ theo bậc: từ 70 %: 0,5 × điểm tối đa; từ 90 %: điểm tối đa" in page  # 6.2, ratio_steps
    client.post(f"{url}chi-tieu/{indicator.pk}/", {"a": "382", "b": "500", "note": ""})
    with scopes_disabled():
        answer = Answer.objects.get(assessment=assessment, indicator=indicator)
        assert answer.self_score == 20 and answer.inputs == {"a": "382", "b": "500"}  # 70 % ≤ 76,4 % < 90 %: ½ max
        _, other = _entry_url("UBND phường Tân An")
    assert client.get(other).status_code == 404  # another xã's entry page is not theirs


# --- the merger of 01/07/2025: Đắk Nông into Lâm Đồng ----------------------------------------------
def _daknong_2023_digest():
    """A checksum of what Đắk Nông published for 2023, as stored: every imported row, under its province."""
    import hashlib

    from rankings.models import ImportedResult, Publication

    with scopes_disabled():
        rows = list(ImportedResult.objects.filter(province__slug="daknong", year=2023).order_by("unit_id").values_list(
            "province_id", "unit_id", "unit_kind_id", "framework_id", "reported", "total", "index", "parts",
            "published_rank", "published_band", "source"))
        files = list(Publication.objects.filter(province__slug="daknong").order_by("year")
                     .values_list("year", "pdf_sha256", "xlsx_sha256", "bundle_sha256"))
    return len(rows), hashlib.sha256(repr((rows, files)).encode()).hexdigest()


def test_the_demo_merges_daknong_into_lamdong_with_the_platform_admins_act(db):
    from dti_portal.audit.models import Entry

    call_command("load_demo")
    daknong, lamdong = Province.objects.get(slug="daknong"), Province.objects.get(slug="lamdong")
    assert (daknong.merged_into, str(daknong.merged_on), daknong.is_active) == (lamdong, "2025-07-01", False)
    assert lamdong.coordinating_agency == "Sở Khoa học và Công nghệ tỉnh Lâm Đồng" and lamdong.is_active
    assert lamdong.lineage_ids == [lamdong.pk, daknong.pk]
    assert Province.objects.get(slug="daklak").lineage_ids == [Province.objects.get(slug="daklak").pk]  # Đắk Lắk as it was
    with scopes_disabled():
        merged = Entry.objects.get(province=lamdong, action="province.merged")
        assert merged.actor.username == "quantri" and merged.new["slug"] == "daknong"
        # merged after the 2024 period was opened, before any unit submitted it
        opened = Entry.objects.get(action="period.opened", period__province=daknong, period__year=2024)
        first_submission = Entry.objects.filter(action="assessment.submitted", period__province=daknong).order_by("pk").first()
        assert opened.pk < merged.pk < first_submission.pk


def test_daknongs_published_2023_results_stay_daknongs_unchanged_through_the_merger(db, monkeypatch):
    from dti_portal.tenancy import services

    before = {}
    real = services.province_merge

    def watched(**kwargs):
        before["digest"] = _daknong_2023_digest()
        return real(**kwargs)

    monkeypatch.setattr(services, "province_merge", watched)
    call_command("load_demo")
    count, _ = before["digest"]
    assert count == 27  # the rows of fixtures/results/results_daknong_2023.csv
    assert _daknong_2023_digest() == before["digest"]


def test_the_old_daknong_urls_lead_to_lamdong(db, client):
    call_command("load_demo")
    response = client.get("/daknong/cong-khai/")
    assert (response.status_code, response["Location"]) == (301, "/lamdong/cong-khai/")
    response = client.get("/daknong/cong-khai/2023/")  # a page of a year names the former province
    assert (response.status_code, response["Location"]) == (301, "/lamdong/cong-khai/2023/?tinh=daknong")
    client.force_login(User.objects.get(username="daknong.quantri"))
    response = client.get("/daknong/quan-tri/", follow=True)
    assert response.redirect_chain == [("/lamdong/quan-tri/", 301)] and response.status_code == 200


def test_the_daknong_2024_period_goes_on_in_lamdong_with_units_in_every_state(db, client):
    from assessments.models import Assessment, Period, SignOff

    call_command("load_demo")
    with scopes_disabled():
        period = Period.objects.select_related("province").get(province__slug="daknong", year=2024)
        states = {a.unit.name: a.status for a in Assessment.objects.filter(period=period).select_related("unit")}
        signed = set(SignOff.objects.filter(assessment__period=period).values_list("appraiser__username", flat=True))
    assert period.province.name == "Đắk Nông"  # the period keeps its province
    assert {states[name] for name in ["Sở Thông tin và Truyền thông", "Sở Tư pháp", "Sở Kế hoạch và Đầu tư",
                                      "UBND huyện Đắk Song", "Sở Nội vụ", "Sở Y tế", "Sở Tài chính"]} == {
        "final", "round2", "explained", "returned", "round1", "submitted", "draft"}
    assert signed == {"daknong.thamdinh", "thamdinh.chung"}  # the moved accounts appraised it in Lâm Đồng
    for username in ["daknong.quantri", "lamdong.quantri"]:
        client.force_login(User.objects.get(username=username))
        page = client.get(f"/lamdong/ky-danh-gia/").content.decode()
        assert period.name in page and "Tỉnh Đắk Nông (cũ)" in page
        assert client.get(f"/lamdong/ky-danh-gia/{period.pk}/").status_code == 200
    client.force_login(User.objects.get(username="daknong.totruong"))
    assert period.name in client.get("/lamdong/tham-dinh/to-truong/").content.decode()
    client.force_login(User.objects.get(username="daknong.canbo2"))  # UBND huyện Đắk Song, returned: explains
    with scopes_disabled():
        returned = Assessment.objects.get(period=period, unit__name="UBND huyện Đắk Song")
    assert client.get(f"/lamdong/tu-danh-gia/{returned.pk}/").status_code == 200


def test_the_demo_notifications_of_the_2024_period_are_lamdongs(db):
    from dti_portal.accounts.models import Notification

    call_command("load_demo")
    with scopes_disabled():
        notes = list(Notification.objects.values_list("province__slug", "link"))
    assert notes and {slug for slug, _ in notes} == {"lamdong"}
    assert all(link.startswith("/lamdong/") for _, link in notes)


def test_a_demo_database_loaded_without_the_merger_is_left_unmerged_with_the_refusal_said(db):
    """`--no-mergers` is the demo as before 01/07/2025; loading the demo again over it cannot merge, since
    Đắk Nông's 2024 period is then in appraisal: the refusal of `province_merge` is printed, nothing changes."""
    from io import StringIO

    call_command("load_demo", mergers=False)
    daknong = Province.objects.get(slug="daknong")
    assert daknong.merged_into is None and daknong.is_active
    with scopes_disabled():
        assert Membership.objects.filter(province=daknong).count() == 7
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "Đắk Nông chưa hợp nhất vào Lâm Đồng: Chưa thể hợp nhất" in out.getvalue()
    assert "Đánh giá DTI năm 2024 (dữ liệu mẫu)" in out.getvalue() and "xóa db.sqlite3" in out.getvalue()
    assert Province.objects.get(slug="daknong").merged_into is None


@pytest.mark.django_db(transaction=True)  # the worker commits, as `make demo`'s worker does
def test_lamdong_holds_daknongs_2023_report_as_published_under_its_name(client, settings):
    """The demo requests Đắk Nông's 2023 report (401/QĐ-UBND of 05/04/2024) before the merger; the worker
    `make demo` starts renders it; Lâm Đồng's public page lists it as "Đắk Nông, 2023" and the old address
    of its PDF leads to the very file whose checksum was stored."""
    import hashlib

    from django_tasks_db.management.commands.db_worker import Worker

    from rankings.models import Publication

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    call_command("load_demo")
    with scopes_disabled():
        publication = Publication.objects.get()
        assert (publication.province.slug, publication.year, publication.decision_number) == ("daknong", 2023, "401/QĐ-UBND")
        assert publication.requested_by.username == "daknong.quantri"
    Worker(queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
           max_tasks=None, worker_id="demo-worker", excluded_queue_names=[]).run()
    with scopes_disabled():
        publication.refresh_from_db()
    assert publication.status == Publication.Status.PUBLISHED
    page = client.get("/lamdong/cong-khai/").content.decode()
    assert "Đắk Nông, 2023" in page and "401/QĐ-UBND" in page
    pdf = client.get("/daknong/cong-khai/2023/pdf/", follow=True)
    assert pdf.redirect_chain == [("/lamdong/cong-khai/2023/pdf/?tinh=daknong", 301)]
    assert hashlib.sha256(b"".join(pdf.streaming_content)).hexdigest() == publication.pdf_sha256


def test_without_the_merger_the_demo_leaves_daknongs_2023_for_its_admin_to_publish(db):
    from rankings.models import Publication

    call_command("load_demo", mergers=False)
    with scopes_disabled():
        assert not Publication.objects.exists()
