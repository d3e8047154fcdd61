from django.urls import path

from . import appraisal_views, carry_over_views, views, workbook_views

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
    path("tu-danh-gia/<int:assessment_id>/nam-truoc/", carry_over_views.carry_over, name="carry_over"),
    path("tu-danh-gia/<int:assessment_id>/chi-tieu/<int:indicator_id>/xac-nhan/", carry_over_views.carry_confirm,
         name="carry_confirm"),
    path("tu-danh-gia/<int:assessment_id>/rut-lai/", views.withdraw, name="withdraw"),
    path("tu-danh-gia/<int:assessment_id>/lich-su/", views.history, name="history"),
    path("tu-danh-gia/<int:assessment_id>/bang-tinh.xlsx", workbook_views.workbook_download, name="workbook_download"),
    path("tu-danh-gia/<int:assessment_id>/bang-tinh/tai-len/", workbook_views.workbook_upload, name="workbook_upload"),
    path("tu-danh-gia/<int:assessment_id>/bang-tinh/xac-nhan/", workbook_views.workbook_confirm, name="workbook_confirm"),
    path("tai-lieu/<int:evidence_id>/", views.evidence_download, name="evidence_download"),
    path("tai-lieu/<int:evidence_id>/xoa/", views.evidence_delete, name="evidence_delete"),
    path("tham-dinh/ky/<int:period_id>/", appraisal_views.board, name="appraisal_board"),
    path("tham-dinh/ky/<int:period_id>/to-truong/<slug:act>/", appraisal_views.lead_act, name="lead_act"),
    path("tham-dinh/ky/<int:period_id>/phan-cong/", appraisal_views.assignment_add, name="assignment_add"),
    path("tham-dinh/ky/<int:period_id>/to-truong/", appraisal_views.lead_set, name="lead_set"),
    path("tham-dinh/phan-cong/<int:assignment_id>/bo/", appraisal_views.assignment_remove, name="assignment_remove"),
    path("tham-dinh/danh-gia/<int:assessment_id>/", appraisal_views.unit_appraisal, name="unit_appraisal"),
    path("tham-dinh/danh-gia/<int:assessment_id>/chi-tieu/<int:indicator_id>/", appraisal_views.review, name="review"),
    path("tham-dinh/danh-gia/<int:assessment_id>/xac-nhan-tat-ca/", appraisal_views.confirm_all, name="confirm_all"),
    path("tham-dinh/danh-gia/<int:assessment_id>/ky/", appraisal_views.sign, name="sign"),
    path("tham-dinh/danh-gia/<int:assessment_id>/chot/", appraisal_views.finalise, name="finalise"),
    path("tham-dinh/danh-gia/<int:assessment_id>/mo-lai/", appraisal_views.reopen, name="reopen"),
    path("tu-danh-gia/<int:assessment_id>/giai-trinh/<int:indicator_id>/", appraisal_views.explanation_save, name="explanation_save"),
    path("tu-danh-gia/<int:assessment_id>/gui-giai-trinh/", appraisal_views.explanation_submit, name="explanation_submit"),
    path("tu-danh-gia/<int:assessment_id>/lich-su.csv", appraisal_views.history_csv, name="history_csv"),
]
