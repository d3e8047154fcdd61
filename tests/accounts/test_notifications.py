"""In-app notifications: every message the portal e-mails is also a notification of each person
concerned, in the province it is about; the list reads and marks them; the navbar counts unread."""

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from assessments.models import Assessment
from assessments.notifications import notify, notify_all
from dti_portal.accounts.models import Membership, Notification, Role
from tests.assessments.conftest import assessment, indicators, period, team  # noqa: F401 (fixtures)
from tests.conftest import Rewind

LIST = reverse("notifications:list", kwargs={"province": "tinh-a"})


def _notifications(user, province=None):
    with scopes_disabled():
        found = Notification.objects.filter(user=user)
        return list(found.filter(province=province) if province else found)


def _inserts(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith("INSERT") and "accounts_notification" in q["sql"]]


def test_a_transition_notifies_every_person_concerned_in_one_insert(team, assessment, django_capture_on_commit_callbacks):
    """round 1 started (fixture) → the appraisers, the lead and the officer; each link fits the person."""
    for user, page in [(team.appraiser_a, "tham-dinh/danh-gia"), (team.appraiser2, "tham-dinh/danh-gia"),
                       (team.lead_a, "tham-dinh/danh-gia"), (team.officer_a1, "tu-danh-gia")]:
        found = [n for n in _notifications(user) if n.title == "Bắt đầu thẩm định lần 1: Sở Y tế"]
        assert len(found) == 1, user
        assert found[0].province_id == team.province_a.pk and found[0].read_at is None
        assert f"/tinh-a/{page}/{assessment.pk}/" == found[0].link
        assert "Kỳ đánh giá: Kỳ đánh giá 2025" in found[0].body
    mail.outbox.clear()
    with scope(province=team.province_a), CaptureQueriesContext(connection) as queries, \
            django_capture_on_commit_callbacks(execute=True):
        notify(assessment, "reminder", "Hạn giải trình: 01/12/2026 (còn 3 ngày).")
    assert len(_inserts(queries)) == 1
    assert [n.title for n in _notifications(team.officer_a1) if "Nhắc hạn" in n.title] == ["Nhắc hạn: Sở Y tế"]
    assert [m.to for m in mail.outbox] == [["canbo@so-y-te.vn"]]  # the same message by e-mail


def test_a_person_without_an_email_address_still_gets_the_notification(team, assessment, django_capture_on_commit_callbacks):
    with scopes_disabled():
        team.officer_a1.email = ""
        team.officer_a1.save()
    mail.outbox.clear()
    with scope(province=team.province_a), django_capture_on_commit_callbacks(execute=True):
        notify(assessment, "reminder", "")
    assert mail.outbox == []
    assert any(n.title == "Nhắc hạn: Sở Y tế" for n in _notifications(team.officer_a1))


def test_an_inactive_person_gets_neither_mail_nor_notification(team, assessment):
    with scopes_disabled():
        team.officer_a1.is_active = False
        team.officer_a1.save()
        before = len(_notifications(team.officer_a1))
    with scope(province=team.province_a):
        notify(assessment, "reminder", "")
    assert len(_notifications(team.officer_a1)) == before


def test_a_notification_is_rolled_back_with_the_transition_that_wrote_it(team, assessment):
    before = len(_notifications(team.officer_a1))
    with scope(province=team.province_a), pytest.raises(RuntimeError):
        with transaction.atomic():
            notify(assessment, "reminder", "")
            raise RuntimeError("the service failed after notifying")
    assert len(_notifications(team.officer_a1)) == before


def _make(user, province, title, **extra):
    with scope(province=province):
        return Notification.objects.create(user=user, province=province, title=title, **extra)


def test_the_list_shows_only_the_notifications_of_the_province_in_the_url(world, client_as):
    with scopes_disabled():
        Membership.objects.create(user=world.admin_a, province=world.province_b, role=Role.PROVINCE_ADMIN)
    _make(world.admin_a, world.province_a, "Việc ở tỉnh A")
    _make(world.admin_a, world.province_b, "Việc ở tỉnh B")
    _make(world.admin_b, world.province_a, "Của người khác")
    client = client_as(world.admin_a)
    page = client.get(LIST).content.decode()
    assert "Việc ở tỉnh A" in page and "Việc ở tỉnh B" not in page and "Của người khác" not in page
    page_b = client.get(reverse("notifications:list", kwargs={"province": "tinh-b"})).content.decode()
    assert "Việc ở tỉnh B" in page_b and "Việc ở tỉnh A" not in page_b


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(world, client_as):
    unread = _make(world.officer_a1, world.province_a, "Kết quả thẩm định lần 1 của Sở Y tế: mời giải trình", link="/tinh-a/")
    client = client_as(world.officer_a1)
    page = client.get(LIST).content.decode()
    assert 'data-read="0"' in page and "Chưa đọc" in page
    response = client.post(reverse("notifications:open", kwargs={"province": "tinh-a", "notification_id": unread.pk}))
    assert response.status_code == 302 and response["Location"] == "/tinh-a/"
    with scopes_disabled():
        unread.refresh_from_db()
    assert unread.read_at is not None
    assert 'data-read="1"' in client.get(LIST).content.decode()
    assert "Không có thông báo nào chưa đọc." in client.get(LIST + "?chua-doc=1").content.decode()


def test_another_persons_notification_answers_404_and_stays_unread(world, client_as):
    theirs = _make(world.officer_a2, world.province_a, "Của cán bộ đơn vị khác", link="/tinh-a/")
    response = client_as(world.officer_a1).post(
        reverse("notifications:open", kwargs={"province": "tinh-a", "notification_id": theirs.pk}))
    assert response.status_code == 404
    with scopes_disabled():
        theirs.refresh_from_db()
    assert theirs.read_at is None


def test_a_link_to_another_site_is_never_followed(world, client_as):
    odd = _make(world.officer_a1, world.province_a, "Lạ", link="https://example.com/lua-dao")
    response = client_as(world.officer_a1).post(
        reverse("notifications:open", kwargs={"province": "tinh-a", "notification_id": odd.pk}))
    assert response["Location"] == LIST


def test_mark_all_read_touches_only_this_persons_notifications_in_this_province(world, client_as):
    with scopes_disabled():
        Membership.objects.create(user=world.officer_a1, province=world.province_b, role=Role.APPRAISER)
    mine = [_make(world.officer_a1, world.province_a, f"Thông báo {n}") for n in range(3)]
    elsewhere = _make(world.officer_a1, world.province_b, "Ở tỉnh B")
    theirs = _make(world.officer_a2, world.province_a, "Của người khác")
    client = client_as(world.officer_a1)
    response = client.post(reverse("notifications:mark_all", kwargs={"province": "tinh-a"}), follow=True)
    assert "Đã đánh dấu đã đọc 3 thông báo." in response.content.decode()
    with scopes_disabled():
        assert all(Notification.objects.get(pk=n.pk).read_at for n in mine)
        assert Notification.objects.get(pk=elsewhere.pk).read_at is None
        assert Notification.objects.get(pk=theirs.pk).read_at is None
    again = client.post(reverse("notifications:mark_all", kwargs={"province": "tinh-a"}), follow=True)
    assert "Không còn thông báo nào chưa đọc." in again.content.decode()


def test_the_list_is_paged(world, client_as):
    with scope(province=world.province_a):
        Notification.objects.bulk_create([Notification(user=world.admin_a, province=world.province_a, title=f"Số {n:03d}")
                                          for n in range(60)])
    client = client_as(world.admin_a)
    first = client.get(LIST).content.decode()
    assert "Số 059" in first and "Số 009" not in first and "Trang 1/2" in first
    assert "Số 009" in client.get(LIST + "?trang=2").content.decode()


def _notification_queries(queries) -> int:
    return sum(1 for q in queries if "accounts_notification" in q["sql"])


def test_the_navbar_counts_unread_notifications_of_this_province_in_one_query(world, client_as):
    for n in range(4):
        _make(world.admin_a, world.province_a, f"Chưa đọc {n}")
    with scopes_disabled():
        Membership.objects.create(user=world.admin_a, province=world.province_b, role=Role.PROVINCE_ADMIN)
    _make(world.admin_a, world.province_b, "Ở tỉnh B")
    client = client_as(world.admin_a)
    home = reverse("tenancy:admin_home", kwargs={"province": "tinh-a"})
    client.get(home)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(home).content.decode()
    assert '<span class="badge text-bg-light" data-testid="unread-count">4<' in page
    assert _notification_queries(queries) == 1


def test_no_notification_query_on_anonymous_pages_or_outside_a_province(world, client, client_as):
    for url in [reverse("platform_home"), reverse("accounts:login"), reverse("public_home", kwargs={"province": "tinh-a"})]:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        assert _notification_queries(queries) == 0, url
    client = client_as(world.admin_a)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("platform_home"))
    assert _notification_queries(queries) == 0


def test_the_role_chooser_tells_unread_notifications_per_province(world, client_as):
    with scopes_disabled():
        Membership.objects.create(user=world.admin_a, province=world.province_b, role=Role.APPRAISER)
    _make(world.admin_a, world.province_b, "Ở tỉnh B")
    page = client_as(world.admin_a).get(reverse("accounts:home")).content.decode()
    assert page.count("thông báo chưa đọc") == 1


def _units_in_round1(world, units: int):
    from tests.assessments.test_page_queries import _period

    period = _period(world, units, extra_leaves=0)
    with scopes_disabled():
        return list(Assessment.objects.filter(period=period).select_related("period", "unit").order_by("pk"))


def test_a_period_wide_act_notifies_every_unit_in_one_insert_and_the_same_queries_for_5_or_30_units(
        world, django_capture_on_commit_callbacks):
    counts, rewind = [], Rewind()
    for units in (5, 30):
        rewind()
        assessments = _units_in_round1(world, units)
        mail.outbox.clear()
        with scope(province=world.province_a), CaptureQueriesContext(connection) as queries, \
                django_capture_on_commit_callbacks(execute=True):
            notify_all(assessments, "round2")
        assert len(_inserts(queries)) == 1
        counts.append(len(queries))
        # every unit's appraiser and lead told (the officer of Sở Y tế too), one e-mail per unit
        assert sum(1 for n in _notifications(world.appraiser_a) if n.title.startswith("Bắt đầu thẩm định lần 2")) == units
        assert len(mail.outbox) == 0 or len(mail.outbox) == units  # only people with an address get mail
        with scopes_disabled():
            Notification.objects.all().delete()
    assert counts[0] == counts[1], counts


def test_the_list_costs_the_same_queries_for_5_and_for_200_notifications(world, client_as):
    client = client_as(world.admin_a)
    counts = []
    for n in (5, 200):
        with scope(province=world.province_a):
            Notification.objects.all().delete()
            Notification.objects.bulk_create([Notification(user=world.admin_a, province=world.province_a, title=f"Số {i}")
                                              for i in range(n)])
        client.get(LIST)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(LIST).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
