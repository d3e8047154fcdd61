"""The tenant's one audit log: every write that matters, by whom, from what to what, and why.

Append-only three times over: the model refuses to save an entry twice or delete one, its queryset
refuses `update`/`delete`, and on PostgreSQL a trigger refuses UPDATE and DELETE on the table
(migration 0003), so not even raw SQL from the application rewrites history. Entries hold their
targets with PROTECT foreign keys where a target's loss would lose results (period, assessment,
answered indicator): deleting such a thing is refused, never cascaded. Other targets (a draft
framework, a membership) are named by type, id and the label they had, so the entry outlives them.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_scopes import ScopedManager

from .actions import action_label


class EntryQuerySet(models.QuerySet):
    def delete(self):
        raise PermissionError("Nhật ký không thể bị xóa.")

    def update(self, **kwargs):
        raise PermissionError("Nhật ký không thể bị sửa.")


class Entry(models.Model):
    province = models.ForeignKey("tenancy.Province", on_delete=models.PROTECT, related_name="+", verbose_name="tỉnh")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name="người thực hiện")  # None: the system (a deadline, a worker)
    action = models.CharField("việc", max_length=60)  # a key of actions.ACTIONS
    target_type = models.CharField("loại đối tượng", max_length=40)  # "period", "framework", "membership", ...
    target_id = models.PositiveBigIntegerField("mã đối tượng", null=True, blank=True)
    target_label = models.CharField("đối tượng", max_length=255, blank=True)  # as it was called then
    period = models.ForeignKey("assessments.Period", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    assessment = models.ForeignKey("assessments.Assessment", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="entries")
    indicator = models.ForeignKey("indicators.Indicator", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    old = models.JSONField("trước", default=dict, blank=True)
    new = models.JSONField("sau", default=dict, blank=True)
    reason = models.TextField("lý do", blank=True)
    created_at = models.DateTimeField("lúc", default=timezone.now, editable=False)

    objects = ScopedManager(province="province", _manager_class=models.Manager.from_queryset(EntryQuerySet))

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = "mục nhật ký"
        verbose_name_plural = "nhật ký"
        indexes = [
            models.Index(fields=["province", "id"], name="audit_entry_province_order"),  # the log, page by page
            models.Index(fields=["province", "target_type", "target_id"], name="audit_entry_target"),
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.target_label}"

    @property
    def label(self) -> str:
        return action_label(self.action)

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Nhật ký không thể bị sửa.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Nhật ký không thể bị xóa.")
