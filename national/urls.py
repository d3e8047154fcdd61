"""Everything under /<province>/dti-cap-tinh/: one URL name space ("national:"), one module of
patterns per part (results and analysis; the plan and what-if; progress reports)."""

from django.urls import path

from . import plan_urls, report_urls, results_urls, views

app_name = "national"

urlpatterns = [
    path("", views.home, name="home"),
    *results_urls.urlpatterns,
    *plan_urls.urlpatterns,
    *report_urls.urlpatterns,
]
