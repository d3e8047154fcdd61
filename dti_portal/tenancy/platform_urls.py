from django.urls import path

from . import views

app_name = "platform"

urlpatterns = [
    path("", views.platform_admin_home, name="admin_home"),
    path("hop-nhat-tinh/", views.province_merge_view, name="province_merge"),
]
