"""Writes to people and roles."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_scopes import scope

from dti_portal.tenancy.models import Province, Unit
from dti_portal.tenancy.services import province_create

from .models import Membership, Notification, Role, User


@transaction.atomic
def member_add(
    *,
    province: Province,
    username: str,
    role: str,
    unit: Unit | None = None,
    full_name: str = "",
    email: str = "",
    password: str = "",
) -> Membership:
    """Give `username` the `role` in `province`, creating the login if it does not exist.

    An existing login keeps its password and name: the same person may already hold roles
    in another province.
    """
    username = username.strip()
    if role == Role.UNIT_OFFICER and unit is None:
        raise ValidationError({"unit": "Cán bộ đầu mối phải gắn với một đơn vị."})
    if role != Role.UNIT_OFFICER:
        unit = None
    if unit is not None and unit.province_id != province.pk:
        raise ValidationError({"unit": "Đơn vị không thuộc tỉnh này."})

    user = User.objects.filter(username__iexact=username).first()
    if user is None:
        if not password:
            raise ValidationError({"password": "Tài khoản mới cần một mật khẩu ban đầu."})
        user = User(username=username, full_name=full_name.strip(), email=email.strip())
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise ValidationError({"password": error.error_list}) from error
        user.set_password(password)
        user.save()
    if Membership.objects.filter(user=user, province=province, role=role).exists():
        raise ValidationError({"role": "Người này đã có vai trò này trong tỉnh."})
    return Membership.objects.create(user=user, province=province, role=role, unit=unit)


@transaction.atomic
def membership_remove(*, membership: Membership, actor: User) -> None:
    if membership.user_id == actor.pk and membership.role == Role.PROVINCE_ADMIN:
        raise ValidationError("Bạn không thể tự bỏ vai trò quản trị của chính mình.")
    membership.delete()


@transaction.atomic
def province_onboard(
    *, slug: str, name: str, coordinating_agency: str, admin_username: str,
    admin_full_name: str = "", admin_email: str = "", admin_password: str = "",
) -> Province:
    """The platform admin's act: a new province and its first province admin, or neither.

    Errors name the form's fields (`admin_password`, ...).
    """
    province = province_create(slug=slug, name=name, coordinating_agency=coordinating_agency)
    with scope(province=province):
        try:
            member_add(
                province=province, username=admin_username, role=Role.PROVINCE_ADMIN,
                full_name=admin_full_name, email=admin_email, password=admin_password,
            )
        except ValidationError as error:
            raise ValidationError({f"admin_{field}": errors for field, errors in error.error_dict.items()}) from error
    return province


def notification_read(notification) -> None:
    """Mark one notification read (kept read when it already was)."""
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)


def notifications_read_all(user, province) -> int:
    """Mark every unread notification of `user` in `province` read; returns how many. One UPDATE."""
    return Notification.objects.filter(user=user, province=province, read_at__isnull=True).update(read_at=timezone.now())
