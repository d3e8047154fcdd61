"""Deadline day in one province: officers save answers, appraisers decide, leadership reads rankings,
anonymous readers open the public page.

Run through `bench/load/run.py`, which prepares the data, writes the plan this file reads
(`DTI_LOAD_PLAN`, JSON: who logs in and which ids each persona works on) and starts gunicorn.
Every request is named by page, so the statistics are per page, not per URL.
"""

import itertools
import json
import os
import random
import re

import gevent
from locust import HttpUser, between, events, task

PLAN = json.loads(open(os.environ["DTI_LOAD_PLAN"], encoding="utf-8").read())
PASSWORD = PLAN["password"]
SLUG = PLAN["province"]
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

_officers = itertools.cycle(PLAN["officers"])
_appraisals = itertools.cycle(PLAN["appraisals"])
MEASURED_SECONDS = int(os.environ.get("DTI_LOAD_SECONDS", "60"))


@events.init.add_listener
def _count_from_zero(environment, **kwargs):
    environment.dti_logged_in = 0


def _logged_in_one(environment) -> None:
    """Deadline day starts when everybody is logged in: the statistics are reset then, and the run
    stops MEASURED_SECONDS later, so that a storm of logins (a slow hash, by design) is not measured
    as page time."""
    environment.dti_logged_in += 1
    runner = environment.runner
    if environment.dti_logged_in == runner.target_user_count - runner.target_user_classes_count.get("PublicReader", 0):
        runner.stats.reset_all()
        gevent.spawn_later(MEASURED_SECONDS, runner.quit)


class Persona(HttpUser):
    """A logged-in person: logs in once (not counted: see `login` in the report), then works."""

    abstract = True
    # A person reads, types, then saves: 1–3 s between two requests of the same simulated user.
    wait_time = between(1, 3)
    username = ""

    def on_start(self):
        page = self.client.get("/dang-nhap/", name="login form")
        token = CSRF.search(page.text).group(1)
        response = self.client.post("/dang-nhap/", name="login", allow_redirects=False,
                                    data={"username": self.username, "password": PASSWORD,
                                          "csrfmiddlewaretoken": token})
        if response.status_code != 302:
            response.failure(f"login of {self.username} refused ({response.status_code})")
        _logged_in_one(self.environment)

    def csrf(self) -> str:
        return self.client.cookies.get("csrftoken", "")


class Officer(Persona):
    """Cán bộ đầu mối: opens the data-entry page, saves one criterion after another."""

    weight = 6

    def on_start(self):
        self.work = next(_officers)
        self.username = self.work["username"]
        super().on_start()

    @task(1)
    def entry_page(self):
        self.client.get(f"/{SLUG}/tu-danh-gia/{self.work['assessment']}/", name="entry page")

    @task(3)
    def save_answer(self):
        indicator = random.choice(self.work["answers"])
        data = {"csrfmiddlewaretoken": self.csrf(), "note": "Cập nhật ngày cuối hạn", **indicator["inputs"]}
        with self.client.post(f"/{SLUG}/tu-danh-gia/{self.work['assessment']}/chi-tieu/{indicator['id']}/",
                              name="save answer", data=data, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 302:
                response.failure(f"save answered {response.status_code}")


class Appraiser(Persona):
    """Thành viên tổ thẩm định: the board, a unit's appraisal page, a decision."""

    weight = 2

    def on_start(self):
        self.username = PLAN["appraiser"]
        super().on_start()

    @task(1)
    def board(self):
        self.client.get(f"/{SLUG}/tham-dinh/ky/{PLAN['period']}/", name="appraisal board")

    @task(2)
    def unit_page(self):
        work = next(_appraisals)
        self.client.get(f"/{SLUG}/tham-dinh/danh-gia/{work['assessment']}/", name="unit appraisal page")

    @task(2)
    def decide(self):
        work = next(_appraisals)
        indicator = random.choice(work["indicators"])
        data = {"csrfmiddlewaretoken": self.csrf(), "decision": "adjust", "points": indicator["points"],
                "reason": "Tài liệu kiểm chứng chưa đầy đủ", **indicator["inputs"]}
        # The form carries the version it was made from; a stale one is refused, by design, with a
        # message and a redirect: a 302 either way. Ask for the page to get the version.
        page = self.client.get(f"/{SLUG}/tham-dinh/danh-gia/{work['assessment']}/", name="unit appraisal page")
        match = re.search(rf'action="[^"]*/chi-tieu/{indicator["id"]}/"[^>]*>.*?name="version" value="(\d+)"', page.text, re.S)
        data["version"] = match.group(1) if match else "0"
        with self.client.post(f"/{SLUG}/tham-dinh/danh-gia/{work['assessment']}/chi-tieu/{indicator['id']}/",
                              name="appraisal decision", data=data, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 302:
                response.failure(f"decision answered {response.status_code}")


class Leadership(Persona):
    """Lãnh đạo: the ranking of the year and the list of rankings."""

    weight = 1

    def on_start(self):
        self.username = PLAN["leadership"]
        super().on_start()

    @task(3)
    def ranking(self):
        self.client.get(PLAN["ranking_url"], name="ranking")

    @task(1)
    def rankings(self):
        self.client.get(f"/{SLUG}/lanh-dao/xep-hang/", name="ranking list")


class PublicReader(HttpUser):
    """Người dân: the public page of published results, no login."""

    weight = 1
    wait_time = between(1, 3)

    @task
    def public(self):
        self.client.get(f"/{SLUG}/cong-khai/", name="public page")
