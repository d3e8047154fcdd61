"""Progress reports under /<province>/dti-cap-tinh/bao-cao/ (the "national:" name space)."""

from django.urls import path

from . import report_views

urlpatterns = [
    path("bao-cao/nhiem-vu/", report_views.report_tasks, name="report_tasks"),
    path("bao-cao/nhiem-vu/<int:task_id>/<int:year>/<int:quarter>/", report_views.report_edit, name="report_edit"),
    path("bao-cao/<int:report_id>/tai-lieu/", report_views.report_evidence_upload, name="report_evidence_upload"),
    path("bao-cao/tai-lieu/<int:report_evidence_id>/", report_views.report_evidence_download, name="report_evidence_download"),
    path("bao-cao/tong-hop/", report_views.report_overview, name="report_overview"),
    path("bao-cao/tong-hop/bao-cao-tong-hop.pdf", report_views.report_consolidated, {"fmt": "pdf"},
         name="report_consolidated_pdf"),
    path("bao-cao/tong-hop/bao-cao-tong-hop.xlsx", report_views.report_consolidated, {"fmt": "xlsx"},
         name="report_consolidated_xlsx"),
]
