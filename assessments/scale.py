"""Provinces at the 2025 size, synthetic but valid, for benchmarks and load tests.

`build_scale(...)` (and `manage.py generate_scale_data`) makes provinces `scale-1`, `scale-2`, …:
about 20 sở and the rest UBND xã/phường, one criterion-level framework per unit kind (1000 points,
pillars → groups → criteria, every rule kind of `indicators.scoring`), one officer per unit and the
province's team (appraiser, lead, leadership, admin), and a 2025 period taken to the asked state:

- draft: the period is open, a quarter of the units have answered everything, most have answered
  part of it, some not started; a few typed values are refused and kept with their reason;
- submitted: every unit answered everything (with evidence where the catalogue asks for it) and
  submitted;
- final: then two rounds of appraisal (some adjustments and requests with reasons in round 1,
  explanations, some withdrawn in round 2, the rest confirmed), sign-off and final results.

Everything goes through the portal's services (tenancy, accounts, the catalogue import, periods,
`answers_save_bulk`, submission, appraisal), so the data obeys the same rules as typed data; only
the logins are made in bulk, with one password hash, because hashing the demo password once per
account would take longer than everything else (see `_accounts`).

Idempotent per arguments: the period's name records units, indicators, state and seed, so a
province that already holds this data is skipped, and one that holds other data refuses the run
before anything is made. Each province is built in its own transaction: all of it or none of it.
"""

import csv
import functools
import io
import json
import math
import multiprocessing
import random
import time
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections, transaction
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from dti_portal.audit.models import Entry
from dti_portal.accounts.models import Role, User
from dti_portal.accounts.services import member_add
from dti_portal.demo import DEMO_PASSWORD
from dti_portal.tenancy.models import Province, UnitKind
from dti_portal.tenancy.services import province_create, unit_create
from indicators.models import Framework, Indicator
from indicators.scoring import Rule, format_number
from indicators.services import framework_activate, framework_import

from . import appraisal
from .models import Answer, Assessment, Period, Review
from .services import answers_save_bulk, assessment_submit, assignment_add, evidence_add, period_open, period_save

YEAR = 2025
STATES = {"draft": "đang tự đánh giá", "submitted": "đã gửi tự đánh giá", "final": "đã chốt kết quả"}
MAX_PROVINCES, MAX_UNITS, MAX_INDICATORS = 40, 500, 500
MAX_SEED = 2**31 - 1
TOTAL_POINTS = 1000
SO_SHARE = 20  # sở per 150 units, as in a 2025 province (~20 sở, 100–150 xã/phường)


class ScaleRefused(ValueError):
    """Arguments or existing data that the generator refuses; `message` is Vietnamese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ScaleSpec:
    provinces: int
    units: int
    indicators: int  # criteria (leaves) per framework, the collected-only ones included
    state: str
    seed: int

    @property
    def period_name(self) -> str:
        """Names the data, so that a second run recognises it (idempotence)."""
        return (f"Đánh giá DTI năm {YEAR} (dữ liệu sinh tự động: {self.units} đơn vị × {self.indicators} chỉ tiêu, "
                f"{STATES[self.state]}, seed {self.seed})")


def slug_of(number: int) -> str:
    return f"scale-{number}"


def _whole(value, name: str, low: int, high: int, example: str) -> int:
    text = str(value).strip() if value is not None else ""
    if not text:
        raise ScaleRefused(f"Thiếu --{name} (ví dụ --{name} {example}).")
    try:
        number = int(text)
    except ValueError:
        raise ScaleRefused(f"--{name} phải là số nguyên, ví dụ {example} (đang là “{text}”).") from None
    if not low <= number <= high:
        raise ScaleRefused(f"--{name} phải từ {low} đến {high} (đang là {number}).")
    return number


def check_spec(provinces, units, indicators, state="final", seed=1) -> ScaleSpec:
    """The arguments as a spec, or `ScaleRefused` saying which one is wrong and why."""
    spec = ScaleSpec(
        provinces=_whole(provinces, "provinces", 1, MAX_PROVINCES, "34"),
        units=_whole(units, "units", 1, MAX_UNITS, "150"),
        indicators=_whole(indicators, "indicators", len(LEAF_KINDS), MAX_INDICATORS, "150"),
        state=str(state or "").strip(),
        seed=_whole(seed, "seed", 0, MAX_SEED, "1"),
    )
    if spec.state not in STATES:
        raise ScaleRefused(f"--state “{spec.state}” không có; dùng một trong: {', '.join(STATES)}.")
    return spec


# --- names ----------------------------------------------------------------------------------
SO_NAMES = [
    "Văn phòng UBND tỉnh", "Sở Nội vụ", "Sở Tư pháp", "Sở Tài chính", "Sở Công Thương",
    "Sở Nông nghiệp và Môi trường", "Sở Xây dựng", "Sở Khoa học và Công nghệ", "Sở Giáo dục và Đào tạo",
    "Sở Y tế", "Sở Văn hóa, Thể thao và Du lịch", "Sở Dân tộc và Tôn giáo", "Sở Ngoại vụ", "Thanh tra tỉnh",
    "Ban Quản lý các khu công nghiệp", "Văn phòng Đoàn ĐBQH và HĐND tỉnh", "Đài Phát thanh và Truyền hình tỉnh",
    "Trường Chính trị tỉnh", "Ban Quản lý Khu kinh tế", "Bộ Chỉ huy Quân sự tỉnh",
]
_PLACE_FIRST = ["An", "Bình", "Hòa", "Tân", "Phú", "Long", "Thạnh", "Phước", "Vĩnh", "Đông", "Tây", "Nam", "Bắc",
                "Hưng", "Thuận", "Quảng", "Xuân", "Trung", "Kim", "Hải", "Cẩm", "Mỹ", "Lộc", "Đức", "Gia", "Thái",
                "Sơn", "Thanh", "Nghĩa", "Hồng"]
_PLACE_SECOND = ["An", "Bình", "Hòa", "Phú", "Lợi", "Thành", "Hưng", "Thịnh", "Lộc", "Phước", "Điền", "Sơn", "Hải",
                 "Lâm", "Tiến", "Thắng", "Lập", "Đông", "Tây", "Trung", "Hiệp", "Mỹ", "Thuận", "Quang", "Yên",
                 "Khánh", "Long", "Nghĩa", "Tân", "Hà"]
_SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
             "Dương", "Lý"]
_MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Thanh", "Quốc", "Ngọc", "Đức", "Thu", "Xuân", "Hoài", "Kim"]
_GIVEN = ["An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Hạnh", "Hoa", "Hùng", "Hương", "Khánh", "Lan", "Linh", "Long",
          "Mai", "Minh", "Nam", "Nga", "Phong", "Phương", "Quang", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Việt", "Yến"]


def unit_names(units: int, rng: random.Random) -> tuple[list[str], list[str]]:
    """(sở names, xã/phường names): ~20 sở for 150 units, the rest UBND xã (4 in 5) or phường."""
    so = min(SO_SHARE, max(1, round(units * SO_SHARE / 150)))
    if units > 1:
        so = min(so, units - 1)
    places = [f"{a} {b}" for a in _PLACE_FIRST for b in _PLACE_SECOND if a != b]
    rng.shuffle(places)
    communes = [f"UBND {'phường' if rng.random() < 0.2 else 'xã'} {place}" for place in places[: units - so]]
    return SO_NAMES[:so], communes


def person_name(rng: random.Random) -> str:
    return f"{rng.choice(_SURNAMES)} {rng.choice(_MIDDLE)} {rng.choice(_GIVEN)}"


# --- the catalogues -------------------------------------------------------------------------
# Pillars (top level), their points out of 1000 and how many criteria each has relative to the
# others: sở as Đắk Nông 1552/QĐ-UBND, xã/phường as Hà Nội 5279/QĐ-UBND's eight groups (5, 3, 5, 6,
# 4, 10, 6, 8 of 47 criteria; its points are not public, these are proportional).
PILLARS = {
    "so": [("Nhận thức số", 100, 100), ("Thể chế số", 100, 100), ("Hạ tầng số", 100, 100), ("Nhân lực số", 100, 100),
           ("An toàn thông tin mạng", 150, 150), ("Hoạt động chính quyền số", 350, 350),
           ("Hoạt động xã hội số", 100, 100)],
    "xa": [("Nhận thức số", 105, 5), ("Thể chế số", 65, 3), ("Hạ tầng số", 105, 5), ("Nhân lực số", 130, 6),
           ("An toàn thông tin mạng", 85, 4), ("Hoạt động chính quyền số", 210, 10), ("Hoạt động kinh tế số", 130, 6),
           ("Hoạt động xã hội số", 170, 8)],
}
GROUPS = {
    "Nhận thức số": ["Lãnh đạo, chỉ đạo chuyển đổi số", "Tuyên truyền, phổ biến", "Kế hoạch và kiểm tra", "Sơ kết, đánh giá"],
    "Thể chế số": ["Văn bản chỉ đạo, điều hành", "Chính sách đặc thù", "Kiến trúc, quy chế dữ liệu", "Quy chế nội bộ"],
    "Hạ tầng số": ["Mạng, đường truyền", "Thiết bị đầu cuối", "Nền tảng dùng chung", "Điện toán đám mây"],
    "Nhân lực số": ["Cán bộ chuyên trách", "Đào tạo, tập huấn", "Kỹ năng số", "Tổ công nghệ số cộng đồng"],
    "An toàn thông tin mạng": ["Bảo đảm an toàn hệ thống thông tin theo cấp độ", "Giám sát, ứng cứu sự cố",
                               "Diễn tập, kiểm tra", "Bảo vệ dữ liệu cá nhân"],
    "Hoạt động chính quyền số": ["Dịch vụ công trực tuyến", "Quản lý văn bản và điều hành", "Dữ liệu số",
                                 "Báo cáo, họp trực tuyến"],
    "Hoạt động kinh tế số": ["Thương mại điện tử", "Thanh toán không dùng tiền mặt", "Doanh nghiệp số",
                             "Hộ kinh doanh trên sàn thương mại điện tử"],
    "Hoạt động xã hội số": ["Danh tính số", "Tài khoản số của người dân", "Y tế, giáo dục số", "Kỹ năng số cho người dân"],
}

# Leaf kinds: every rule of the engine. The first of
# each kind appears at least once; the rest are drawn with these weights.
LEAF_KINDS = {
    "yes_no": 22, "ratio": 15, "checklist": 10, "count": 9, "choice": 9, "ratio_target": 8, "steps": 8,
    "ratio_steps": 7, "manual": 7, "collected": 5,
}
_CHAIR = ["Thủ trưởng đơn vị chủ trì", "Cấp phó chủ trì", "Không tổ chức"]
_DONE = ["Đầy đủ, đúng hạn", "Một phần hoặc chậm", "Chưa thực hiện"]
NAMES = {
    "yes_no": [
        "Ban hành kế hoạch chuyển đổi số năm 2025 của đơn vị", "Có chuyên mục chuyển đổi số trên trang thông tin điện tử",
        "Ban hành quy chế quản lý, vận hành, sử dụng hệ thống thông tin", "Phân công lãnh đạo phụ trách chuyển đổi số",
        "Kết nối mạng truyền số liệu chuyên dùng", "Triển khai giám sát an toàn thông tin với Trung tâm giám sát của tỉnh",
        "Phê duyệt hồ sơ đề xuất cấp độ an toàn hệ thống thông tin", "Ban hành danh mục dữ liệu mở của đơn vị",
        "Có phương án ứng cứu sự cố an toàn thông tin mạng", "Triển khai hệ thống họp trực tuyến đến cấp cơ sở",
        "Sử dụng chữ ký số chuyên dùng trên văn bản điện tử", "Cập nhật dữ liệu lên Hệ thống thông tin báo cáo của tỉnh",
    ],
    "choice": [
        ("Người chủ trì hội nghị triển khai chuyển đổi số", _CHAIR),
        ("Mức độ cập nhật cơ sở dữ liệu chuyên ngành", _DONE),
        ("Người chủ trì buổi làm việc về an toàn thông tin mạng", _CHAIR),
        ("Mức độ hoàn thành kế hoạch chuyển đổi số năm", _DONE),
    ],
    "checklist": [
        ("Các hình thức tuyên truyền về chuyển đổi số",
         ["Tin, bài trên trang thông tin điện tử", "Pa-nô, áp phích", "Mạng xã hội của đơn vị", "Hội nghị, tọa đàm"]),
        ("Các biện pháp bảo đảm an toàn thông tin đã triển khai",
         ["Tường lửa", "Phòng chống mã độc tập trung", "Sao lưu dữ liệu định kỳ", "Giám sát tập trung"]),
        ("Các chức năng của hệ thống quản lý văn bản được sử dụng",
         ["Ký số", "Liên thông văn bản", "Lưu trữ điện tử", "Theo dõi nhiệm vụ"]),
        ("Các nền tảng số dùng chung được khai thác",
         ["Nền tảng tích hợp, chia sẻ dữ liệu", "Thư điện tử công vụ", "Nền tảng họp trực tuyến", "Định danh điện tử"]),
    ],
    "steps": [
        "Số cuộc họp chuyên đề về chuyển đổi số do lãnh đạo chủ trì", "Số lớp tập huấn kỹ năng số tổ chức trong năm",
        "Số lần kiểm tra, đánh giá an toàn thông tin trong năm", "Số đợt diễn tập ứng cứu sự cố",
    ],
    "ratio_steps": [
        "Tỷ lệ hồ sơ thủ tục hành chính được số hóa kết quả",
        "Tỷ lệ dịch vụ công trực tuyến toàn trình có phát sinh hồ sơ",
        "Tỷ lệ người dân trưởng thành có danh tính điện tử mức 2", "Tỷ lệ hộ gia đình có cáp quang",
    ],
    "count": [
        "Số lượng tin, bài về chuyển đổi số đăng trên trang thông tin điện tử",
        "Số lượng cơ sở dữ liệu chuyên ngành được cập nhật", "Số lượng cán bộ được cấp chứng chỉ an toàn thông tin",
        "Số lượng hộ kinh doanh đưa sản phẩm lên sàn thương mại điện tử", "Số lượng nội dung số được chia sẻ trên nền tảng",
    ],
    "ratio": [
        "Tỷ lệ văn bản đi được ký số", "Tỷ lệ hồ sơ công việc được xử lý trên môi trường mạng",
        "Tỷ lệ cán bộ, công chức được cấp chữ ký số", "Tỷ lệ hồ sơ thủ tục hành chính giải quyết đúng hạn",
        "Tỷ lệ máy tính được cài phần mềm phòng chống mã độc tập trung", "Tỷ lệ cán bộ, công chức được tập huấn kỹ năng số",
        "Tỷ lệ báo cáo định kỳ gửi qua Hệ thống thông tin báo cáo", "Tỷ lệ cuộc họp được tổ chức trực tuyến",
    ],
    "ratio_target": [
        ("Tỷ lệ hồ sơ trực tuyến toàn trình trên tổng số hồ sơ (mục tiêu 80 %)", "0.8"),
        ("Tỷ lệ giao dịch thanh toán không dùng tiền mặt (mục tiêu 50 %)", "0.5"),
        ("Tỷ lệ dân số trưởng thành có điện thoại thông minh (mục tiêu 85 %)", "0.85"),
        ("Tỷ lệ hồ sơ nộp phí, lệ phí trực tuyến (mục tiêu 30 %)", "0.3"),
    ],
    "manual": [
        "Mức độ hoàn thành các nhiệm vụ chuyển đổi số được giao trong năm", "Chất lượng vận hành trang thông tin điện tử",
        "Hiệu quả khai thác dữ liệu phục vụ chỉ đạo, điều hành", "Sáng kiến, mô hình chuyển đổi số tiêu biểu",
    ],
    "collected": [
        "Tổng số cán bộ, công chức, viên chức của đơn vị", "Kinh phí chi cho chuyển đổi số trong năm (triệu đồng)",
        "Số máy tính đang sử dụng", "Số thủ tục hành chính thuộc thẩm quyền giải quyết",
    ],
}
_QUALIFIERS = ["khối văn phòng", "đơn vị trực thuộc", "bộ phận một cửa", "lĩnh vực chuyên ngành", "cấp cơ sở",
               "sáu tháng cuối năm", "sáu tháng đầu năm"]
EVIDENCE_TEXT = "Văn bản ban hành (bản chụp có chữ ký, đóng dấu)"
PERCENT_STEPS = [30, 50, 70, 90]


@dataclass
class Leaf:
    """A criterion of a generated framework, with what is needed to answer it realistically."""

    code: str
    kind: str
    name: str
    max_points: int
    rule: str
    params: dict
    evidence: bool = False
    labels: list[str] = field(default_factory=list)  # choice options or checklist items


def _split(total: int, weights: list[float], minimum: int = 1) -> list[int]:
    """Whole numbers ≥ `minimum` adding up to `total`, in proportion to `weights` (largest remainder)."""
    rest = total - minimum * len(weights)
    shares = [rest * w / sum(weights) for w in weights]
    parts = [math.floor(s) for s in shares]
    for i in sorted(range(len(shares)), key=lambda i: parts[i] - shares[i])[: rest - sum(parts)]:
        parts[i] += 1
    return [p + minimum for p in parts]


def _points(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _params(kind: str, max_points: int, rng: random.Random, extra) -> tuple[str, dict, list[str]]:
    """Rule, params and labels for a leaf of this kind with this max (a whole number ≥ 1), in the
    shapes real catalogues use: ½ max for a deputy, meetings by steps, ratios a/b, a target ratio."""
    top = Decimal(max_points)
    if kind == "choice":
        labels = extra
        return Rule.CHOICE, {"options": [{"label": labels[0], "fraction": 1}, {"label": labels[1], "fraction": 0.5},
                                         {"label": labels[2], "points": 0}]}, labels
    if kind == "checklist":
        labels = extra[: min(len(extra), max_points)]
        points = _split(max_points, [1] * len(labels))
        return Rule.CHECKLIST, {"items": [{"label": label, "points": p} for label, p in zip(labels, points, strict=True)]}, labels
    if kind in ("steps", "ratio_steps"):
        minimums = PERCENT_STEPS if kind == "ratio_steps" else [1, 2, 3, 4]
        steps = [{"min": m, "points": _points((top * (n + 1) / len(minimums)).quantize(Decimal("0.01")))}
                 for n, m in enumerate(minimums)]
        steps[-1]["points"] = max_points
        if kind == "steps":
            return Rule.STEPS, {"steps": steps}, []
        # thresholds on a / b written as decisions write them: top-down, in percentages ("90 %")
        return Rule.RATIO_STEPS, {"steps": [s | {"min": f"{s['min']} %"} for s in reversed(steps)]}, []
    if kind == "count":
        return Rule.COUNT, {"per_item": _points((top / rng.choice([4, 5, 10])).quantize(Decimal("0.01")))}, []
    if kind == "ratio":
        return Rule.RATIO, ({"b_zero": "full"} if rng.random() < 0.25 else {}), []
    if kind == "ratio_target":
        return Rule.RATIO_TARGET, {"target": extra}, []
    return {"yes_no": Rule.YES_NO, "manual": Rule.MANUAL, "collected": Rule.COLLECTED}[kind], {}, []


def catalogue(kind_code: str, indicators: int, rng: random.Random) -> tuple[list[dict], list[Leaf]]:
    """The rows of a criterion-level catalogue (pillars → groups → criteria, 1000 points) with
    `indicators` criteria, every leaf kind at least once, and its leaves as `Leaf`s."""
    pillars = PILLARS[kind_code]
    counts = _split(indicators, [w for _, _, w in pillars])
    kinds = list(LEAF_KINDS)
    kinds += rng.choices(kinds, weights=list(LEAF_KINDS.values()), k=indicators - len(kinds))
    rng.shuffle(kinds)
    # A group needs a scored criterion: collected ones go only where another criterion is scored.
    kinds.sort(key=lambda k: k == "collected")
    slots = []  # (pillar, group, n) for every leaf, pillar by pillar
    for p, ((pillar, _, _), count) in enumerate(zip(pillars, counts, strict=True)):
        groups = min(4, max(1, (count + 4) // 5))
        for g, size in enumerate(_split(count, [1] * groups)):
            slots += [(p, g, n) for n in range(size)]
    assigned = _assign(kinds, slots)
    used: dict[str, int] = {}
    rows, leaves = [], []
    for p, ((pillar, pillar_points, _), count) in enumerate(zip(pillars, counts, strict=True)):
        rows.append({"code": str(p + 1), "parent_code": "", "name": pillar, "max_points": pillar_points, "rule": "sum", "params": ""})
        mine = [(s, k) for s, k in zip(slots, assigned, strict=True) if s[0] == p]
        scored = [(s, k) for s, k in mine if k != "collected"]
        points = dict(zip([s for s, _ in scored], _split(pillar_points, [rng.choice([1, 1, 2, 2, 3]) for _ in scored]), strict=True))
        for g in sorted({s[1] for s, _ in mine}):
            group_code = f"{p + 1}.{g + 1}"
            group_points = sum(points.get(s, 0) for s, _ in mine if s[1] == g)
            rows.append({"code": group_code, "parent_code": str(p + 1), "name": GROUPS[pillar][g],
                         "max_points": group_points, "rule": "sum", "params": ""})
            for n, (slot, kind) in enumerate([(s, k) for s, k in mine if s[1] == g], start=1):
                leaf = _leaf(f"{group_code}.{n}", kind, points.get(slot, 0), rng, used)
                leaves.append(leaf)
                rows.append({"code": leaf.code, "parent_code": group_code, "name": leaf.name, "max_points": leaf.max_points,
                             "rule": leaf.rule, "params": leaf.params, "leaf": leaf,
                             "guidance": "Tính theo số liệu đến hết ngày 30/11 của năm đánh giá.",
                             "data_source": "Báo cáo của đơn vị; Hệ thống thông tin báo cáo của tỉnh",
                             "verifying_agency": "Sở Khoa học và Công nghệ"})
    _require_evidence(leaves, rng)
    for row in rows:
        if "leaf" in row:
            row["evidence_required"] = EVIDENCE_TEXT if row.pop("leaf").evidence else ""
    return rows, leaves


def _assign(kinds: list[str], slots: list[tuple]) -> list[str]:
    """Kinds for slots, with no group made only of collected criteria. `kinds` ends with the
    collected ones; each takes the place of a scored criterion in a group that has another."""
    collected = kinds.count("collected")
    assigned = [k for k in kinds if k != "collected"]
    groups: dict[tuple, list[int]] = {}
    for i, slot in enumerate(slots):
        groups.setdefault(slot[:2], []).append(i)
    # Insert collected criteria at the end of groups with room, largest groups first.
    room = sorted((g for g in groups.values() if len(g) >= 2), key=len, reverse=True)
    targets = []
    for members in room:
        targets += members[1:]
    targets = sorted(targets[:collected])
    result, scored = [], iter(assigned)
    for i in range(len(slots)):
        result.append("collected" if i in targets else next(scored, None))
    # Fewer slots with room than collected criteria (tiny catalogues): the extra become scored ones.
    return [k if k is not None else "yes_no" for k in result]


def _leaf(code: str, kind: str, max_points: int, rng: random.Random, used: dict[str, int]) -> Leaf:
    pool = NAMES[kind]
    n = used.get(kind, 0)
    used[kind] = n + 1
    entry = pool[n % len(pool)]
    name, extra = entry if isinstance(entry, tuple) else (entry, None)
    if n >= len(pool):
        name = f"{name} ({_QUALIFIERS[(n // len(pool) - 1) % len(_QUALIFIERS)]})"
    if kind == "collected":
        return Leaf(code=code, kind=kind, name=name, max_points=0, rule=Rule.COLLECTED, params={})
    rule, params, labels = _params(kind, max_points, rng, extra)
    return Leaf(code=code, kind=kind, name=name, max_points=max_points, rule=rule, params=params, labels=labels)


def _require_evidence(leaves: list[Leaf], rng: random.Random) -> None:
    """A document for about one criterion in 75 (at least one), yes/no criteria first: enough to
    exercise evidence on every page without 765 000 files."""
    wanted = max(1, len(leaves) // 75)
    candidates = [leaf for leaf in leaves if leaf.kind == "yes_no"] or [leaf for leaf in leaves if leaf.kind != "collected"]
    for leaf in rng.sample(candidates, min(wanted, len(candidates))):
        leaf.evidence = True


def catalogue_csv(rows: list[dict]) -> bytes:
    """The rows as the catalogue import reads them (UTF-8 CSV, params as JSON)."""
    out = io.StringIO()
    columns = ["code", "parent_code", "name", "max_points", "rule", "params", "guidance", "evidence_required",
               "data_source", "verifying_agency"]
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow(row | {"params": json.dumps(row["params"], ensure_ascii=False) if row.get("params") else ""})
    return out.getvalue().encode("utf-8")


# --- answers --------------------------------------------------------------------------------
NOTES = ["", "", "", "", "", "Số liệu đến 30/11", "Theo Hệ thống thông tin giải quyết TTHC của tỉnh",
         "Số liệu theo báo cáo quý IV", "Đã cập nhật trên hệ thống báo cáo"]


def _clamp(value: float, low: float = 0.0, high: float = 1.0) -> float:
    return max(low, min(high, value))


def answer_inputs(leaf: Leaf, quality: float, rng: random.Random, *, refused: bool = False) -> dict:
    """What an officer of a unit of this `quality` (0–1) would type, as the form sends it (text).
    `refused`: a value the engine refuses, as people do type (kept with its reason)."""
    kind, top = leaf.kind, leaf.max_points
    if refused:
        return {
            "yes_no": {"value": "đang triển khai"}, "choice": {"option": "Khác"}, "checklist": {"ticked": ["Khác"]},
            "steps": {"value": "khoảng 3"}, "ratio_steps": {"a": "105", "b": "100"}, "count": {"count": "12,5"},
            "ratio": {"a": "130", "b": "120"}, "ratio_target": {"a": "45", "b": "0"}, "manual": {"points": str(top + 5)},
        }.get(kind, {"value": ""})
    if kind == "yes_no":
        return {"value": "có" if rng.random() < 0.35 + 0.65 * quality else "không"}
    if kind == "choice":
        r = rng.random()
        return {"option": leaf.labels[0] if r < quality else leaf.labels[1] if r < quality + (1 - quality) * 0.7 else leaf.labels[2]}
    if kind == "checklist":
        return {"ticked": [label for label in leaf.labels if rng.random() < quality + 0.05]}
    if kind == "steps":
        return {"value": str(max(0, min(6, round(rng.gauss(quality * 4.5, 1)))))}
    if kind == "ratio_steps":
        b = rng.randint(20, 3000)
        return {"a": str(round(b * _clamp(rng.gauss(quality, 0.12)))), "b": str(b)}
    if kind == "count":
        needed = math.ceil(Decimal(top) / Decimal(leaf.params["per_item"]))
        return {"count": str(max(0, round(rng.gauss(quality * needed * 1.1, needed * 0.25))))}
    if kind == "ratio":
        b = rng.randint(20, 3000)
        return {"a": str(round(b * _clamp(rng.gauss(quality, 0.08)))), "b": str(b)}
    if kind == "ratio_target":
        target = float(leaf.params["target"])
        b = rng.randint(50, 5000)
        return {"a": str(round(b * _clamp(rng.gauss(quality * target * 1.05, target * 0.15)))), "b": str(b)}
    if kind == "manual":
        points = (Decimal(top) * Decimal(_clamp(rng.gauss(quality, 0.1)))).quantize(Decimal("0.25"))
        return {"points": format_number(points)}
    return {"value": str(rng.randint(12, 4000))}


# --- building -------------------------------------------------------------------------------
@dataclass
class Made:
    slug: str
    units: int
    answers: int
    reviews: int
    events: int
    seconds: float


@functools.cache
def _password_hash() -> str:
    """One hash of the demo password for every generated login (see `_accounts`)."""
    return make_password(DEMO_PASSWORD)


def _accounts(province: Province, so: list, communes: list, rng: random.Random) -> dict:
    """The province's team and one officer per unit (`scale-1.u001`…), all with the demo password.

    Roles go through `member_add`; the logins themselves are inserted in bulk with one shared hash
    of the demo password, because hashing it per login (PBKDF2, ~0.3 s each) would cost about half
    an hour for 5 100 officers."""
    prefix = province.slug
    team = {"quantri": Role.PROVINCE_ADMIN, "thamdinh": Role.APPRAISER, "totruong": Role.APPRAISAL_LEAD,
            "lanhdao": Role.LEADERSHIP}
    units = so + communes
    wanted = {f"{prefix}.{name}": (role, None) for name, role in team.items()}
    wanted |= {f"{prefix}.u{n:03d}": (Role.UNIT_OFFICER, unit) for n, unit in enumerate(units, start=1)}
    existing = set(User.objects.filter(username__in=list(wanted)).values_list("username", flat=True))
    User.objects.bulk_create(
        [User(username=name, full_name=person_name(rng), password=_password_hash()) for name in wanted if name not in existing],
        batch_size=1000,
    )
    for username, (role, unit) in wanted.items():
        member_add(province=province, username=username, role=role, unit=unit, invite=False)  # the platform acting
    users = {u.username: u for u in User.objects.filter(username__in=list(wanted))}
    return {
        "team": {name: users[f"{prefix}.{name}"] for name in team},
        "officers": {unit.pk: users[f"{prefix}.u{n:03d}"] for n, unit in enumerate(units, start=1)},
    }


_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def _build_province(spec: ScaleSpec, number: int) -> Made:
    started = time.perf_counter()
    rng = random.Random(f"{spec.seed}-{number}")
    slug = slug_of(number)
    with transaction.atomic():
        with scopes_disabled():
            province = province_create(actor=None, slug=slug, name=f"Tỉnh mẫu quy mô số {number}",
                                       coordinating_agency="Sở Khoa học và Công nghệ")
        with scope(province=province):
            kinds = {k.code: k for k in UnitKind.objects.filter(province=province)}
            so_names, commune_names = unit_names(spec.units, rng)
            so = [unit_create(actor=None, province=province, kind=kinds["so"], name=name) for name in so_names]
            communes = [unit_create(actor=None, province=province, kind=kinds["xa"], name=name) for name in commune_names]
            people = _accounts(province, so, communes, rng)
            frameworks, leaves = {}, {}
            for code, units in (("so", so), ("xa", communes)):
                if units:
                    frameworks[code], leaves[code] = _framework(province, kinds[code], spec.indicators, rng)
            period = _period(province, spec, frameworks, kinds, people["team"])
            assessments = list(Assessment.objects.filter(period=period).select_related("unit__kind", "framework", "period")
                               .order_by("unit__kind__order", "unit__name"))
            _self_assessment(spec, assessments, leaves, people["officers"], rng)
            if spec.state == "final":
                _appraisal(period, assessments, leaves, people, rng)
            made = Made(
                slug=slug, units=len(so) + len(communes),
                answers=Answer.objects.filter(assessment__period=period).count(),
                reviews=Review.objects.filter(answer__assessment__period=period).count(),
                events=Entry.objects.filter(period=period).count(), seconds=0.0,
            )
    made.seconds = time.perf_counter() - started
    return made


def _framework(province: Province, kind: UnitKind, indicators: int, rng: random.Random) -> tuple[Framework, dict]:
    """A criterion-level catalogue imported through the catalogue import, then activated."""
    rows, leaves = catalogue(kind.code, indicators, rng)
    audience = "các sở, ban, ngành" if kind.code == "so" else "UBND xã, phường"
    report = framework_import(
        actor=None, province=province, filename=f"bo-chi-so-{kind.code}.csv", content=catalogue_csv(rows),
        meta={"name": f"Bộ chỉ số đánh giá chuyển đổi số {audience} năm {YEAR} (mẫu quy mô)", "year": str(YEAR),
              "unit_kind": kind.code, "decision_number": f"{rng.randint(100, 3999)}/QĐ-UBND",
              "decision_date": f"{rng.randint(1, 28):02d}/03/{YEAR}", "issuer": f"UBND {province.name.lower()}",
              "bands": "Tốt:800|Khá:650|Trung bình:500|Yếu:0"},
    )
    if not report.saved:
        raise RuntimeError("; ".join(str(p) for p in report.problems))  # a bug of this generator, never of the user
    framework = framework_activate(actor=None, framework=report.framework)
    by_code = {i.code: i for i in Indicator.objects.filter(framework=framework)}
    return framework, {by_code[leaf.code]: leaf for leaf in leaves}


def _period(province, spec: ScaleSpec, frameworks: dict, kinds: dict, team: dict) -> Period:
    today = timezone.localdate()
    period = Period(
        province=province, year=YEAR, name=spec.period_name, lead=team["totruong"],
        self_assessment_start=today - timedelta(days=40), self_assessment_end=today + timedelta(days=5),
        round1_end=today + timedelta(days=20), explanation_end=today + timedelta(days=30),
        round2_end=today + timedelta(days=40), publication_date=today + timedelta(days=50),
    )
    period_save(period=period, frameworks={kinds[code]: fw for code, fw in frameworks.items()}, actor=team["quantri"])
    period_open(period=period, actor=team["quantri"])
    return period


def _self_assessment(spec: ScaleSpec, assessments: list, leaves: dict, officers: dict, rng: random.Random) -> None:
    """Answers (in bulk, through the engine), evidence where asked, and submission."""
    for assessment in assessments:
        mine = leaves[assessment.unit.kind.code]
        quality = _clamp(rng.betavariate(6, 2), 0.35, 0.99)
        order = list(mine)
        mistake = None  # a unit still typing has usually left one value the engine refuses
        if spec.state == "draft":
            r = rng.random()
            share = 1.0 if r < 0.25 else (0.0 if r > 0.85 else rng.uniform(0.2, 0.95))
            order = order[: round(len(order) * share)]
            scored = [i for i in order if mine[i].kind != "collected"]
            if 0 < share < 1 and scored:
                mistake = rng.choice(scored)
        officer = officers[assessment.unit_id]
        values = {}
        for indicator in order:
            leaf = mine[indicator]
            refused = indicator == mistake or (spec.state == "draft" and leaf.kind != "collected" and rng.random() < 0.01)
            values[indicator] = (answer_inputs(leaf, quality, rng, refused=refused), rng.choice(NOTES))
        if not values:
            continue
        saved = answers_save_bulk(assessment=assessment, values=values, actor=officer)
        for answer in saved:
            leaf = mine[answer.indicator]
            if leaf.evidence and answer.self_score and (spec.state != "draft" or rng.random() < 0.7):
                upload = SimpleUploadedFile("quyet-dinh-ban-hanh.pdf", _PDF, content_type="application/pdf")
                evidence_add(assessment=assessment, indicator=answer.indicator, upload=upload, actor=officer)
        if spec.state != "draft":
            assessment_submit(assessment=assessment, actor=officer)


ADJUST_REASONS = [
    "Tài liệu kiểm chứng chưa thể hiện đủ số liệu đã kê khai",
    "Số liệu không khớp với Hệ thống thông tin giải quyết TTHC của tỉnh",
    "Văn bản ban hành sau thời điểm tính điểm (30/11)",
    "Chỉ có minh chứng cho một phần nội dung của chỉ tiêu",
    "Tính lại theo số liệu trên Hệ thống thông tin báo cáo của tỉnh",
]
REQUEST_REASON = "Đề nghị bổ sung văn bản, ảnh chụp màn hình chứng minh số liệu đã kê khai"
EXPLANATIONS = [
    "Đơn vị đã bổ sung biên bản và báo cáo kèm theo.",
    "Số liệu lấy theo báo cáo chốt ngày 30/11; đề nghị Tổ thẩm định xem xét lại.",
    "Đơn vị thống nhất với kết quả thẩm định.",
]


def _appraisal(period: Period, assessments: list, leaves: dict, people: dict, rng: random.Random) -> None:
    """Two rounds: the appraiser (assigned every pillar) adjusts or queries a few criteria of
    some units with reasons and confirms the rest; queried units explain; in round 2 some
    adjustments are withdrawn, the rest confirmed; the appraiser signs and the lead finalises."""
    team, officers = people["team"], people["officers"]
    appraiser, lead = team["thamdinh"], team["totruong"]
    for framework in {a.framework_id: a.framework for a in assessments}.values():
        for pillar in Indicator.objects.filter(framework=framework, parent__isnull=True):
            assignment_add(period=period, appraiser=appraiser, unit=None, group=pillar, actor=team["quantri"])
    appraisal.round1_start(period=period, actor=lead)
    queried: dict[int, list] = {}
    indicators = {i.pk: i for mine in leaves.values() for i in mine}
    answers = {}
    for answer in Answer.objects.filter(assessment__period=period).only("pk", "assessment_id", "indicator_id", "inputs", "self_score"):
        answer.indicator = indicators[answer.indicator_id]
        answers.setdefault(answer.assessment_id, []).append(answer)
    for assessment in assessments:
        mine = leaves[assessment.unit.kind.code]
        scored = [a for a in answers.get(assessment.pk, []) if mine[a.indicator].kind != "collected" and a.self_score]
        picked = []
        if scored and rng.random() < 0.45:
            for answer in rng.sample(scored, min(len(scored), rng.randint(1, 3))):
                _adjust(assessment, answer, mine[answer.indicator], appraiser, rng)
                picked.append((answer, "adjust"))
        if scored and rng.random() < 0.1:
            answer = rng.choice([a for a in scored if a not in [p for p, _ in picked]] or scored)
            if answer not in [p for p, _ in picked]:
                appraisal.review_save(assessment=assessment, indicator=answer.indicator, round=1, decision="request",
                                      reviewer=appraiser, reason=REQUEST_REASON)
                picked.append((answer, "request"))
        appraisal.confirm_all(assessment=assessment, round=1, reviewer=appraiser)
        if picked:
            queried[assessment.pk] = picked
    appraisal.round1_close(period=period, actor=lead)
    for assessment in assessments:
        for answer, _ in queried.get(assessment.pk, []):
            appraisal.explanation_save(assessment=assessment, indicator=answer.indicator, actor=officers[assessment.unit_id],
                                       text=rng.choice(EXPLANATIONS))
        if assessment.pk in queried:
            appraisal.explanation_submit(assessment=assessment, actor=officers[assessment.unit_id])
    if queried:
        appraisal.round2_start(period=period, actor=lead)
    for assessment in assessments:
        for answer, decision in queried.get(assessment.pk, []):
            if decision == "adjust" and rng.random() < 0.3:
                appraisal.review_save(assessment=assessment, indicator=answer.indicator, round=2, decision="withdraw",
                                      reviewer=appraiser, reason="Đơn vị đã giải trình và bổ sung tài liệu hợp lệ")
            elif decision == "request" and rng.random() < 0.5:
                appraisal.review_save(assessment=assessment, indicator=answer.indicator, round=2, decision="adjust",
                                      reviewer=appraiser, points=format_number((answer.self_score / 2).quantize(Decimal("0.01"))),
                                      reason="Đơn vị không bổ sung được tài liệu kiểm chứng")
        appraisal.confirm_all(assessment=assessment, round=2, reviewer=appraiser)
        appraisal.sign_off(assessment=assessment, appraiser=appraiser)
        appraisal.finalise(assessment=assessment, actor=lead)


def _adjust(assessment, answer: Answer, leaf: Leaf, appraiser, rng: random.Random) -> None:
    """A round-1 adjustment with its reason: ratios recomputed from the numerator the appraiser
    found, other criteria by points."""
    reason = rng.choice(ADJUST_REASONS)
    if leaf.kind in ("ratio", "ratio_steps") and int(answer.inputs["a"]) > 0:
        a = int(answer.inputs["a"])
        inputs = {"a": str(rng.randint(a // 2, max(a // 2, a - 1))), "b": answer.inputs["b"]}
        appraisal.review_save(assessment=assessment, indicator=answer.indicator, round=1, decision="adjust",
                              reviewer=appraiser, inputs=inputs, reason=reason)
        return
    points = (answer.self_score * Decimal(rng.choice(["0", "0.5", "0.75"]))).quantize(Decimal("0.01"))
    appraisal.review_save(assessment=assessment, indicator=answer.indicator, round=1, decision="adjust",
                          reviewer=appraiser, points=format_number(points), reason=reason)


# --- the entry point ------------------------------------------------------------------------
def existing(spec: ScaleSpec) -> tuple[list[int], list[str]]:
    """(numbers of provinces that already hold this data, refusals for those holding other data)."""
    done, conflicts = [], []
    with scopes_disabled():
        provinces = {p.slug: p for p in Province.objects.filter(slug__in=[slug_of(n) for n in range(1, spec.provinces + 1)])}
    for number in range(1, spec.provinces + 1):
        province = provinces.get(slug_of(number))
        if province is None:
            continue
        with scope(province=province):
            names = list(Period.objects.filter(province=province).values_list("name", flat=True))
        if spec.period_name in names:
            done.append(number)
        else:
            held = "; ".join(names) or "không có kỳ đánh giá nào"
            conflicts.append(f"{province.slug} đã có dữ liệu khác ({held})")
    return done, conflicts


def build_scale(provinces: int, units: int, indicators: int, state: str = "final", seed: int = 1,
                stdout=None, workers: int = 1) -> list[Province]:
    """Make provinces scale-1 … scale-N as the module says; skip those that already hold exactly
    this data. Returns the N provinces (made now or already there). `ScaleRefused` for bad
    arguments or for a province holding other data, before anything is made. `workers` > 1 builds
    provinces in that many processes (PostgreSQL only, outside any transaction)."""
    spec = check_spec(provinces, units, indicators, state, seed)
    if workers > 1 and (connection.vendor != "postgresql" or connection.in_atomic_block):
        raise ScaleRefused("Chỉ chạy nhiều tiến trình trên PostgreSQL và ngoài một giao dịch (SQLite chỉ cho một tiến trình ghi).")
    done, conflicts = existing(spec)
    if conflicts:
        raise ScaleRefused(
            "Không sinh dữ liệu: " + "; ".join(conflicts) + ". Chạy lại với đúng các tham số đã dùng cho các tỉnh đó, "
            "hoặc chọn số tỉnh nhỏ hơn."
        )
    todo = [n for n in range(1, spec.provinces + 1) if n not in done]

    def say(text: str) -> None:
        if stdout is not None:
            stdout.write(text)

    started = time.perf_counter()
    if done:
        say(f"Đã có sẵn (bỏ qua): {', '.join(slug_of(n) for n in done)}.")
    made: list[Made] = []
    if todo:
        say(f"Sinh {len(todo)} tỉnh × {spec.units} đơn vị × {spec.indicators} chỉ tiêu, trạng thái "
            f"“{STATES[spec.state]}”, seed {spec.seed}" + (f", {workers} tiến trình" if workers > 1 else "") + " …")
        for result in _run(spec, todo, workers):
            made.append(result)
            say(f"  {result.slug}: {result.units} đơn vị, {_n(result.answers)} câu trả lời, {_n(result.reviews)} quyết định "
                f"thẩm định, {_n(result.events)} sự kiện — {format_number(Decimal(result.seconds), 1)} s")
    if made and connection.vendor == "postgresql":
        # Hundreds of thousands of rows just written: without fresh statistics the planner guesses,
        # and a page on them costs up to 2.6× what it does once autovacuum has analysed the tables.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    seconds = time.perf_counter() - started
    if made:
        say(f"Xong: {len(made)} tỉnh mới, {_n(sum(m.units for m in made))} đơn vị, {_n(sum(m.answers for m in made))} câu "
            f"trả lời, {_n(sum(m.reviews for m in made))} quyết định thẩm định, {_n(sum(m.events for m in made))} sự kiện "
            f"trong {_duration(seconds)}.")
    else:
        say(f"Không tạo gì mới: {spec.provinces} tỉnh đã có đúng dữ liệu này ({_duration(seconds)}).")
    with scopes_disabled():
        found = {p.slug: p for p in Province.objects.filter(slug__in=[slug_of(n) for n in range(1, spec.provinces + 1)])}
    return [found[slug_of(n)] for n in range(1, spec.provinces + 1)]


def _run(spec: ScaleSpec, numbers: list[int], workers: int):
    if workers <= 1 or len(numbers) == 1:
        for number in numbers:
            yield _build_province(spec, number)
        return
    _password_hash()  # once, before the fork, for every worker
    connections.close_all()  # a forked child must open its own connection
    context = multiprocessing.get_context("fork")
    with context.Pool(processes=min(workers, len(numbers))) as pool:
        yield from pool.imap_unordered(functools.partial(_build_in_worker, spec), numbers)


def _build_in_worker(spec: ScaleSpec, number: int) -> Made:
    try:
        return _build_province(spec, number)
    finally:
        connections.close_all()


def default_workers(provinces: int) -> int:
    """Two processes on PostgreSQL (this machine has two cores) when not inside a transaction;
    one on SQLite, which allows a single writer."""
    if connection.vendor != "postgresql" or connection.in_atomic_block or provinces < 2:
        return 1
    return min(provinces, max(1, multiprocessing.cpu_count()))


def _n(value: int) -> str:
    return format_number(value, 0)


def _duration(seconds: float) -> str:
    minutes, rest = divmod(seconds, 60)
    text = f"{format_number(Decimal(seconds), 1)} s"
    return f"{int(minutes)} phút {int(rest)} giây ({text})" if minutes else text
