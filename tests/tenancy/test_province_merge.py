"""Merging a province into another (issue 13, part 1): what the receiving tenant holds, who moves,
what redirects, and every refusal."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope, scopes_disabled

from assessments.models import Assessment
from dti_portal.accounts.models import Membership, Role
from dti_portal.audit.models import Entry
from dti_portal.tenancy import services
from dti_portal.tenancy.models import Province, Unit, UnitLineage
from tests.assessments.conftest import build_framework, open_period
from tests.conftest import make_user

JULY = date(2025, 7, 1)


def merge(world, source=None, target=None, day=JULY):
    return services.province_merge(source=source or world.province_a, target=target or world.province_b,
                                   effective_date=day, actor=world.platform_admin)


@pytest.fixture
def period_a(world):
    return open_period(world, world.province_a, build_framework(world.province_a))


def test_merge_moves_roles_keeps_rows_and_logs_both_sides(world, period_a):
    with scopes_disabled():
        # the same role held in both provinces becomes one
        Membership.objects.create(user=world.admin_a, province=world.province_b, role=Role.PROVINCE_ADMIN)
        units_before = set(Unit.objects.filter(province=world.province_a).values_list("pk", flat=True))
    moved = merge(world)
    assert moved == {"memberships": 5, "memberships_joined": 1, "invitations": 0}
    with scopes_disabled():
        a = Province.objects.get(pk=world.province_a.pk)
        assert (a.merged_into, a.merged_on, a.is_active) == (world.province_b, JULY, False)
        assert not Membership.objects.filter(province=a).exists()
        officer = Membership.objects.get(user=world.officer_a1)
        assert (officer.province, officer.unit, officer.role) == (world.province_b, world.unit_a1, Role.UNIT_OFFICER)
        assert Membership.objects.filter(user=world.admin_a, province=world.province_b).count() == 1
        # nothing of the history changes province: it is held through the lineage
        assert set(Unit.objects.filter(province=a).values_list("pk", flat=True)) == units_before
        assert Assessment.objects.filter(period=period_a, unit=world.unit_a1).exists()
        assert Entry.objects.get(action="province.merged_into").province_id == a.pk
        received = Entry.objects.get(action="province.merged")
        assert received.province_id == world.province_b.pk
        assert received.new["province"] == "Tỉnh A" and received.new["effective_date"] == "2025-07-01"
    b = Province.objects.get(pk=world.province_b.pk)
    assert b.lineage_ids == [b.pk, a.pk]
    assert [p.slug for p in b.predecessors] == ["tinh-a"]


def test_lineage_follows_chains(world):
    with scopes_disabled():
        c = services.province_create(slug="tinh-c", name="Tỉnh C", coordinating_agency="Sở C", actor=None)
    merge(world)  # A into B
    merge(world, source=world.province_b, target=c)  # then B into C
    c = Province.objects.get(pk=c.pk)
    assert sorted(c.lineage_ids) == sorted([c.pk, world.province_a.pk, world.province_b.pk])


@pytest.mark.parametrize("case", ["self", "source_merged", "target_merged"])
def test_merge_refuses_itself_and_merged_provinces(world, case):
    with scopes_disabled():
        c = services.province_create(slug="tinh-c", name="Tỉnh C", coordinating_agency="Sở C", actor=None)
    if case == "self":
        with pytest.raises(ValidationError, match="chính nó"):
            merge(world, target=world.province_a)
        return
    merge(world)  # A into B
    if case == "source_merged":
        with pytest.raises(ValidationError, match="Tỉnh A đã hợp nhất vào Tỉnh B từ ngày 01/07/2025"):
            merge(world, source=world.province_a, target=c)
    else:
        with pytest.raises(ValidationError, match="hãy hợp nhất vào Tỉnh B"):
            merge(world, source=c, target=world.province_a)
    with scopes_disabled():
        assert Province.objects.get(pk=c.pk).merged_into is None


def test_merge_refused_while_a_period_is_between_submission_and_final(world, period_a):
    with scopes_disabled():
        Assessment.objects.filter(period=period_a, unit=world.unit_a1).update(status=Assessment.Status.ROUND1)
        period_b = open_period(world, world.province_b, build_framework(world.province_b))
        Assessment.objects.filter(period=period_b).update(status=Assessment.Status.RETURNED)
    for source, target in [(world.province_a, world.province_b), (world.province_b, world.province_a)]:
        with pytest.raises(ValidationError) as refused:
            merge(world, source=source, target=target)
        assert "Tỉnh A: Kỳ đánh giá 2025 (1 đơn vị); Tỉnh B: Kỳ đánh giá 2025 (1 đơn vị)" in str(refused.value)
    with scopes_disabled():
        assert Province.objects.filter(merged_into__isnull=False).count() == 0
        assert Membership.objects.filter(province=world.province_a).count() == 6
        # final results do not block
        Assessment.objects.filter(period__in=[period_a, period_b]).update(status=Assessment.Status.FINAL)
    merge(world)


def test_merge_refused_when_one_person_is_officer_of_a_unit_in_each(world):
    with scopes_disabled():
        Membership.objects.create(user=world.officer_a1, province=world.province_b, role=Role.UNIT_OFFICER,
                                  unit=world.unit_b1)
    with pytest.raises(ValidationError, match="a.canbo1 \\(đầu mối của Sở Y tế và của Sở Tài chính\\)"):
        merge(world)
    with scopes_disabled():
        assert Membership.objects.filter(user=world.officer_a1).count() == 2


def test_receiving_tenant_holds_the_history_and_old_urls_redirect(world, period_a, client_as):
    merge(world)
    client = client_as(world.admin_a)
    # the same page under the receiving province
    response = client.get(f"/tinh-a/ky-danh-gia/{period_a.pk}/?x=1")
    assert response.status_code == 301
    assert response["Location"] == f"/tinh-b/ky-danh-gia/{period_a.pk}/?x=1"
    assert client.get(response["Location"]).status_code == 200
    # a page of a year names the merged province
    response = client.get("/tinh-a/cong-khai/2023/")
    assert (response.status_code, response["Location"]) == (301, "/tinh-b/cong-khai/2023/?tinh=tinh-a")
    # the former province's units and assessments are reachable under the receiving one, by the moved roles
    assert client.get(f"/tinh-b/don-vi/{world.unit_a1.pk}/").status_code == 200
    officer = client_as(world.officer_a1)
    with scopes_disabled():
        assessment = Assessment.objects.get(period=period_a, unit=world.unit_a1)
    assert officer.get(f"/tinh-b/tu-danh-gia/{assessment.pk}/").status_code == 200
    # an officer of B sees nothing of A's units; a third province nothing of either
    assert client_as(world.officer_b1).get(f"/tinh-b/tu-danh-gia/{assessment.pk}/").status_code == 404
    with scopes_disabled():
        c = services.province_create(slug="tinh-c", name="Tỉnh C", coordinating_agency="Sở C", actor=None)
        Membership.objects.create(user=make_user("c.quantri"), province=c, role=Role.PROVINCE_ADMIN)
    from dti_portal.accounts.models import User
    other = client_as(User.objects.get(username="c.quantri"))
    assert other.get(f"/tinh-c/ky-danh-gia/{period_a.pk}/").status_code == 404
    assert other.get(f"/tinh-c/don-vi/{world.unit_a1.pk}/").status_code == 404


def test_a_unit_of_the_merged_province_may_become_part_of_a_unit_of_the_receiving_one(world):
    with pytest.raises(ValidationError, match="cùng một tỉnh"):
        with scopes_disabled():
            services.units_merge(predecessors=[world.unit_a1], successor=world.unit_b1, effective_date=JULY, actor=None)
    merge(world)
    with scope(province=Province.objects.get(pk=world.province_b.pk).lineage_ids):
        services.units_merge(predecessors=[world.unit_a1], successor=world.unit_b1, effective_date=JULY, actor=None)
        assert UnitLineage.objects.filter(predecessor=world.unit_a1, successor=world.unit_b1).exists()
        from dti_portal.tenancy.lineage import ancestry
        assert [child.name for child in ancestry(Unit.objects.get(pk=world.unit_b1.pk)).children] == ["Sở Y tế"]


def test_platform_merge_page(world, client_as):
    url = "/he-thong/hop-nhat-tinh/"
    assert client_as(world.admin_a).get(url).status_code == 403
    client = client_as(world.platform_admin)
    assert "Hợp nhất một tỉnh vào tỉnh khác" in client.get(url).content.decode()
    for data, message in [
        ({"source": world.province_a.pk, "target": world.province_b.pk, "effective_date": "2025-07-01x"}, "dd/mm/yyyy"),
        ({"source": world.province_a.pk, "target": world.province_b.pk, "effective_date": "31/06/2025"}, "dd/mm/yyyy"),
        ({"source": world.province_a.pk, "target": world.province_b.pk, "effective_date": ""}, "Hãy nhập ngày hợp nhất"),
        ({"source": "", "target": world.province_b.pk, "effective_date": "01/07/2025"}, "Hãy chọn tỉnh cũ"),
        ({"source": 999999, "target": world.province_b.pk, "effective_date": "01/07/2025"}, "Tỉnh đã chọn không có"),
        ({"source": "abc", "target": world.province_b.pk, "effective_date": "01/07/2025"}, "Tỉnh đã chọn không có"),
        ({"source": world.province_a.pk, "target": world.province_a.pk, "effective_date": "01/07/2025"}, "chính nó"),
    ]:
        response = client.post(url, data)
        assert response.status_code == 200 and message in response.content.decode(), (data, message)
    with scopes_disabled():
        assert not Province.objects.filter(merged_into__isnull=False).exists()
    response = client.post(url, {"source": world.province_a.pk, "target": world.province_b.pk, "effective_date": "01/07/2025"})
    assert response.status_code == 302
    page = client.get("/he-thong/").content.decode()
    assert "đã hợp nhất vào Tỉnh B từ 01/07/2025" in page
    assert client.get("/").status_code == 200


def test_evidence_uploaded_before_the_merger_is_served_unchanged_under_the_receiving_province(world, period_a, client_as):
    import hashlib

    from django.core.files.uploadedfile import SimpleUploadedFile

    from assessments.models import Evidence
    from tests.assessments.test_evidence import PDF

    with scopes_disabled():
        assessment = Assessment.objects.get(period=period_a, unit=world.unit_a1)
        indicator = assessment.framework.indicators.get(code="1.1")
    officer = client_as(world.officer_a1)
    officer.post(f"/tinh-a/tu-danh-gia/{assessment.pk}/chi-tieu/{indicator.pk}/tai-lieu/",
                 {"file": SimpleUploadedFile("Ảnh chụp.pdf", PDF)})
    with scopes_disabled():
        evidence = Evidence.objects.get(answer__assessment=assessment)
    merge(world)
    for client in (officer, client_as(world.admin_a), client_as(world.leader_a)):
        download = client.get(f"/tinh-b/tai-lieu/{evidence.pk}/")
        assert download.status_code == 200
        assert hashlib.sha256(b"".join(download.streaming_content)).hexdigest() == evidence.sha256
    assert officer.get(f"/tinh-a/tai-lieu/{evidence.pk}/")["Location"] == f"/tinh-b/tai-lieu/{evidence.pk}/"
    # the receiving province's own officer may not read another unit's file
    assert client_as(world.officer_b1).get(f"/tinh-b/tai-lieu/{evidence.pk}/").status_code == 404
