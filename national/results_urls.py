"""The national results' URLs (under "national:"): a year's table, its lost-points analysis, and the
admin's pages to enter ranks, other provinces' totals and import a year."""

from django.urls import path

from . import results_views as views

urlpatterns = [
    path("ket-qua/nhap/", views.result_upload, name="result_import"),
    path("ket-qua/<int:year>/", views.result, name="result"),
    path("ket-qua/<int:year>/phan-tich/", views.result_analysis, name="analysis"),
    path("ket-qua/<int:year>/sua/", views.result_edit, name="result_edit"),
    path("ket-qua/<int:year>/tinh-khac/", views.result_peers, name="result_peers"),
]
