from django.shortcuts import render

from dti_portal.accounts.access import province_view
from dti_portal.accounts.models import Role
from dti_portal.tenancy.selectors import units_by_kind


@province_view(Role.APPRAISER, Role.APPRAISAL_LEAD)
def appraiser_home(request):
    """The appraisal team's home: the units of the province it will appraise."""
    return render(
        request,
        "assessments/appraiser_home.html",
        {"groups": units_by_kind(request.province), "title": "Tổ thẩm định"},
    )


@province_view(Role.APPRAISAL_LEAD)
def lead_home(request):
    return render(
        request,
        "assessments/appraiser_home.html",
        {"groups": units_by_kind(request.province), "title": "Tổ trưởng Tổ thẩm định", "is_lead": True},
    )
