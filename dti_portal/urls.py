"""Platform pages at the root; everything of a province under /<province>/ (see ProvinceMiddleware)."""

from django.urls import include, path

from dti_portal.tenancy import views as tenancy_views

province_patterns = [
    path("", tenancy_views.province_home, name="province_home"),
    path("", include("dti_portal.tenancy.urls")),
    path("bo-chi-so/", include("indicators.urls")),
    path("", include("assessments.urls")),
    path("lanh-dao/", include("rankings.urls")),
]

urlpatterns = [
    path("", tenancy_views.platform_home, name="platform_home"),
    path("", include("dti_portal.accounts.urls")),
    path("he-thong/", include("dti_portal.tenancy.platform_urls")),
    path("<slug:province>/", include(province_patterns)),
]
