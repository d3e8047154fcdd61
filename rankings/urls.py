from django.urls import path

from . import views

app_name = "rankings"

urlpatterns = [
    path("", views.leadership_home, name="leadership_home"),
]
