from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("dang-nhap/", views.LoginView.as_view(), name="login"),
    # Django's LogoutView accepts POST only: GET answers 405.
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("doi-mat-khau/", views.PasswordChangeView.as_view(), name="password_change"),
    path("trang-chu/", views.home, name="home"),
    path("loi-moi/<int:invitation_id>/", views.invitation_answer_view, name="invitation_answer"),
]

# Under /<province>/thong-bao/ (included by dti_portal.urls with the namespace "notifications"):
# a person's notifications are read in the province of the URL only.
notification_urlpatterns = ([
    path("", views.notification_list, name="list"),
    path("<int:notification_id>/mo/", views.notification_open, name="open"),
    path("doc-tat-ca/", views.notifications_mark_all, name="mark_all"),
], "notifications")
