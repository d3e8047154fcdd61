from django.shortcuts import render

from dti_portal.accounts.access import province_view
from dti_portal.accounts.models import Role
from dti_portal.tenancy.selectors import units_by_kind


@province_view(Role.LEADERSHIP, Role.PROVINCE_ADMIN)
def leadership_home(request):
    """Leadership's home: the units assessed, by kind (rankings arrive with assessment periods)."""
    return render(request, "rankings/leadership_home.html", {"groups": units_by_kind(request.province)})
