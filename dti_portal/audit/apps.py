from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "dti_portal.audit"
    label = "audit"
    verbose_name = "Nhật ký"
