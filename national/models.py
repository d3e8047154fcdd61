"""The province's own national DTI (922/QĐ-BTTTT): its results by year as the ministry published them,
the improvement plan (*Kế hoạch nâng cao chỉ số*) with owners and targets, and the owners' progress
reports. Criterion points and the reasons points were lost live where every result lives: a FINAL
`Assessment` of the province's own unit (kind "tinh") answering the national catalogue.
"""

import uuid

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager

from indicators.models import POINTS

QUARTERS = [(1, "Quý I"), (2, "Quý II"), (3, "Quý III"), (4, "Quý IV"), (0, "Cả năm")]


class NationalResult(models.Model):
    """The province's national DTI of one year: its total, rank among provinces, the source."""

    province = models.ForeignKey("tenancy.Province", on_delete=models.PROTECT, related_name="national_results")
    year = models.PositiveSmallIntegerField("năm")
    assessment = models.OneToOneField("assessments.Assessment", on_delete=models.PROTECT, related_name="national_result",
                                      verbose_name="điểm từng chỉ số")  # criterion points and reasons
    published_total = models.DecimalField("tổng điểm công bố", **POINTS, null=True, blank=True)  # as printed
    rank = models.PositiveSmallIntegerField("xếp hạng", null=True, blank=True)
    provinces = models.PositiveSmallIntegerField("số tỉnh được xếp hạng", default=63)  # 63 until 2024, 34 from 2025
    source = models.CharField("nguồn", max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(province="province")

    class Meta:
        ordering = ["-year"]
        verbose_name = "kết quả DTI cấp tỉnh"
        verbose_name_plural = "kết quả DTI cấp tỉnh"
        constraints = [models.UniqueConstraint(fields=["province", "year"], name="nationalresult_unique_year")]

    def __str__(self) -> str:
        return f"DTI cấp tỉnh năm {self.year}"


class PillarResult(models.Model):
    """One pillar (top-level group of the national catalogue) of a year: its rank, and its points as printed."""

    result = models.ForeignKey(NationalResult, on_delete=models.CASCADE, related_name="pillars")
    indicator = models.ForeignKey("indicators.Indicator", on_delete=models.PROTECT, related_name="+", verbose_name="trụ cột")
    rank = models.PositiveSmallIntegerField("xếp hạng", null=True, blank=True)
    published_points = models.DecimalField("điểm công bố", **POINTS, null=True, blank=True)

    objects = ScopedManager(province="result__province")

    class Meta:
        ordering = ["indicator__position"]
        constraints = [models.UniqueConstraint(fields=["result", "indicator"], name="pillarresult_unique")]


class PeerTotal(models.Model):
    """Another province's published total of a year, entered so that a projected total can be ranked."""

    result = models.ForeignKey(NationalResult, on_delete=models.CASCADE, related_name="peers")
    name = models.CharField("tỉnh, thành phố", max_length=120)
    total = models.DecimalField("tổng điểm", **POINTS)

    objects = ScopedManager(province="result__province")

    class Meta:
        ordering = ["-total", "name"]
        constraints = [models.UniqueConstraint(fields=["result", "name"], name="peertotal_unique")]


class Plan(models.Model):
    """An improvement plan (Kế hoạch nâng cao chỉ số) of the province's steering committee."""

    province = models.ForeignKey("tenancy.Province", on_delete=models.PROTECT, related_name="plans")
    name = models.CharField("tên kế hoạch", max_length=255)
    decision = models.CharField("số, ngày văn bản", max_length=120, blank=True)
    base_year = models.PositiveSmallIntegerField("năm kết quả làm căn cứ")  # e.g. 2021: the analysis it answers
    first_year = models.PositiveSmallIntegerField("từ năm")
    last_year = models.PositiveSmallIntegerField("đến năm")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(province="province")

    class Meta:
        ordering = ["-first_year", "name"]
        verbose_name = "kế hoạch nâng cao chỉ số"
        verbose_name_plural = "kế hoạch nâng cao chỉ số"

    def __str__(self) -> str:
        return self.name


class Task(models.Model):
    """A task of the plan: one national criterion, one owner organisation (a unit; organisations outside
    the state are units of kind "tochuc"), collaborators, a deadline and numeric targets by year."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="tasks")
    indicator = models.ForeignKey("indicators.Indicator", on_delete=models.PROTECT, related_name="+",
                                  verbose_name="chỉ số")
    title = models.CharField("nhiệm vụ", max_length=500)
    description = models.TextField("nội dung", blank=True)
    owner = models.ForeignKey("tenancy.Unit", on_delete=models.PROTECT, related_name="owned_tasks",
                              verbose_name="đơn vị chủ trì")
    collaborators = models.ManyToManyField("tenancy.Unit", blank=True, related_name="shared_tasks",
                                           verbose_name="đơn vị phối hợp")
    deadline = models.DateField("hạn hoàn thành", null=True, blank=True)
    unit_of_measure = models.CharField("đơn vị tính", max_length=40, blank=True)  # "%", "tin bài", "doanh nghiệp"
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(province="plan__province")

    class Meta:
        ordering = ["plan", "position", "pk"]
        verbose_name = "nhiệm vụ"
        verbose_name_plural = "nhiệm vụ"

    def __str__(self) -> str:
        return self.title


class Target(models.Model):
    """What the task must reach by the end of `year` (a series is several targets, years increasing)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveSmallIntegerField("năm")
    value = models.DecimalField("chỉ tiêu", max_digits=14, decimal_places=4)
    # The criterion rule's inputs the value stands for (e.g. a ratio's {"a": "50", "b": "100"}), scored by
    # the same engine as every answer: the what-if points.
    inputs = models.JSONField("số liệu tương ứng", default=dict, blank=True)

    objects = ScopedManager(province="task__plan__province")

    class Meta:
        ordering = ["task", "year"]
        constraints = [models.UniqueConstraint(fields=["task", "year"], name="target_unique_year")]


class ProgressReport(models.Model):
    """An owner's report on a task for a quarter (1–4) or the whole year (0): the value reached and an account."""

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="reports")
    year = models.PositiveSmallIntegerField("năm")
    quarter = models.PositiveSmallIntegerField("kỳ báo cáo", choices=QUARTERS)
    value = models.DecimalField("kết quả đạt được", max_digits=14, decimal_places=4, null=True, blank=True)
    account = models.TextField("tình hình thực hiện")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(province="task__plan__province")

    class Meta:
        ordering = ["task", "year", "quarter"]
        constraints = [models.UniqueConstraint(fields=["task", "year", "quarter"], name="progressreport_unique")]


def report_evidence_path(instance, filename: str) -> str:
    """An unguessable storage name; the original name is kept in the row, never in the path."""
    return f"national/{instance.report.task.plan_id}/{uuid.uuid4().hex}"


class ReportEvidence(models.Model):
    """A file attached to a progress report: checked and stored like an assessment's evidence."""

    report = models.ForeignKey(ProgressReport, on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(upload_to=report_evidence_path, max_length=255)
    original_name = models.CharField("tên tệp", max_length=255)
    content_type = models.CharField("loại tệp", max_length=120)
    size = models.PositiveBigIntegerField("dung lượng")
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(province="report__task__plan__province")

    class Meta:
        ordering = ["uploaded_at", "pk"]
