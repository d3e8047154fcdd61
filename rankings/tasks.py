"""Background tasks of the rankings app (django-tasks; `manage.py db_worker` runs them).

Each task is a thin shell around a service of `publication.py`: it enters the province's scope,
stops if its attempt is no longer the publication's, and records any failure on the publication
with its reason before letting the task fail. Publication fans out so that any number of workers
share the work:

  prepare → report, workbook, scorecards in chunks (in parallel) → finish

`finish` is queued by whichever part completes last; it is idempotent, so two at once are harmless.
Arguments are plain ids (the queue stores them as JSON).
"""

from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django_scopes import scope
from django_tasks import task  # the backport of Django 6's django.tasks: same API, other import

from dti_portal.tenancy.models import Province

from . import publication as service
from .models import Publication

# Scorecards per task: small enough to spread 150 units over the workers, large enough that the
# queue's own overhead stays negligible.
SCORECARDS_PER_TASK = 10

def reason_for(error: Exception, step: str) -> str:
    """What the page shows: the service's own message, or what failed and where."""
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return f"Lỗi khi {step}: {type(error).__name__}: {error}"


@contextmanager
def _publication(province_id: int, publication_id: int, attempt: int, step: str):
    """The publication in its province's scope, or None if it is gone or another attempt is in
    charge; an exception becomes the publication's failure reason, then fails the task too."""
    province = Province.objects.get(pk=province_id)
    with scope(province=province):
        publication = Publication.objects.filter(pk=publication_id, attempt=attempt).select_related("province").first()
        try:
            yield publication
        except Exception as error:
            if publication is not None:
                service.publication_fail(publication, attempt, reason_for(error, step))
            raise


@task()
def publication_prepare_task(province_id: int, publication_id: int, attempt: int) -> None:
    with _publication(province_id, publication_id, attempt, "chuẩn bị số liệu công bố") as publication:
        if publication is None or not service.publication_prepare(publication, attempt):
            return
        left = service.parts_left(publication)
    args = (province_id, publication_id, attempt)
    if left["report"]:
        report_task.enqueue(*args)
    if left["workbook"]:
        workbook_task.enqueue(*args)
    ids = left["scorecards"]
    for start in range(0, len(ids), SCORECARDS_PER_TASK):
        scorecards_task.enqueue(*args, ids[start:start + SCORECARDS_PER_TASK])
    if not (left["report"] or left["workbook"] or ids):
        finish_task.enqueue(*args)


def _part_done(publication, province_id: int, attempt: int) -> None:
    """Queue the last step once nothing is left (whichever part ends last does it)."""
    publication.refresh_from_db()
    left = service.parts_left(publication)
    if publication.status == Publication.Status.RUNNING and not (left["report"] or left["workbook"] or left["scorecards"]):
        finish_task.enqueue(province_id, publication.pk, attempt)


@task()
def report_task(province_id: int, publication_id: int, attempt: int) -> None:
    with _publication(province_id, publication_id, attempt, "tạo báo cáo chính (PDF)") as publication:
        if publication is not None and publication.status == Publication.Status.RUNNING:
            service.report_render(publication, attempt)
            _part_done(publication, province_id, attempt)


@task()
def workbook_task(province_id: int, publication_id: int, attempt: int) -> None:
    with _publication(province_id, publication_id, attempt, "tạo tệp Excel") as publication:
        if publication is not None and publication.status == Publication.Status.RUNNING:
            service.workbook_render(publication, attempt)
            _part_done(publication, province_id, attempt)


@task()
def scorecards_task(province_id: int, publication_id: int, attempt: int, scorecard_ids: list[int]) -> None:
    with _publication(province_id, publication_id, attempt, "tạo phiếu điểm của các đơn vị") as publication:
        if publication is not None and publication.status == Publication.Status.RUNNING:
            service.scorecards_render(publication, attempt, scorecard_ids)
            _part_done(publication, province_id, attempt)


@task()
def finish_task(province_id: int, publication_id: int, attempt: int) -> None:
    with _publication(province_id, publication_id, attempt, "hoàn tất công bố") as publication:
        if publication is not None:
            service.publication_finish(publication, attempt)
