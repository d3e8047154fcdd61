"""Writes to people and roles; each leaves an entry in the province's audit log."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_scopes import scope

from dti_portal.audit.services import record
from dti_portal.tenancy.models import Province, Unit
from dti_portal.tenancy.services import province_create

from .models import Invitation, Membership, Notification, Role, User


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
    actor: User | None = None,
    invite: bool = True,
) -> Membership | Invitation:
    """Give `username` the `role` in `province`.

    A person who already holds a role in the province gets the new one at once. Anyone else gets an
    `Invitation` (with `invite`; the platform admin onboarding a province's first admin passes False):
    an account of another province is never attached without its owner accepting, and the province
    admin is told the same thing whether the username existed on the platform or was just created
    with `password` — the form never reveals who has an account elsewhere.
    """
    username = username.strip()
    if role == Role.UNIT_OFFICER and unit is None:
        raise ValidationError({"unit": "Cán bộ đầu mối phải gắn với một đơn vị."})
    if role != Role.UNIT_OFFICER:
        unit = None
    if unit is not None and unit.province_id != province.pk:
        raise ValidationError({"unit": "Đơn vị không thuộc tỉnh này."})

    user = User.objects.filter(username__iexact=username).first()
    member_here = user is not None and Membership.objects.filter(user=user, province=province).exists()
    if not member_here and (invite or user is None):  # the same checks whether or not the username exists elsewhere
        if not password:
            raise ValidationError({"password": "Hãy nhập mật khẩu ban đầu (dùng khi tên đăng nhập này chưa có tài khoản)."})
        try:
            validate_password(password, user or User(username=username, full_name=full_name.strip(), email=email.strip()))
        except ValidationError as error:
            raise ValidationError({"password": error.error_list}) from error
    if user is None:
        user = User(username=username, full_name=full_name.strip(), email=email.strip())
        user.set_password(password)
        user.save()
    if Membership.objects.filter(user=user, province=province, role=role).exists():
        raise ValidationError({"role": "Người này đã có vai trò này trong tỉnh."})
    if member_here or not invite:
        membership = Membership.objects.create(user=user, province=province, role=role, unit=unit)
        record("membership.added", actor=actor, target=membership, label=_role_label(user, membership),
               new=_role_values(user, membership))
        return membership
    invitation, _ = Invitation.objects.update_or_create(
        user=user, province=province, role=role, defaults={"unit": unit, "invited_by": actor})
    record("invitation.sent", actor=actor, target=invitation, label=_role_label(user, invitation),
           new=_role_values(user, invitation))
    return invitation


def _role_values(user: User, role) -> dict:
    """A role (membership or invitation) as its audit entries show it."""
    return {"username": user.username, "role": role.get_role_display(), "unit": role.unit.name if role.unit_id else None}


def _role_label(user: User, role) -> str:
    unit = f" – {role.unit.name}" if role.unit_id else ""
    return f"{user.username}: {role.get_role_display()}{unit}"


@transaction.atomic
def invitation_answer(*, invitation: Invitation, user: User, accept: bool) -> Membership | None:
    """The invited person accepts (the role becomes theirs) or declines (the invitation goes)."""
    if invitation.user_id != user.pk:
        raise ValidationError("Lời mời này không dành cho bạn.")
    membership = None
    if accept and not Membership.objects.filter(user=user, province=invitation.province, role=invitation.role).exists():
        membership = Membership.objects.create(user=user, province=invitation.province, role=invitation.role,
                                               unit=invitation.unit)
    record("invitation.accepted" if accept else "invitation.declined", actor=user, target=invitation,
           label=_role_label(user, invitation), new=_role_values(user, invitation))
    invitation.delete()
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, actor: User) -> None:
    if membership.user_id == actor.pk and membership.role == Role.PROVINCE_ADMIN:
        raise ValidationError("Bạn không thể tự bỏ vai trò quản trị của chính mình.")
    record("membership.removed", actor=actor, target=membership, label=_role_label(membership.user, membership),
           old=_role_values(membership.user, membership))
    membership.delete()


@transaction.atomic
def province_onboard(
    *, slug: str, name: str, coordinating_agency: str, admin_username: str,
    admin_full_name: str = "", admin_email: str = "", admin_password: str = "", actor,
) -> Province:
    """The platform admin's act: a new province and its first province admin, or neither.

    Errors name the form's fields (`admin_password`, ...).
    """
    province = province_create(slug=slug, name=name, coordinating_agency=coordinating_agency, actor=actor)
    with scope(province=province):
        try:
            member_add(
                province=province, username=admin_username, role=Role.PROVINCE_ADMIN,
                full_name=admin_full_name, email=admin_email, password=admin_password, invite=False, actor=actor,
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
