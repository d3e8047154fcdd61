"""Load test: deadline day of one province of 150 units × 150 criteria, gunicorn + PostgreSQL on loopback.

    .venv/bin/python bench/load/run.py [--users 10,25,50,100] [--seconds 60] [--workers 3]

1. Prepares the data once in PostgreSQL (`DATABASE_URL`, default database `dti_load`) with
   `generate_scale_data`, then makes it a deadline day: half of the units are drafting, the other
   half are under round 1 of the appraisal.
2. Starts gunicorn with the production settings (plain HTTP on loopback: `bench/load/settings.py`).
3. Runs Locust headless once per number of simulated users, each step bounded in time, and prints
   p50/p95/p99, requests and errors per page, then the largest number of simulated users whose every
   page holds p95 < 300 ms with no error. Each step is measured from the moment every simulated user
   has logged in (a deliberately slow password hash, once per user) for --seconds; logins are not
   part of the figures.
"""

import argparse
import csv
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
PY = sys.executable
P95_GOAL_MS = 300
NOT_PAGES = {"login", "login form", "Aggregated"}


def sh(*args, env=None, **kwargs):
    return subprocess.run(args, cwd=ROOT, env=env, check=True, **kwargs)


def ensure_database(url: str) -> None:
    import psycopg2

    name = url.rsplit("/", 1)[1]
    server = url.rsplit("/", 1)[0] + "/postgres"
    connection = psycopg2.connect(server)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def prepare(env: dict, plan_path: Path, units: int, indicators: int) -> None:
    """Scale data, then the deadline-day mix, then the plan the locustfile reads."""
    sh(PY, "manage.py", "migrate", "--noinput", "-v", "0", env=env)
    sh(PY, "manage.py", "generate_scale_data", "--provinces", "1", "--units", str(units),
       "--indicators", str(indicators), "--state", "submitted", "--seed", "9", env=env)
    sh(PY, str(HERE / "plan.py"), str(plan_path), env=env)


def start_gunicorn(env: dict, port: int, workers: int, static_root: str):
    sh(PY, "manage.py", "collectstatic", "--noinput", "-v", "0", env=env)
    process = subprocess.Popen(
        [str(Path(PY).parent / "gunicorn"), "dti_portal.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--access-logfile", "-" if os.environ.get("LOAD_ACCESS_LOG") else "/dev/null", "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True)
    for _ in range(60):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/dang-nhap/", timeout=2)
            return process
        except Exception:
            time.sleep(0.5)
    process.kill()
    raise SystemExit("gunicorn did not start")


def run_step(env: dict, port: int, users: int, seconds: int, out: Path) -> dict[str, dict]:
    prefix = out / f"u{users}"
    spawn = max(1, users // 10)
    subprocess.run(
        [str(Path(PY).parent / "locust"), "-f", str(HERE / "locustfile.py"), "--headless", "--only-summary",
         "-u", str(users), "-r", str(spawn), "-t", f"{seconds + 120 + 2 * users}s",
         "--host", f"http://127.0.0.1:{port}", "--csv", str(prefix), "--loglevel", "WARNING"],
        cwd=ROOT, env=env | {"DTI_LOAD_SECONDS": str(seconds)}, check=False, stdout=subprocess.DEVNULL, stderr=open(f"{prefix}.log", "w"))
    stats = {}

    def ms(text: str) -> float:
        return 0.0 if text in ("", "N/A") else float(text)

    with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if not int(row["Request Count"]):
                continue  # logins: made before the measured window
            stats[row["Name"]] = {
                "requests": int(row["Request Count"]), "errors": int(row["Failure Count"]),
                "p50": ms(row["50%"]), "p95": ms(row["95%"]), "p99": ms(row["99%"]), "rps": ms(row["Requests/s"]),
            }
    return stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", default="10,25,50,100", help="simulated users per step, comma-separated")
    parser.add_argument("--seconds", type=int, default=60, help="measured seconds per step (after the ramp-up)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--units", type=int, default=150)
    parser.add_argument("--indicators", type=int, default=150)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    steps = sorted({int(u) for u in args.users.split(",")})
    if not steps or steps[0] < 1 or steps[-1] > 1000 or not 5 <= args.seconds <= 600:
        raise SystemExit("--users: 1..1000; --seconds: 5..600")

    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dti_load")
    if not url.startswith("postgres"):
        raise SystemExit("The load test runs against PostgreSQL (DATABASE_URL=postgres://...).")
    ensure_database(url)
    work = Path(tempfile.mkdtemp(prefix="dti-load-"))
    plan = work / "plan.json"
    env = os.environ | {
        "DATABASE_URL": url, "PYTHONPATH": f"{HERE}{os.pathsep}{ROOT}", "DJANGO_SETTINGS_MODULE": "settings",
        "SECRET_KEY": "load-test-only-" + "x" * 40, "ALLOWED_HOSTS": "127.0.0.1", "STATIC_ROOT": str(work / "static"),
        "MEDIA_ROOT": str(work / "media"), "DTI_LOAD_PLAN": str(plan),
    }
    prepare(env, plan, args.units, args.indicators)
    server = start_gunicorn(env, args.port, args.workers, str(work / "static"))
    results = {}
    try:
        for users in steps:
            results[users] = run_step(env, args.port, users, args.seconds, work)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    print(f"Load test: 1 province, {args.units} units × {args.indicators} criteria, gunicorn {args.workers} workers "
          f"+ PostgreSQL on loopback, {os.cpu_count()} cores shared with the load generator; {args.seconds} s per step")
    holding = 0
    for users, stats in results.items():
        print(f"\n{users} simulated users")
        print(f"  {'page':<24}{'requests':>9}{'errors':>8}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
        for name, s in sorted(stats.items(), key=lambda item: item[0] == "Aggregated"):
            print(f"  {name:<24}{s['requests']:>9}{s['errors']:>8}{s['rps']:>8.1f}{s['p50']:>9.0f}{s['p95']:>9.0f}{s['p99']:>9.0f}")
        pages = {n: s for n, s in stats.items() if n not in NOT_PAGES}
        if pages and all(s["p95"] < P95_GOAL_MS for s in pages.values()) and not any(s["errors"] for s in stats.values()):
            holding = users
    print(f"\nLargest number of simulated users holding p95 < {P95_GOAL_MS} ms on every page with 0 errors: "
          f"{holding or 'none of the steps'}")
    (work / "results.json").write_text(json.dumps(results, indent=1))
    print(f"Raw figures: {work}/results.json and {work}/u*_stats.csv")


if __name__ == "__main__":
    main()
