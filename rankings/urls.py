from django.urls import path

from . import views

app_name = "rankings"

urlpatterns = [
    path("", views.leadership_home, name="leadership_home"),
    path("xep-hang/", views.ranking_list, name="ranking_list"),
    path("xep-hang/nhap-ket-qua/", views.results_upload, name="results_upload"),
    path("xep-hang/<int:year>/<slug:kind_code>/", views.ranking_detail, name="ranking_detail"),
    path("xep-hang/<int:year>/<slug:kind_code>/tai-ve/", views.ranking_export, name="ranking_export"),
    path("cong-bo/", views.publication_list, name="publication_list"),
    path("cong-bo/tao/", views.publication_create, name="publication_create"),
    path("cong-bo/<int:year>/", views.publication_detail, name="publication_detail"),
    path("cong-bo/<int:year>/thu-lai/", views.publication_retry_view, name="publication_retry"),
    path("cong-bo/<int:year>/huy/", views.publication_discard_view, name="publication_discard"),
    path("cong-bo/<int:year>/phieu-diem/<int:unit_id>/", views.scorecard_download, name="scorecard_download"),
    path("cong-bo/<int:year>/<slug:kind>/", views.publication_download, name="publication_download"),
]
