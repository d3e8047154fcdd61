"""Writes to people and roles."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from dti_portal.tenancy.models import Province, Unit

from .models import Membership, Role, User


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
