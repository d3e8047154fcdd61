import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

# Set by the test run itself (e2e harness, CI), never in a deployment.
TEST_ONLY_ENV = {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def _manage(*args, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=Path(settings.BASE_DIR),
        env={k: v for k, v in os.environ.items() if k not in TEST_ONLY_ENV} | env,
        capture_output=True,
        text=True,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING",
        DJANGO_SETTINGS_MODULE="dti_portal.settings.production",
        SECRET_KEY="x" * 60 + "-production-like-secret-for-the-check",
        ALLOWED_HOSTS="dti.example.gov.vn",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", DJANGO_SETTINGS_MODULE="dti_portal.settings.production", SECRET_KEY="",
                     ALLOWED_HOSTS="dti.example.gov.vn")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


PRODUCTION = {"DJANGO_SETTINGS_MODULE": "dti_portal.settings.production",
              "SECRET_KEY": "x" * 60 + "-production-like-secret-for-the-check", "ALLOWED_HOSTS": "dti.example.gov.vn"}
SHOW = "from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS)"


def test_production_reads_yes_and_no_strictly_so_true_means_on():
    assert _manage("shell", "-c", SHOW, **PRODUCTION, SECURE_SSL_REDIRECT="true").stdout.splitlines()[-1].split() == ["True", "31536000"]
    assert _manage("shell", "-c", SHOW, **PRODUCTION, SECURE_SSL_REDIRECT="Off").stdout.splitlines()[-1].split() == ["False", "31536000"]
    assert _manage("shell", "-c", SHOW, **PRODUCTION, SECURE_SSL_REDIRECT="").stdout.splitlines()[-1].split() == ["True", "31536000"]


def test_production_refuses_to_start_on_a_setting_it_cannot_read_and_names_it():
    typo = _manage("shell", "-c", SHOW, **PRODUCTION, SECURE_SSL_REDIRECT="ture")
    assert typo.returncode != 0 and "SECURE_SSL_REDIRECT='ture': write one of 0, 1, false, no, off, on, true, yes" in typo.stderr
    days = _manage("shell", "-c", SHOW, **PRODUCTION, SECURE_HSTS_SECONDS="1 năm")
    assert days.returncode != 0 and "SECURE_HSTS_SECONDS='1 năm': write a whole number" in days.stderr
