"""Defence in depth (issue 11, part 7): a strict Content-Security-Policy on every page (django-csp), which the
templates can live with because they carry no inline script, event handler or style."""

import re
from pathlib import Path

from django.conf import settings
from django.urls import reverse

TEMPLATES = Path(settings.BASE_DIR) / "templates"
INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "an inline <script>"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an inline event handler (on…=)"),
    (re.compile(r"\sstyle\s*=", re.I), "a style attribute"),
    (re.compile(r"<style\b", re.I), "a <style> element"),
]


def test_no_template_served_to_browsers_carries_inline_script_or_style():
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        if path.name.endswith("_pdf.html"):  # rendered by WeasyPrint into a PDF, never served as a page
            continue
        text = re.sub(r"{#.*?#}", "", path.read_text(encoding="utf-8"), flags=re.S)
        found += [f"{path.relative_to(TEMPLATES)}: {what}" for pattern, what in INLINE if pattern.search(text)]
    assert not found, found


def test_every_page_carries_a_strict_policy(world, client_as, client):
    policy = client.get("/dang-nhap/")["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    page = client_as(world.admin_a).get(reverse("tenancy:admin_home", kwargs={"province": "tinh-a"}))
    assert page["Content-Security-Policy"] == policy
