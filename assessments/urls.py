from django.urls import path

from . import views

app_name = "assessments"

urlpatterns = [
    path("", views.appraiser_home, name="appraiser_home"),
    path("to-truong/", views.lead_home, name="lead_home"),
]
