from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "dti_portal.accounts"
    label = "accounts"
    verbose_name = "Tài khoản và vai trò"
