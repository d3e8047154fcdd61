"""The production settings, served over plain HTTP on loopback for the load test only.

Session and CSRF cookies are marked Secure in production; a load generator talking plain HTTP to
127.0.0.1 would never send them back, so the load test (and nothing else) turns that off.
"""

from dti_portal.settings.production import *  # noqa: F403

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
