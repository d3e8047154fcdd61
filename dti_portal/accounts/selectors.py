"""Reads of people and roles."""

from django.db.models import Count
from django_scopes import scopes_disabled

from dti_portal.tenancy.models import Province
from dti_portal.tenancy.names import vn_sort_key

from .models import Membership, Notification, User


def memberships_of(user: User) -> list[Membership]:
    """Every role `user` holds, across provinces.

    This is the one cross-province read: a person's own roles, to route them home after
    login. It disables scopes explicitly and filters on the user.
    """
    with scopes_disabled():
        memberships = list(
            Membership.objects.filter(user=user, province__is_active=True)
            .select_related("province", "unit")
            .order_by("role", "pk")
        )
    return sorted(memberships, key=lambda m: vn_sort_key(m.province.name))  # stable: by role within a province


def province_members(province) -> list[Membership]:
    return list(
        Membership.objects.filter(province=province).select_related("user", "unit").order_by("user__username", "role")
    )


def notifications_of(user: User, *, unread_only: bool = False):
    """`user`'s notifications in the active province's scope, newest first (a queryset to page)."""
    found = Notification.objects.filter(user=user)
    return found.filter(read_at__isnull=True) if unread_only else found


def unread_count(user: User) -> int:
    """How many of `user`'s notifications in the active province are unread: one query, on the
    partial index of unread rows."""
    return notifications_of(user, unread_only=True).count()


def unread_by_province(user: User) -> dict[int, int]:
    """Province pk → unread notifications of `user`, across provinces (the role chooser). One query."""
    with scopes_disabled():
        return dict(Notification.objects.filter(user=user, read_at__isnull=True).values("province_id")
                    .annotate(n=Count("pk")).values_list("province_id", "n"))


def invitations_of(user: User) -> list:
    """Roles offered to `user` and not yet answered, in every active province."""
    from .models import Invitation

    with scopes_disabled():
        return list(Invitation.objects.filter(user=user, province__is_active=True).select_related("province", "unit"))


def province_invitations(province: Province) -> list:
    """The province's pending invitations, for its admin."""
    from .models import Invitation

    return list(Invitation.objects.filter(province=province).select_related("user", "unit").order_by("created_at"))
