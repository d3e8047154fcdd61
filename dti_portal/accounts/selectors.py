"""Reads of people and roles."""

from django_scopes import scopes_disabled

from .models import Membership, User


def memberships_of(user: User) -> list[Membership]:
    """Every role `user` holds, across provinces.

    This is the one cross-province read: a person's own roles, to route them home after
    login. It disables scopes explicitly and filters on the user.
    """
    with scopes_disabled():
        return list(
            Membership.objects.filter(user=user, province__is_active=True)
            .select_related("province", "unit")
            .order_by("province__name", "role")
        )


def province_members(province) -> list[Membership]:
    return list(
        Membership.objects.filter(province=province).select_related("user", "unit").order_by("user__username", "role")
    )
