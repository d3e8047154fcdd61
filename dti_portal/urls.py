"""Platform pages at the root; everything of a province under /<province>/ (see ProvinceMiddleware)."""

from django.urls import include, path

from dti_portal.accounts.urls import notification_urlpatterns
from dti_portal.tenancy import views as tenancy_views
from rankings import views as rankings_views

province_patterns = [
    path("", tenancy_views.province_home, name="province_home"),
    path("", include("dti_portal.tenancy.urls")),
    path("bo-chi-so/", include("indicators.urls")),
    path("", include("assessments.urls")),
    path("lanh-dao/", include("rankings.urls")),
    path("thong-bao/", include(notification_urlpatterns)),
    path("nhat-ky/", include("dti_portal.audit.urls")),
    path("dti-cap-tinh/", include("national.urls")),
    path("cong-khai/", rankings_views.public_home, name="public_home"),
    path("cong-khai/<int:year>/", rankings_views.public_year, name="public_year"),
    path("cong-khai/<int:year>/<slug:kind>/", rankings_views.public_download, name="public_download"),
]

urlpatterns = [
    path("", tenancy_views.platform_home, name="platform_home"),
    path("", include("dti_portal.accounts.urls")),
    path("he-thong/", include("dti_portal.tenancy.platform_urls")),
    path("<slug:province>/", include(province_patterns)),
]
