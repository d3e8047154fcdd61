"""People and the roles they hold in provinces.

A person has one login (User) and any number of Memberships: one per role held in a
province; a unit officer's membership names the one unit they answer for.
"""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django_scopes import ScopedManager

from dti_portal.tenancy.models import Province, Unit


class User(AbstractUser):
    """A login. `is_superuser` is the platform admin (quản trị hệ thống)."""

    full_name = models.CharField("họ và tên", max_length=150, blank=True)

    class Meta:
        verbose_name = "người dùng"
        verbose_name_plural = "người dùng"

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def is_platform_admin(self) -> bool:
        return self.is_active and self.is_superuser


class Role(models.TextChoices):
    PROVINCE_ADMIN = "province_admin", "Quản trị cấp tỉnh"
    UNIT_OFFICER = "unit_officer", "Cán bộ đầu mối đơn vị"
    APPRAISER = "appraiser", "Thành viên Tổ thẩm định"
    APPRAISAL_LEAD = "appraisal_lead", "Tổ trưởng Tổ thẩm định"
    LEADERSHIP = "leadership", "Lãnh đạo"


class Membership(models.Model):
    """`user` holds `role` in `province` (for a unit officer: for `unit`)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    province = models.ForeignKey(Province, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField("vai trò", max_length=32, choices=Role.choices)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="officers", verbose_name="đơn vị"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(province="province")

    class Meta:
        ordering = ["province__name", "role"]
        verbose_name = "vai trò"
        verbose_name_plural = "vai trò"
        constraints = [
            models.UniqueConstraint(fields=["user", "province", "role"], name="membership_unique_role"),
            # A unit officer is bound to exactly one unit; nobody else is bound to a unit.
            models.CheckConstraint(
                condition=(Q(role="unit_officer") & Q(unit__isnull=False))
                | (~Q(role="unit_officer") & Q(unit__isnull=True)),
                name="membership_unit_iff_officer",
            ),
        ]

    def __str__(self) -> str:
        label = self.get_role_display()
        return f"{label} – {self.unit}" if self.unit_id else label


class Invitation(models.Model):
    """A role offered to a person who is not yet a member of `province`: it becomes a Membership only
    when that person accepts it (a province admin never attaches another province's account alone)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invitations")
    province = models.ForeignKey(Province, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField("vai trò", max_length=32, choices=Role.choices)
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name="đơn vị")
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(province="province")

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["user", "province", "role"], name="invitation_unique_role")]

    def __str__(self) -> str:
        return f"{self.get_role_display()} – {self.province}"


class Notification(models.Model):
    """An in-app copy of a message the portal sent (thông báo): one row per recipient, in the
    province the message is about. `read_at` is None while unread."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    province = models.ForeignKey(Province, on_delete=models.CASCADE, related_name="+")
    title = models.CharField("tiêu đề", max_length=255)
    body = models.TextField("nội dung", blank=True)
    link = models.CharField("đường dẫn", max_length=500, blank=True)  # a path inside the portal
    created_at = models.DateTimeField("lúc", auto_now_add=True)
    read_at = models.DateTimeField("đã đọc lúc", null=True, blank=True)

    objects = ScopedManager(province="province")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "thông báo"
        verbose_name_plural = "thông báo"
        indexes = [
            # The list page: a person's notifications in one province, newest first.
            models.Index(fields=["user", "province", "-created_at"], name="notification_list"),
            # The navbar's unread count on every page: only unread rows are indexed.
            models.Index(fields=["user", "province"], condition=Q(read_at__isnull=True), name="notification_unread"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
