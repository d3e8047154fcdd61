"""Results published before the portal existed (or by another system), at the level they exist."""

from django.db import models
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
    import uuid

    return f"publications/{instance.province_id}/{instance.year}/{uuid.uuid4().hex}-{filename}"


class Publication(models.Model):
    """The official publication of a year's results: a frozen snapshot and its PDF and Excel."""

    province = models.ForeignKey(Province, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField("năm")
    decision_number = models.CharField("số quyết định", max_length=60)
    decision_date = models.DateField("ngày quyết định")
    signer = models.CharField("người ký", max_length=150)
    snapshot = models.JSONField(default=dict)  # the tables as published: never recomputed
    pdf = models.FileField(upload_to=publication_path, max_length=255)
    pdf_sha256 = models.CharField(max_length=64)
    xlsx = models.FileField(upload_to=publication_path, max_length=255)
    xlsx_sha256 = models.CharField(max_length=64)
    published_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, related_name="+")

    objects = ScopedManager(province="province")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["province", "year"], name="publication_unique_year")]
