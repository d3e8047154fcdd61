from django.urls import path

from . import views

app_name = "assessments"

urlpatterns = [
    path("tham-dinh/", views.appraiser_home, name="appraiser_home"),
    path("tham-dinh/to-truong/", views.lead_home, name="lead_home"),
    path("ky-danh-gia/", views.period_list, name="period_list"),
    path("ky-danh-gia/tao/", views.period_create, name="period_create"),
    path("ky-danh-gia/<int:period_id>/", views.period_detail, name="period_detail"),
    path("ky-danh-gia/<int:period_id>/sua/", views.period_edit, name="period_edit"),
    path("ky-danh-gia/<int:period_id>/mo/", views.period_open, name="period_open"),
    path("tu-danh-gia/<int:assessment_id>/", views.entry, name="entry"),
    path("tu-danh-gia/<int:assessment_id>/gia-han/", views.extension_grant, name="extension_grant"),
    path("tu-danh-gia/<int:assessment_id>/chi-tieu/<int:indicator_id>/", views.answer_save, name="answer_save"),
    path("tu-danh-gia/<int:assessment_id>/chi-tieu/<int:indicator_id>/tai-lieu/", views.evidence_upload, name="evidence_upload"),
    path("tu-danh-gia/<int:assessment_id>/gui/", views.submit, name="submit"),
    path("tu-danh-gia/<int:assessment_id>/rut-lai/", views.withdraw, name="withdraw"),
    path("tu-danh-gia/<int:assessment_id>/lich-su/", views.history, name="history"),
    path("tai-lieu/<int:evidence_id>/", views.evidence_download, name="evidence_download"),
    path("tai-lieu/<int:evidence_id>/xoa/", views.evidence_delete, name="evidence_delete"),
]
