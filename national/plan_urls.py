"""The improvement plan and its what-if, under /<province>/dti-cap-tinh/ ("national:" name space)."""

from django.urls import path

from . import plan_views

urlpatterns: list = [
    path("ke-hoach/them/", plan_views.plan_create, name="plan_create"),
    path("ke-hoach/<int:plan_id>/", plan_views.plan_detail, name="plan_detail"),
    path("ke-hoach/<int:plan_id>/sua/", plan_views.plan_edit, name="plan_edit"),
    path("ke-hoach/<int:plan_id>/nhiem-vu/them/", plan_views.task_create, name="task_create"),
    path("nhiem-vu/<int:task_id>/", plan_views.task_detail, name="task_detail"),
    path("nhiem-vu/<int:task_id>/sua/", plan_views.task_edit, name="task_edit"),
    path("nhiem-vu/<int:task_id>/xoa/", plan_views.task_delete, name="task_delete"),
]
