"""Assessment periods, each unit's assessment, its answers, evidence files and event log."""

import uuid
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django_scopes import ScopedManager

from dti_portal.tenancy.models import Province, Unit, UnitKind
from indicators.models import POINTS, Framework, Indicator


class Period(models.Model):
    """One year's assessment in a province (kỳ đánh giá), with its schedule.

    Every date is inclusive: a window "until 15/03" closes at the end of 15/03, Vietnam time.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Đang chuẩn bị"
        OPEN = "open", "Đang diễn ra"
        CLOSED = "closed", "Đã kết thúc"

    province = models.ForeignKey(Province, on_delete=models.CASCADE, related_name="periods")
    year = models.PositiveSmallIntegerField("năm")
    name = models.CharField("tên kỳ đánh giá", max_length=255)
    status = models.CharField("trạng thái", max_length=10, choices=Status.choices, default=Status.DRAFT)
    self_assessment_start = models.DateField("tự đánh giá từ", null=True, blank=True)
    self_assessment_end = models.DateField("hạn tự đánh giá", null=True, blank=True)
    round1_end = models.DateField("hạn thẩm định lần 1", null=True, blank=True)
    explanation_end = models.DateField("hạn giải trình", null=True, blank=True)
    round2_end = models.DateField("hạn thẩm định lần 2", null=True, blank=True)
    publication_date = models.DateField("ngày công bố dự kiến", null=True, blank=True)
    lead = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name="tổ trưởng tổ thẩm định")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(province="province")

    class Meta:
        ordering = ["-year", "name"]
        verbose_name = "kỳ đánh giá"
        verbose_name_plural = "kỳ đánh giá"

    def __str__(self) -> str:
        return self.name


def end_of_day(day: date) -> datetime:
    """The last instant of `day` in the portal's time zone."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min)) - timedelta(microseconds=1)


class PeriodFramework(models.Model):
    """Which framework the units of one kind answer in a period."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="period_frameworks")
    unit_kind = models.ForeignKey(UnitKind, on_delete=models.PROTECT, related_name="+")
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="period_uses")

    objects = ScopedManager(province="period__province")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["period", "unit_kind"], name="periodframework_unique_kind")]


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
    # A later self-assessment deadline for this unit only (gia hạn).
    extended_until = models.DateField("gia hạn đến", null=True, blank=True)
    submitted_at = models.DateTimeField("gửi lúc", null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Stored totals: written only by `assessments.totals.refresh_totals`, whenever a score or the
    # status that decides which scores count changes; pages and rankings read these, never the answers.
    self_total = models.DecimalField("tổng điểm tự đánh giá", **POINTS, null=True, blank=True)  # None: nothing scored yet
    standing_total = models.DecimalField("tổng điểm hiện tại", **POINTS, null=True, blank=True)  # after the decisions so far
    final_total = models.DecimalField("tổng điểm chính thức", **POINTS, null=True, blank=True)  # only while final or published
    final_parts = models.JSONField("điểm chính thức theo nhóm", default=dict, blank=True)  # part_key(top-level name) → "12.5"
    answered_count = models.PositiveIntegerField("số chỉ tiêu đã có điểm", default=0)
    # Appraisable leaves (neither groups nor collected-only) with a decision in round 1 / round 2:
    # the board's "still undecided" without reading the reviews.
    decided_round1 = models.PositiveIntegerField("số chỉ tiêu đã thẩm định lần 1", default=0)
    decided_round2 = models.PositiveIntegerField("số chỉ tiêu đã thẩm định lần 2", default=0)

    objects = ScopedManager(province="period__province")

    class Meta:
        verbose_name = "bản đánh giá"
        verbose_name_plural = "bản đánh giá"
        constraints = [models.UniqueConstraint(fields=["period", "unit"], name="assessment_unique_unit")]

    def __str__(self) -> str:
        return f"{self.unit} – {self.period}"

    @property
    def deadline(self) -> date | None:
        """The last day this unit may enter data: its extension, else the period's deadline."""
        return self.extended_until or self.period.self_assessment_end

    def entry_closed_reason(self, now: datetime) -> str:
        """Why the unit cannot change its data now ("" when it can). Shown on the page as is."""
        period = self.period
        if period.status == Period.Status.DRAFT:
            return "Kỳ đánh giá chưa mở."
        if self.status == self.Status.SUBMITTED:
            when = timezone.localtime(self.submitted_at).strftime("%H:%M ngày %d/%m/%Y") if self.submitted_at else ""
            return (f"Đơn vị đã gửi bản tự đánh giá {('lúc ' + when) if when else ''}. "
                    "Có thể rút lại để sửa khi thẩm định chưa bắt đầu và còn hạn.").replace("  ", " ")
        if self.status == self.Status.RETURNED:
            return "Đang trong thời gian giải trình: chỉ viết giải trình và bổ sung tài liệu cho các chỉ tiêu được nêu."
        if self.status in (self.Status.ROUND1, self.Status.ROUND2, self.Status.EXPLAINED):
            return "Bản tự đánh giá đang được thẩm định nên không sửa được."
        if self.status in (self.Status.FINAL, self.Status.PUBLISHED):
            return "Kết quả đã được chốt nên không sửa được."
        if self.status == self.Status.NOT_REPORTED:
            return "Đơn vị không báo cáo trong kỳ này."
        if period.self_assessment_start and now < timezone.make_aware(datetime.combine(period.self_assessment_start, time.min)):
            return f"Chưa đến thời gian tự đánh giá (bắt đầu từ {period.self_assessment_start:%d/%m/%Y})."
        if self.deadline and now > end_of_day(self.deadline):
            return f"Đã hết hạn tự đánh giá ({self.deadline:%d/%m/%Y}); đơn vị cần được gia hạn để nhập tiếp."
        return ""

    def withdraw_refused_reason(self, now: datetime) -> str:
        if self.status != self.Status.SUBMITTED:
            return "Chỉ rút lại được bản đã gửi và chưa được thẩm định."
        if self.deadline and now > end_of_day(self.deadline):
            return f"Đã hết hạn tự đánh giá ({self.deadline:%d/%m/%Y}): không rút lại được nữa."
        return ""

    def time_left(self, now: datetime) -> timedelta | None:
        if not self.deadline:
            return None
        return end_of_day(self.deadline) - now


class Answer(models.Model):
    """A unit's answer to one indicator: inputs, self-score and the final score with its reason.

    `inputs` keep what the officer typed, even when it was refused (`error` says why), so
    that nothing typed is ever lost; `self_score` is the engine's result for valid inputs.
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="answers")
    inputs = models.JSONField("số liệu", default=dict, blank=True)
    error = models.TextField("lỗi số liệu", blank=True)
    note = models.TextField("ghi chú", blank=True)
    self_score = models.DecimalField("điểm tự đánh giá", **POINTS, null=True, blank=True)
    final_score = models.DecimalField("điểm chính thức", **POINTS, null=True, blank=True)
    reason = models.TextField("lý do mất điểm", blank=True)
    explanation = models.TextField("giải trình", blank=True)  # the unit's answer to round 1
    # Copied from last year's answer (`assessments.carry_over`) and not yet confirmed or changed by
    # the officer: shown "từ năm trước — cần xác nhận"; submission is refused while any is left.
    carried_over = models.BooleanField("từ năm trước — cần xác nhận", default=False)
    carried_from = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                     verbose_name="sao chép từ câu trả lời")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    objects = ScopedManager(province="assessment__period__province")

    class Meta:
        verbose_name = "câu trả lời"
        verbose_name_plural = "câu trả lời"
        constraints = [models.UniqueConstraint(fields=["assessment", "indicator"], name="answer_unique_indicator")]

    @property
    def is_answered(self) -> bool:
        return self.self_score is not None


class Assignment(models.Model):
    """Who appraises what in a period: a unit (all its indicators), a top-level group of every
    unit (e.g. the cyber-security group), or that group of one unit."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="assignments")
    appraiser = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                                  verbose_name="thẩm định viên")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name="đơn vị")
    group = models.ForeignKey(Indicator, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                              verbose_name="nhóm chỉ tiêu")

    objects = ScopedManager(province="period__province")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["period", "appraiser", "unit", "group"], name="assignment_unique"),
            models.CheckConstraint(condition=Q(unit__isnull=False) | Q(group__isnull=False), name="assignment_has_scope"),
        ]

    def covers(self, unit_id: int, top_group_id: int) -> bool:
        return (self.unit_id is None or self.unit_id == unit_id) and (self.group_id is None or self.group_id == top_group_id)


class ReviewQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """Fill each review's assessment from its answer: from the answer in memory when it was
        loaded with it, else in one query for all of them (never one per review)."""
        objs = list(objs)
        unknown = []
        for review in objs:
            answer = review._state.fields_cache.get("answer")
            if review.assessment_id is None and answer is not None and "assessment_id" in answer.__dict__:
                review.assessment_id = answer.assessment_id
            elif review.assessment_id is None:
                unknown.append(review)
        if unknown:
            found = dict(Answer._base_manager.filter(pk__in={r.answer_id for r in unknown}).values_list("pk", "assessment_id"))
            for review in unknown:
                review.assessment_id = found.get(review.answer_id)
        return super().bulk_create(objs, *args, **kwargs)


class Review(models.Model):
    """An appraiser's decision on one answer in one round (thẩm định lần 1 / lần 2).

    `assessment` repeats `answer.assessment` (filled on save and bulk_create): reviews of a period
    or of a unit are read through it and its foreign-key index, never by joining every tenant's
    answers (the board's count per appraiser, refresh_totals, finalise).
    """

    class Decision(models.TextChoices):
        CONFIRM = "confirm", "Xác nhận"
        ADJUST = "adjust", "Điều chỉnh điểm"
        REQUEST = "request", "Yêu cầu bổ sung tài liệu"
        WITHDRAW = "withdraw", "Rút điều chỉnh (về điểm tự đánh giá)"

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="reviews")
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="reviews", editable=False)
    round = models.PositiveSmallIntegerField("lần thẩm định")
    decision = models.CharField("quyết định", max_length=10, choices=Decision.choices)
    inputs = models.JSONField("số liệu điều chỉnh", default=dict, blank=True)
    score = models.DecimalField("điểm sau thẩm định", **POINTS)
    reason = models.TextField("lý do", blank=True)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    reviewed_at = models.DateTimeField(auto_now=True)
    # Optimistic lock: a save must name the version it was made from (0 = none yet).
    version = models.PositiveIntegerField(default=1)

    objects = ScopedManager(province="assessment__period__province", _manager_class=models.Manager.from_queryset(ReviewQuerySet))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["answer", "round"], name="review_unique_round"),
            models.CheckConstraint(condition=Q(round__in=[1, 2]), name="review_round_1_or_2"),
            models.CheckConstraint(condition=Q(score__gte=0), name="review_score_nonnegative"),
        ]

    def fill_assessment(self) -> None:
        if self.assessment_id is None and self.answer_id is not None:
            self.assessment_id = self.answer.assessment_id

    def save(self, *args, **kwargs):
        self.fill_assessment()
        super().save(*args, **kwargs)


class SignOff(models.Model):
    """An assigned appraiser's signature on a unit's round-2 result."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="signoffs")
    appraiser = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(province="assessment__period__province")

    class Meta:
        ordering = ["signed_at"]
        constraints = [models.UniqueConstraint(fields=["assessment", "appraiser"], name="signoff_unique")]


def evidence_path(instance, filename: str) -> str:
    """An unguessable storage name; the original name is kept in the row, never in the path."""
    return f"evidence/{instance.answer.assessment.period_id}/{uuid.uuid4().hex}"


class Evidence(models.Model):
    """A file a unit attached to an answer (tài liệu kiểm chứng)."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=evidence_path, max_length=255)
    original_name = models.CharField("tên tệp", max_length=255)
    content_type = models.CharField("loại tệp", max_length=120)
    size = models.PositiveBigIntegerField("dung lượng")
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(province="answer__assessment__period__province")

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = "tài liệu kiểm chứng"
        verbose_name_plural = "tài liệu kiểm chứng"
