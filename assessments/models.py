"""Assessment periods, each unit's assessment and its answers.

This is the minimum the catalogue needs (a framework used by an assessment is frozen, and a
historical result is an assessment whose answers carry final scores); the self-assessment
and appraisal issues grow it.
"""

from django.db import models
from django_scopes import ScopedManager

from dti_portal.tenancy.models import Province, Unit
from indicators.models import POINTS, Framework, Indicator


class Period(models.Model):
    """One year's assessment in a province (kỳ đánh giá)."""

    province = models.ForeignKey(Province, on_delete=models.CASCADE, related_name="periods")
    year = models.PositiveSmallIntegerField("năm")
    name = models.CharField("tên kỳ đánh giá", max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(province="province")

    class Meta:
        ordering = ["-year", "name"]
        verbose_name = "kỳ đánh giá"
        verbose_name_plural = "kỳ đánh giá"

    def __str__(self) -> str:
        return self.name


class Assessment(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Đang nhập liệu"
        SUBMITTED = "submitted", "Đã gửi"
        ROUND1 = "round1", "Thẩm định lần 1"
        RETURNED = "returned", "Chờ giải trình"
        EXPLAINED = "explained", "Đã giải trình"
        ROUND2 = "round2", "Thẩm định lần 2"
        FINAL = "final", "Đã chốt kết quả"
        PUBLISHED = "published", "Đã công bố"
        NOT_REPORTED = "not_reported", "Không báo cáo"

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="assessments")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="assessments")
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="assessments")
    status = models.CharField("trạng thái", max_length=20, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(province="period__province")

    class Meta:
        verbose_name = "bản đánh giá"
        verbose_name_plural = "bản đánh giá"
        constraints = [models.UniqueConstraint(fields=["period", "unit"], name="assessment_unique_unit")]

    def __str__(self) -> str:
        return f"{self.unit} – {self.period}"


class Answer(models.Model):
    """A unit's answer to one indicator: inputs, self-score and the final score with its reason."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="answers")
    inputs = models.JSONField("số liệu", default=dict, blank=True)
    note = models.TextField("ghi chú", blank=True)
    self_score = models.DecimalField("điểm tự đánh giá", **POINTS, null=True, blank=True)
    final_score = models.DecimalField("điểm chính thức", **POINTS, null=True, blank=True)
    reason = models.TextField("lý do mất điểm", blank=True)

    objects = ScopedManager(province="assessment__period__province")

    class Meta:
        verbose_name = "câu trả lời"
        verbose_name_plural = "câu trả lời"
        constraints = [models.UniqueConstraint(fields=["assessment", "indicator"], name="answer_unique_indicator")]
