from django.urls import path

from . import views

app_name = "indicators"

urlpatterns = [
    path("", views.framework_list, name="framework_list"),
    path("tao/", views.framework_create, name="framework_create"),
    path("nhap/", views.framework_import, name="framework_import"),
    path("tep-mau/", views.import_template, name="import_template"),
    path("<int:framework_id>/", views.framework_detail, name="framework_detail"),
    path("<int:framework_id>/sua/", views.framework_edit, name="framework_edit"),
    path("<int:framework_id>/xoa/", views.framework_delete, name="framework_delete"),
    path("<int:framework_id>/ap-dung/", views.framework_activate, name="framework_activate"),
    path("<int:framework_id>/ngung/", views.framework_retire, name="framework_retire"),
    path("<int:framework_id>/sao-chep/", views.framework_clone, name="framework_clone"),
    path("<int:framework_id>/xuat/", views.framework_export, name="framework_export"),
    path("<int:framework_id>/chi-tieu/them/", views.indicator_create, name="indicator_create"),
    path("<int:framework_id>/chi-tieu/<int:indicator_id>/sua/", views.indicator_edit, name="indicator_edit"),
    path("<int:framework_id>/chi-tieu/<int:indicator_id>/xoa/", views.indicator_delete, name="indicator_delete"),
]
