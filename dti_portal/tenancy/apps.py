from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "dti_portal.tenancy"
    label = "tenancy"
    verbose_name = "Tỉnh và đơn vị"
