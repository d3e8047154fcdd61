"""Publication through the task queue: progress, failure with its reason and a retry, a worker
killed mid-way, two requests at once, per-unit scorecards and their bundle, a real worker loop.

Province A of the shared personas with four sở whose 2025 results are final (answers written
directly, totals stored by `refresh_totals`, as finalising does).
"""

import hashlib
import io
import threading
import zipfile
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from assessments.models import Answer, Assessment, Period
from dti_portal.audit.models import Entry
from assessments.services import period_open, period_save
from assessments.totals import refresh_totals
from dti_portal.tenancy import services as tenancy_services
from indicators.models import Framework
from indicators.services import FrameworkMeta, framework_create, indicator_save
from rankings import publication as service
from rankings import report
from rankings.models import ImportedResult, Publication, Scorecard
from rankings.publication import publication_request, publication_retry

YEAR = 2025
FIELDS = {"guidance": "", "evidence_required": "", "data_source": "", "verifying_agency": ""}


def _node(framework, code, name, max_points, rule="manual", parent=None):
    return indicator_save(actor=None, framework=framework, indicator=None, parent=parent, data=FIELDS | {
        "code": code, "name": name, "max_points": max_points, "rule": rule, "params": {}})


@pytest.fixture
def final_year(world):
    """Four sở of province A with final 2025 results on a two-pillar framework (100 points)."""
    province = world.province_a
    with scopes_disabled():
        kind = province.unit_kinds.get(code="so")
        for name in ("Sở Tư pháp", "Sở Nội vụ", "Sở Tài chính"):
            tenancy_services.unit_create(actor=None, province=province, kind=kind, name=name)
    with scope(province=province):
        framework = framework_create(actor=None, province=province, meta=FrameworkMeta(name="Bộ chỉ số sở 2025", year=YEAR, unit_kind=kind))
        leaves = []
        for g, name in ((1, "Nhận thức số"), (2, "Chính quyền số")):
            group = _node(framework, str(g), name, 50, "sum")
            leaves += [_node(framework, f"{g}.{i}", f"Chỉ tiêu {g}.{i} về chuyển đổi số", 10, parent=group) for i in range(1, 6)]
        framework.status = Framework.Status.ACTIVE
        framework.save()
        today = timezone.localdate()
        period = Period(province=province, year=YEAR, name="Kỳ đánh giá 2025", self_assessment_start=today - timedelta(days=30),
                        self_assessment_end=today - timedelta(days=1))
        period_save(period=period, frameworks={kind: framework}, actor=None)
        period_open(period=period, actor=world.admin_a)
        assessments = list(Assessment.objects.filter(period=period).select_related("unit").order_by("unit__name"))
        for n, assessment in enumerate(assessments):
            Answer.objects.bulk_create(
                Answer(assessment=assessment, indicator=leaf, self_score=Decimal(10), final_score=Decimal(10 - (n + i) % 4),
                       reason="Thiếu tài liệu kiểm chứng" if (n + i) % 4 else "")
                for i, leaf in enumerate(leaves))
        Assessment.objects.filter(period=period).update(status=Assessment.Status.FINAL)
        refresh_totals([a.pk for a in assessments])
    return assessments


def _request(world, **kwargs):
    with scope(province=world.province_a):
        return publication_request(province=world.province_a, year=YEAR, decision_number=kwargs.get("number", "12/QĐ-UBND"),
                                   decision_date=date(2026, 3, 1), signer="Chủ tịch UBND tỉnh", actor=world.admin_a)


def _fresh(publication):
    with scopes_disabled():
        return Publication.objects.get(pk=publication.pk)


def _nothing_published(world):
    with scopes_disabled():
        assert not ImportedResult.objects.filter(province=world.province_a, year=YEAR).exists()
        assert set(Assessment.objects.filter(period__year=YEAR).values_list("status", flat=True)) == {Assessment.Status.FINAL}
        assert not Entry.objects.filter(action="assessment.published").exists()


def _folder_files(publication) -> set[str]:
    storage = Publication._meta.get_field("pdf").storage
    folder = f"publications/{publication.province_id}/{publication.year}/{publication.pk}"
    found = set()
    for sub in ("", "/phieu-diem"):
        try:
            found |= {f"{folder}{sub}/{name}" for name in storage.listdir(folder + sub)[1]}
        except FileNotFoundError:
            pass
    return found


def _named_files(publication) -> set[str]:
    with scopes_disabled():
        cards = set(Scorecard.objects.filter(publication=publication).values_list("pdf", flat=True))
    return {name for name in (publication.pdf.name, publication.xlsx.name, publication.bundle.name, *cards) if name}


def _detail(client, year=YEAR) -> str:
    return client.get(reverse("rankings:publication_detail", kwargs={"province": "tinh-a", "year": year})).content.decode()


def test_the_request_records_and_queues_in_a_few_queries_and_publishes_nothing(world, final_year, client_as, django_assert_max_num_queries):
    admin = client_as(world.admin_a)
    url = reverse("rankings:publication_create", kwargs={"province": "tinh-a"})
    with django_assert_max_num_queries(16):  # session, roles, the checks, one insert: none per unit
        response = admin.post(url, {"year": str(YEAR), "decision_number": "12/QĐ-UBND", "decision_date": "01/03/2026",
                                    "signer": "Chủ tịch UBND tỉnh"})
    assert response.status_code == 302 and response["Location"] == f"/tinh-a/lanh-dao/cong-bo/{YEAR}/"
    with scopes_disabled():
        publication = Publication.objects.get()
    assert publication.status == Publication.Status.QUEUED and publication.requested_by == world.admin_a
    assert (publication.decision_number, publication.signer) == ("12/QĐ-UBND", "Chủ tịch UBND tỉnh")
    page = _detail(admin)
    assert "Đang chờ xử lý" in page and "đang chờ trình xử lý nền" in page and "data-reload-after" in page
    _nothing_published(world)
    assert client_as(world.leader_a).get(f"/tinh-a/lanh-dao/cong-bo/{YEAR}/pdf/").status_code == 404


def test_the_page_follows_the_progress_part_by_part_until_published(world, final_year, client_as):
    publication = _request(world)
    admin = client_as(world.admin_a)
    with scope(province=world.province_a):
        assert service.publication_prepare(publication, 1)
        assert "Đang tạo: 0/6 phần" in _detail(admin)  # four scorecards, the report, the workbook
        service.report_render(publication, 1)
        assert "Đang tạo: 1/6 phần" in _detail(admin) and "báo cáo chính ✓" in _detail(admin)
        cards = list(publication.scorecards.values_list("pk", flat=True))
        service.scorecards_render(publication, 1, cards[:2])
        assert "phiếu điểm 2/4 đơn vị" in _detail(admin)
        service.scorecards_render(publication, 1, cards[2:])
        service.workbook_render(_fresh(publication), 1)
        assert "Đang tạo: 6/6 phần" in _detail(admin)
        _nothing_published(world)  # every file exists, but nothing is published before the last step
        assert service.publication_finish(_fresh(publication), 1)
        assert not service.publication_finish(_fresh(publication), 1)  # a second finish does nothing
    page = _detail(admin)
    assert "Đã công bố" in page and "data-reload-after" not in page and "Phiếu điểm của 4 đơn vị (zip)" in page
    with scopes_disabled():
        assert ImportedResult.objects.filter(province=world.province_a, year=YEAR).count() == 4
        assert set(Assessment.objects.filter(period__year=YEAR).values_list("status", flat=True)) == {Assessment.Status.PUBLISHED}
        assert Entry.objects.filter(action="assessment.published").count() == 4


def test_a_failure_is_shown_with_its_reason_and_the_retry_completes_it(world, final_year, client_as, monkeypatch,
                                                                         django_capture_on_commit_callbacks):
    render = report.render_scorecard

    def out_of_memory(meta, card):
        if card["unit"] == "Sở Tư pháp":
            raise MemoryError("không đủ bộ nhớ")
        return render(meta, card)

    monkeypatch.setattr(report, "render_scorecard", out_of_memory)
    with django_capture_on_commit_callbacks(execute=True):
        publication = _request(world)
    publication = _fresh(publication)
    assert publication.status == Publication.Status.FAILED
    assert publication.error == "Lỗi khi tạo phiếu điểm của Sở Tư pháp: MemoryError: không đủ bộ nhớ"
    _nothing_published(world)
    admin = client_as(world.admin_a)
    page = _detail(admin)
    assert "Bị lỗi" in page and "Lý do:</b> Lỗi khi tạo phiếu điểm của Sở Tư pháp" in page and "Thử lại" in page
    assert "Chưa có gì được công bố" in page
    with scopes_disabled():
        kept = dict(Scorecard.objects.exclude(pdf_sha256="").values_list("unit_name", "pdf"))
    assert kept and "Sở Tư pháp" not in kept

    monkeypatch.setattr(report, "render_scorecard", render)  # the cause is gone (memory freed)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(reverse("rankings:publication_retry", kwargs={"province": "tinh-a", "year": YEAR}))
    assert response.status_code == 302
    publication = _fresh(publication)
    assert publication.status == Publication.Status.PUBLISHED and publication.attempt == 2 and publication.error == ""
    with scopes_disabled():
        after = dict(Scorecard.objects.values_list("unit_name", "pdf"))
    assert all(after[name] == pdf for name, pdf in kept.items())  # made once, kept by the retry
    assert _folder_files(publication) == _named_files(publication)


def test_a_worker_killed_mid_way_leaves_nothing_half_published_and_the_retry_completes_it(
        world, final_year, client_as, monkeypatch, django_capture_on_commit_callbacks):
    """The kill comes after a scorecard file was written and before its row named it: the worst moment."""
    sha, calls = service._sha, []

    def killed(content):
        calls.append(1)
        if len(calls) == 3:
            raise SystemExit("SIGKILL")  # not an Exception: nothing records it, as with a killed process
        return sha(content)

    monkeypatch.setattr(service, "_sha", killed)
    with django_capture_on_commit_callbacks(execute=True):
        publication = _request(world)
    monkeypatch.setattr(service, "_sha", sha)
    publication = _fresh(publication)
    assert publication.status == Publication.Status.RUNNING and publication.error == ""
    _nothing_published(world)
    assert _folder_files(publication) - _named_files(publication)  # the file written just before the kill
    leader = client_as(world.leader_a)
    assert leader.get(f"/tinh-a/lanh-dao/cong-bo/{YEAR}/pdf/").status_code == 404
    assert leader.get(f"/tinh-a/cong-khai/{YEAR}/").status_code == 404
    with pytest.raises(ValidationError, match="bị lỗi hoặc đã lâu không có tiến triển"):
        publication_retry(publication=publication, actor=None)  # still within the time a live worker may take

    with scopes_disabled():  # no sign of life for longer than PUBLICATION_STALE_AFTER
        Publication.objects.filter(pk=publication.pk).update(progress_at=timezone.now() - timedelta(hours=1))
    admin = client_as(world.admin_a)
    assert "trình xử lý nền có thể đã dừng" in _detail(admin) and "Thử lại" in _detail(admin)
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(reverse("rankings:publication_retry", kwargs={"province": "tinh-a", "year": YEAR}))
    publication = _fresh(publication)
    assert publication.status == Publication.Status.PUBLISHED and publication.attempt == 2
    assert _folder_files(publication) == _named_files(publication)  # the orphan was swept
    with scopes_disabled():
        assert set(Assessment.objects.filter(period__year=YEAR).values_list("status", flat=True)) == {Assessment.Status.PUBLISHED}


def test_a_result_reopened_while_the_files_were_made_fails_with_a_reason_instead_of_publishing_stale_figures(world, final_year):
    publication = _request(world)
    with scope(province=world.province_a):
        service.publication_prepare(publication, 1)
        Answer.objects.filter(assessment=final_year[0]).update(final_score=Decimal(0))
        refresh_totals([final_year[0].pk])
        from rankings import tasks

        tasks.report_task.call(world.province_a.pk, publication.pk, 1)
        tasks.workbook_task.call(world.province_a.pk, publication.pk, 1)
        tasks.scorecards_task.call(world.province_a.pk, publication.pk, 1, list(publication.scorecards.values_list("pk", flat=True)))
    publication = _fresh(publication)
    assert publication.status == Publication.Status.FAILED and "đã thay đổi trong lúc tạo báo cáo" in publication.error
    _nothing_published(world)


def test_two_requests_for_one_year_give_one_publication_and_a_refusal_in_vietnamese(world, final_year, client_as):
    first = _request(world)
    with pytest.raises(ValidationError) as refusal:
        _request(world, number="13/QĐ-UBND")
    assert refusal.value.messages == [
        f"Kết quả năm {YEAR} đã có yêu cầu công bố (quyết định 12/QĐ-UBND, do {world.admin_a.full_name} gửi lúc "
        f"{timezone.localtime(first.requested_at):%H:%M ngày %d/%m/%Y}) và đang được tạo; không tạo yêu cầu thứ hai."]
    response = client_as(world.admin_a).post(reverse("rankings:publication_create", kwargs={"province": "tinh-a"}), {
        "year": str(YEAR), "decision_number": "14/QĐ-UBND", "decision_date": "01/03/2026", "signer": "X"}, follow=True)
    assert response.status_code == 400 and "không tạo yêu cầu thứ hai" in response.content.decode()
    with scopes_disabled():
        assert list(Publication.objects.values_list("decision_number", flat=True)) == ["12/QĐ-UBND"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections racing for one row: PostgreSQL (CI runs it)")
@pytest.mark.django_db(transaction=True)
def test_two_requests_at_the_same_moment_on_postgresql_give_one_publication_one_refusal_and_no_files(world, final_year, settings):
    from django.db import connections

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # record the work, do not run it
    barrier, outcomes = threading.Barrier(2), []

    def publish(number):
        try:
            barrier.wait()
            outcomes.append(_request(world, number=number).decision_number)
        except ValidationError as refusal:
            outcomes.append(refusal.messages[0])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=publish, args=(n,)) for n in ("12/QĐ-UBND", "13/QĐ-UBND")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    published = [o for o in outcomes if o.endswith("/QĐ-UBND")]
    refused = [o for o in outcomes if "không tạo yêu cầu thứ hai" in o]
    assert len(published) == 1 and len(refused) == 1, outcomes
    with scopes_disabled():
        assert list(Publication.objects.values_list("decision_number", flat=True)) == published
        assert Publication.objects.get().status == Publication.Status.QUEUED and not Scorecard.objects.exists()


def test_each_unit_s_scorecard_is_for_the_province_s_readers_and_the_unit_s_own_officers(world, final_year, client_as,
                                                                                            django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _request(world)
    url = reverse("rankings:scorecard_download", kwargs={"province": "tinh-a", "year": YEAR, "unit_id": world.unit_a1.pk})
    for user in (world.leader_a, world.admin_a, world.lead_a, world.officer_a1):
        response = client_as(user).get(url)
        assert response.status_code == 200, user
        assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert client_as(world.officer_a2).get(url).status_code == 404  # an officer of another unit
    assert client_as(world.admin_b).get(url).status_code == 404  # another province
    other = reverse("rankings:scorecard_download", kwargs={"province": "tinh-b", "year": YEAR, "unit_id": world.unit_a1.pk})
    assert client_as(world.admin_b).get(other).status_code == 404  # province A's unit under province B
    bundle = reverse("rankings:publication_download", kwargs={"province": "tinh-a", "year": YEAR, "kind": "zip"})
    assert client_as(world.officer_a1).get(bundle).status_code == 403  # every unit's scorecard: province-wide roles


def test_the_bundle_holds_every_scorecard_in_ranking_order_with_checksums(world, final_year, client_as,
                                                                         django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        publication = _request(world)
    publication = _fresh(publication)
    response = client_as(world.leader_a).get(reverse("rankings:publication_download",
                                                     kwargs={"province": "tinh-a", "year": YEAR, "kind": "zip"}))
    content = b"".join(response.streaming_content)
    assert hashlib.sha256(content).hexdigest() == publication.bundle_sha256
    with scopes_disabled():
        cards = list(Scorecard.objects.filter(publication=publication))
    table = publication.snapshot["tables"][0]
    assert [c.unit_name for c in cards] == [r["unit"] for r in table["rows"]]  # ranking order
    with zipfile.ZipFile(io.BytesIO(content)) as bundle:
        names = bundle.namelist()
        assert names == [service.scorecard_filename(c) for c in cards]
        assert names[0].startswith("001-") and all(n.endswith(".pdf") for n in names)
        for card, name in zip(cards, names):
            data = bundle.read(name)
            assert data.startswith(b"%PDF-") and hashlib.sha256(data).hexdigest() == card.pdf_sha256
    assert cards[0].summary["rank"] == 1 and cards[0].summary["of"] == 4


@pytest.mark.django_db(transaction=True)  # the worker commits, and closes connections between tasks, as in production
def test_a_real_worker_loop_on_the_database_backend_publishes_with_one_task_per_part(world, final_year, settings, monkeypatch):
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    from rankings import tasks

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    monkeypatch.setattr(tasks, "SCORECARDS_PER_TASK", 1)  # one task per unit: four for the workers to share
    publication = _request(world)
    assert _fresh(publication).status == Publication.Status.QUEUED
    assert DBTaskResult.objects.get().task_path == "rankings.tasks.publication_prepare_task"
    Worker(queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
           max_tasks=None, worker_id="test-worker", excluded_queue_names=[]).run()
    assert _fresh(publication).status == Publication.Status.PUBLISHED
    paths = sorted(DBTaskResult.objects.values_list("task_path", flat=True))
    assert paths.count("rankings.tasks.scorecards_task") == 4 and "rankings.tasks.finish_task" in paths
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}


def test_a_failed_request_can_be_discarded_with_its_files_and_the_year_requested_again(world, final_year, client_as, monkeypatch,
                                                                                        django_capture_on_commit_callbacks):
    render = report.render_workbook
    monkeypatch.setattr(report, "render_workbook", lambda snapshot, details: (_ for _ in ()).throw(OSError("đĩa đầy")))
    with django_capture_on_commit_callbacks(execute=True):
        publication = _request(world, number="12/QĐ-UBND (sai số)")
    publication = _fresh(publication)
    assert publication.status == Publication.Status.FAILED and publication.error == "Lỗi khi tạo tệp Excel: OSError: đĩa đầy"
    assert _folder_files(publication)  # the report, made before the failure
    admin = client_as(world.admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(reverse("rankings:publication_discard", kwargs={"province": "tinh-a", "year": YEAR}), follow=True)
    assert f"Đã huỷ yêu cầu công bố năm {YEAR}" in response.content.decode()
    assert _folder_files(publication) == set()
    monkeypatch.setattr(report, "render_workbook", render)
    with django_capture_on_commit_callbacks(execute=True):
        again = _request(world, number="12/QĐ-UBND")
    assert _fresh(again).status == Publication.Status.PUBLISHED


def test_only_a_failed_request_can_be_discarded(world, final_year, client_as):
    _request(world)
    response = client_as(world.admin_a).post(reverse("rankings:publication_discard", kwargs={"province": "tinh-a", "year": YEAR}),
                                             follow=True)
    assert "Chỉ huỷ được một yêu cầu công bố bị lỗi." in response.content.decode()
    with scopes_disabled():
        assert Publication.objects.count() == 1
