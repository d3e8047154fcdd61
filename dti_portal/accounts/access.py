"""Who may open what. Views fetch tenant objects only through these helpers.

- No role in the request's province (or not logged in to it): 404, never 403, so that
  nothing about another province leaks.
- A role in the province but not one the view needs: 403.
- A unit officer asking for another unit: 404.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse

from dti_portal.tenancy.models import Unit

from .models import Membership, Role

# Roles that see every unit of their province (read-only unless a view says otherwise).
PROVINCE_WIDE_ROLES = frozenset({Role.PROVINCE_ADMIN, Role.APPRAISER, Role.APPRAISAL_LEAD, Role.LEADERSHIP})


def province_view(*roles: Role):
    """Decorate a view under `/<province>/`: require a role there (any of `roles` if given).

    The `province` URL argument is consumed; the view reads `request.province`.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, province=None, **kwargs):
            if request.province is None:  # pragma: no cover - misconfigured URL
                raise Http404
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), reverse("accounts:login"))
            if not request.roles:
                raise Http404("Không có tỉnh này.")
            if roles and not request.roles.intersection(roles):
                raise PermissionDenied("Vai trò của bạn không được mở trang này.")
            return view(request, *args, **kwargs)

        wrapper.province_roles = roles
        return wrapper

    return decorator


def officer_unit_ids(request) -> set[int]:
    return {m.unit_id for m in request.memberships if m.role == Role.UNIT_OFFICER}


def sees_whole_province(request) -> bool:
    return bool(request.roles & PROVINCE_WIDE_ROLES)


def get_unit_for_user(request, unit_id: int) -> Unit:
    """The unit `unit_id` of the request's province if this user may see it, else 404."""
    unit = get_object_or_404(Unit.objects.select_related("kind"), pk=unit_id)
    if not sees_whole_province(request) and unit.pk not in officer_unit_ids(request):
        raise Http404("Không có đơn vị này.")
    return unit


def role_home_url(membership: Membership) -> str:
    """Where a person lands when acting in `membership`'s role."""
    slug = membership.province.slug
    if membership.role == Role.PROVINCE_ADMIN:
        return reverse("tenancy:admin_home", kwargs={"province": slug})
    if membership.role == Role.UNIT_OFFICER:
        return reverse("tenancy:unit_detail", kwargs={"province": slug, "unit_id": membership.unit_id})
    if membership.role == Role.APPRAISER:
        return reverse("assessments:appraiser_home", kwargs={"province": slug})
    if membership.role == Role.APPRAISAL_LEAD:
        return reverse("assessments:lead_home", kwargs={"province": slug})
    return reverse("rankings:leadership_home", kwargs={"province": slug})
