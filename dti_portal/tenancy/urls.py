from django.urls import path

from . import views

app_name = "tenancy"

urlpatterns = [
    path("quan-tri/", views.admin_home, name="admin_home"),
    path("quan-tri/don-vi/them/", views.unit_create, name="unit_create"),
    path("quan-tri/don-vi/<int:unit_id>/sua/", views.unit_edit, name="unit_edit"),
    path("quan-tri/don-vi/<int:unit_id>/ten-goi-khac/", views.unit_alias_add, name="unit_alias_add"),
    path("quan-tri/don-vi/<int:unit_id>/sap-nhap/", views.unit_merge, name="unit_merge"),
    path("quan-tri/loai-don-vi/them/", views.unit_kind_create, name="unit_kind_create"),
    path("quan-tri/thanh-vien/them/", views.member_create, name="member_create"),
    path("quan-tri/thanh-vien/<int:membership_id>/bo/", views.member_remove, name="member_remove"),
    path("don-vi/<int:unit_id>/", views.unit_detail, name="unit_detail"),
]
