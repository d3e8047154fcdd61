"""The national DTI's home: the province's results by year, its plans, and — for an owner
organisation's officer — only that organisation's tasks and reports."""

from django.shortcuts import render

from dti_portal.accounts.access import province_view

from . import plan_views, report_views, results_views


@province_view()
def home(request):
    context = {}
    for part in (results_views, plan_views, report_views):
        context |= part.home_context(request)
    return render(request, "national/home.html", context)
