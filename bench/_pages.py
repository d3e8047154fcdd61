"""Shared by the page benchmarks: a page and a bare template of the same rows, served the same way.

`setup_pages()` sets Django up as in production for rendering (test settings: DEBUG off, so no
query log and no template debugging) and makes this module the URL configuration: the project's
URLs plus `/<province>/bench-bare/<name>/`, which renders a registered bare template string
through the same middleware, session, province and role check as the real pages, but with
no query and no logic of its own. The figure printed beside a page is that bare page,
measured in the same run, and the ratio between them.

On SQLite by default (a throw-away file); `BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/dti_bench`
runs on PostgreSQL in a throw-away `test_dti_bench` database, made and dropped as the test runner does.
"""

import atexit
import os
import statistics
import sys
import time

from _django import ROOT, setup

_BARE: dict = {}
urlpatterns: list = []


def setup_pages() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "dti_portal.settings.test"
    if os.environ.get("BENCH_DATABASE_URL"):
        sys.path.insert(0, str(ROOT))
        os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
        import django
        from django.db import connection

        django.setup()
        name = connection.settings_dict["NAME"]
        connection.creation.create_test_db(verbosity=0, autoclobber=True)
        atexit.register(connection.creation.destroy_test_db, name, verbosity=0)
    else:
        setup()
    from django.conf import settings
    from django.urls import clear_url_caches, path

    from dti_portal import urls as project_urls
    from dti_portal.accounts.access import province_view
    from django.http import HttpResponse

    @province_view()
    def bare(request, name: str):  # what render() does, with a template compiled once
        template, context = _BARE[name]
        return HttpResponse(template.render(context, request))

    urlpatterns[:] = [path("<slug:province>/bench-bare/<slug:name>/", bare)] + project_urls.urlpatterns
    settings.ROOT_URLCONF = __name__
    clear_url_caches()


def register_bare(name: str, source: str, context: dict) -> None:
    """A bare page: `source` compiled once (as the cached loader would), rendered with `context`."""
    from django.template import engines

    _BARE[name] = (engines["django"].from_string(source), context)


def bare_url(province_slug: str, name: str) -> str:
    return f"/{province_slug}/bench-bare/{name}/"


def client_for(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def fetch(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content


def count_queries(client, url: str) -> int:
    """SQL statements of one request (execute_wrapper sees every one, whatever DEBUG says)."""
    from django.db import connection

    queries = []
    with connection.execute_wrapper(lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)):
        fetch(client, url)
    return len(queries)


def median_ms(fn, repeat: int) -> float:
    fn()  # warm: templates compiled, URL resolvers populated
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def compare(title: str, rows: list[tuple], repeat: int) -> None:
    """Print each page beside its bare template: rows of (label, client, page url, bare label, bare url),
    the bare page fetched by the same client.

    Page and bare are timed alternately, so that a slower moment of the machine hits both. Wall
    time is what a user waits for; CPU time of this process is the server's own work (the whole
    of it on SQLite, which runs in-process) and moves less when other programs load the machine.
    """
    print(title)
    print(f"{'page':<46}{'queries':>8}{'kB':>6}{'wall ms':>9}{'bare':>7}{'ratio':>7}{'cpu ms':>8}{'bare':>7}{'ratio':>7}")
    for label, client, url, bare_label, bare in rows:
        times = {"page": ([], []), "bare": ([], [])}
        fetch(client, url), fetch(client, bare)
        for _ in range(repeat):
            for key, where in (("page", url), ("bare", bare)):
                wall, cpu = time.perf_counter(), time.process_time()
                fetch(client, where)
                times[key][0].append((time.perf_counter() - wall) * 1000)
                times[key][1].append((time.process_time() - cpu) * 1000)
        (pw, pc), (bw, bc) = ([statistics.median(t) for t in times[k]] for k in ("page", "bare"))
        size = len(fetch(client, url)) / 1024
        print(f"{label:<46}{count_queries(client, url):>8}{size:>6.0f}{pw:>9.1f}{bw:>7.1f}{pw / bw:>7.2f}{pc:>8.1f}{bc:>7.1f}{pc / bc:>7.2f}")
        print(f"{'  beside: ' + bare_label:<46}{count_queries(client, bare):>8}{len(fetch(client, bare)) / 1024:>6.0f}")


def analyze() -> None:
    """PostgreSQL: refresh the planner's statistics after bulk inserts, as autovacuum would soon."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
