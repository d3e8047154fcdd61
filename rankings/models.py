"""Results published before the portal existed (or by another system), at the level they exist."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_scopes import ScopedManager

from dti_portal.tenancy.models import Province, Unit, UnitKind
from indicators.models import POINTS, Framework


class ImportedResult(models.Model):
    """One unit's published result for a year: total and/or parts (pillars, aggregates) and/or index.

    `reported` False is "không báo cáo" ("-" in the report). Published ranks and bands are kept to
    compare with the computed ones, never used to rank.
    """

    province = models.ForeignKey(Province, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField("năm")
    unit_kind = models.ForeignKey(UnitKind, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="imported_results")
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reported = models.BooleanField(default=True)
    total = models.DecimalField("tổng điểm công bố", **POINTS, null=True, blank=True)
    index = models.DecimalField("chỉ số công bố", max_digits=10, decimal_places=6, null=True, blank=True)
    parts = models.JSONField("điểm thành phần", default=dict, blank=True)  # column key -> "12.5" or None
    published_rank = models.PositiveSmallIntegerField("xếp hạng công bố", null=True, blank=True)
    published_band = models.CharField("xếp loại công bố", max_length=40, blank=True)
    source = models.CharField("nguồn", max_length=255, blank=True)

    objects = ScopedManager(province="province")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["province", "year", "unit"], name="importedresult_unique")]


def publication_path(instance, filename: str) -> str:
    """Where the files of publications made before the background queue live (kept for them)."""
    import uuid

    return f"publications/{instance.province_id}/{instance.year}/{uuid.uuid4().hex}-{filename}"


def publication_folder(publication) -> str:
    """Every file of one publication lives in its own folder, so files no row names can be found."""
    return f"publications/{publication.province_id}/{publication.year}/{publication.pk}"


def publication_file_path(instance, filename: str) -> str:
    return f"{publication_folder(instance)}/{filename}"


def scorecard_path(instance, filename: str) -> str:
    return f"{publication_folder(instance.publication)}/phieu-diem/{filename}"


class Publication(models.Model):
    """The official publication of a year's results: a frozen snapshot, its PDF, workbook and scorecards.

    Requested in the browser, made by background workers; visible as published (here, on the
    public page, in the rankings) only once every file exists and `status` is PUBLISHED.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Đang chờ xử lý"
        RUNNING = "running", "Đang tạo báo cáo"
        FAILED = "failed", "Bị lỗi"
        PUBLISHED = "published", "Đã công bố"

    province = models.ForeignKey(Province, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField("năm")
    decision_number = models.CharField("số quyết định", max_length=60)
    decision_date = models.DateField("ngày quyết định")
    signer = models.CharField("người ký", max_length=150)
    status = models.CharField("trạng thái", max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempt = models.PositiveSmallIntegerField("lần chạy", default=1)  # tasks of an earlier attempt stop
    error = models.TextField("lý do lỗi", blank=True)
    parts_total = models.PositiveIntegerField("số phần cần tạo", default=0)  # scorecards + report + workbook, once planned
    snapshot = models.JSONField(default=dict)  # the tables as published: never recomputed
    pdf = models.FileField(upload_to=publication_file_path, max_length=255, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    xlsx = models.FileField(upload_to=publication_file_path, max_length=255, blank=True)
    xlsx_sha256 = models.CharField(max_length=64, blank=True)
    bundle = models.FileField("phiếu điểm (zip)", upload_to=publication_file_path, max_length=255, blank=True)
    bundle_sha256 = models.CharField(max_length=64, blank=True)
    requested_at = models.DateTimeField("yêu cầu lúc", default=timezone.now)
    requested_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, related_name="+")
    progress_at = models.DateTimeField("tiến triển gần nhất", default=timezone.now)  # a worker's last sign of life
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, related_name="+")

    objects = ScopedManager(province="province")

    class Meta:
        # One publication per province and year, whatever its state: two requests at once give one
        # row and one refusal (see publication.publication_request).
        constraints = [models.UniqueConstraint(fields=["province", "year"], name="publication_unique_year")]

    def __str__(self) -> str:
        return f"Công bố năm {self.year} ({self.get_status_display().lower()})"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    def stalled(self, now=None) -> bool:
        """In progress, but no worker has shown progress for PUBLICATION_STALE_AFTER: it may be retried."""
        now = now or timezone.now()
        return self.in_progress and now - self.progress_at > settings.PUBLICATION_STALE_AFTER

    def can_retry(self, now=None) -> bool:
        return self.status == self.Status.FAILED or self.stalled(now)


class Scorecard(models.Model):
    """One unit's per-criterion scorecard (phiếu điểm) of a publication: frozen rows and their PDF."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="scorecards")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    unit_name = models.CharField("đơn vị", max_length=255)
    framework = models.CharField("bộ chỉ số", max_length=255, blank=True)
    position = models.PositiveIntegerField(default=0)
    rows = models.JSONField(default=list)  # code, name, max, achieved, reason: as published
    summary = models.JSONField(default=dict)  # the unit's line of the ranking: rank, of, total, index, band
    pdf = models.FileField(upload_to=scorecard_path, max_length=255, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)

    objects = ScopedManager(province="publication__province")

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["publication", "unit"], name="scorecard_unique_unit")]

    def __str__(self) -> str:
        return f"Phiếu điểm {self.unit_name}"
