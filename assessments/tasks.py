"""Background tasks of the assessments app (django-tasks; `manage.py db_worker` runs them)."""

from django.core.mail import send_mass_mail
from django_tasks import task  # the backport of Django 6's django.tasks: same API, other import


@task(priority=10)  # before publication work: a person is waiting for this e-mail
def send_mail_task(messages: list[list]) -> int:
    """Send (subject, body, from, [to, ...]) messages over one connection; an SMTP outage fails the
    task (kept with its traceback by the queue), never the request that caused the e-mail."""
    return send_mass_mail([tuple(message) for message in messages], fail_silently=False)
