"""Stored totals of assessments: THE place they are computed.

An assessment's totals (`self_total`, `standing_total`, `final_total`, `final_parts`,
`answered_count`) and its decision counts (`decided_round1`, `decided_round2`) are computed here
from its answers and reviews and stored on the row, so that the period page, the appraisal board
and the rankings read one row per unit and never touch the answers. Every service that changes a self-score, a review or the status that decides which scores
count (answer_save, review_save, finalise, reopen, imports and bulk saves) ends with
`refresh_totals([...])` inside its transaction.

`refresh_totals` makes the same number of queries whatever the number of assessments: the
assessments, the indicators of their frameworks, their answers, their reviews (four reads), then
one bulk update of the rows whose totals changed (none when nothing changed).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from indicators.totals import grand_total, part_key, roll_up

# Plain strings, so that the data migration can use this module with historical models.
FINAL_STATUSES = ("final", "published")
NOT_ANSWERED_RULES = ("sum", "collected")  # leaves nobody answers: a sum without children, collected data
ADJUST, WITHDRAW = "adjust", "withdraw"
FIELDS = ["self_total", "standing_total", "final_total", "final_parts", "answered_count", "decided_round1", "decided_round2"]


def standing(self_score: Decimal | None, reviews: dict, upto_round: int = 2) -> Decimal | None:
    """The score after `upto_round`: the last adjustment stands; a withdrawal returns to the self-score.

    `reviews` maps a round to anything with `decision` and `score` (a Review, or a row of values()).
    """
    current = self_score
    for rnd in range(1, upto_round + 1):
        review = reviews.get(rnd)
        if review is None:
            continue
        if review.decision == ADJUST:
            current = review.score
        elif review.decision == WITHDRAW:
            current = self_score
    return current


@dataclass(frozen=True)
class _Review:
    decision: str
    score: Decimal


class Shape:
    """A framework's tree as the roll-up needs it: codes, parents, leaves and top-level parts."""

    def __init__(self, indicators: Iterable[dict]):
        rows = sorted(indicators, key=lambda i: (i["position"], i["pk"]))
        code_of = {i["pk"]: i["code"] for i in rows}
        self.parent_of = {i["code"]: code_of.get(i["parent_id"], "") for i in rows}
        with_children = {i["parent_id"] for i in rows if i["parent_id"] is not None}
        self.leaf_code = {i["pk"]: i["code"] for i in rows if i["pk"] not in with_children}
        self.answerable = {i["pk"] for i in rows if i["pk"] not in with_children and i["rule"] not in NOT_ANSWERED_RULES}
        # What appraisers decide on (appraisal.undecided): every leaf but collected-only data.
        self.appraisable = {i["pk"] for i in rows if i["pk"] not in with_children and i["rule"] != "collected"}
        self.parts = [(i["code"], part_key(i["name"])) for i in rows if self.parent_of[i["code"]] == ""]

    def total(self, points: dict[str, Decimal | None]) -> tuple[Decimal | None, dict[str, Decimal]]:
        """The grand total and every node's total; None when no leaf has points."""
        if all(v is None for v in points.values()):
            return None, {}
        totals = roll_up(self.parent_of, points)
        return grand_total(self.parent_of, totals), totals


def compute(shape: Shape, status: str, answers: list[dict], reviews: dict[int, dict[int, _Review]]) -> dict:
    """The stored totals of one assessment from its answers (rows with pk, indicator_id, self_score,
    final_score) and its reviews (answer pk → round → decision and score). Pure."""
    self_points, standing_points, final_points, answered, decided = {}, {}, {}, 0, {1: 0, 2: 0}
    for answer in answers:
        code = shape.leaf_code.get(answer["indicator_id"])
        if code is None:  # an answer on a group (evidence only): groups are totals, never scored
            continue
        mine = reviews.get(answer["pk"], {})
        self_points[code] = answer["self_score"]
        standing_points[code] = standing(answer["self_score"], mine)
        final_points[code] = answer["final_score"]
        if answer["indicator_id"] in shape.answerable and answer["self_score"] is not None:
            answered += 1
        if answer["indicator_id"] in shape.appraisable:
            for rnd in mine:
                decided[rnd] += 1
    self_total, _ = shape.total(self_points)
    standing_total, _ = shape.total(standing_points)
    final_total, final_parts = None, {}
    if status in FINAL_STATUSES:  # a final result always has a total, 0 when nothing scored
        totals = roll_up(shape.parent_of, final_points)
        final_total = grand_total(shape.parent_of, totals)
        final_parts = {key: f"{totals[code]:f}" for code, key in shape.parts}
    return {"self_total": self_total, "standing_total": standing_total, "final_total": final_total,
            "final_parts": final_parts, "answered_count": answered, "decided_round1": decided[1], "decided_round2": decided[2]}


def refresh_totals(assessment_ids: Iterable[int], *, models=None) -> int:
    """Recompute and store the totals of these assessments; returns how many rows changed.

    Five queries at most, whatever the number of assessments. Runs in the caller's scope (the
    scoped managers filter by its province). `models` (Assessment, Indicator, Answer, Review) lets
    the data migration pass its historical models.
    """
    if models is None:
        from indicators.models import Indicator

        from .models import Answer, Assessment, Review

        models = (Assessment, Indicator, Answer, Review)
    Assessment, Indicator, Answer, Review = models
    ids = sorted(set(assessment_ids))
    if not ids:
        return 0
    rows = list(Assessment.objects.filter(pk__in=ids).values("pk", "framework_id", "status", *FIELDS))
    if not rows:
        return 0
    frameworks = defaultdict(list)
    for indicator in Indicator.objects.filter(framework_id__in={r["framework_id"] for r in rows}).values(
            "pk", "framework_id", "parent_id", "code", "name", "rule", "position"):
        frameworks[indicator["framework_id"]].append(indicator)
    shapes = {pk: Shape(indicators) for pk, indicators in frameworks.items()}
    answers = defaultdict(list)
    for answer in Answer.objects.filter(assessment_id__in=ids).values("pk", "assessment_id", "indicator_id", "self_score", "final_score"):
        answers[answer["assessment_id"]].append(answer)
    reviews: dict[int, dict[int, _Review]] = defaultdict(dict)
    for review in Review.objects.filter(assessment_id__in=ids).values("answer_id", "round", "decision", "score"):
        reviews[review["answer_id"]][review["round"]] = _Review(review["decision"], review["score"])

    changed = []
    for row in rows:
        shape = shapes.get(row["framework_id"]) or Shape([])
        new = compute(shape, row["status"], answers.get(row["pk"], []), reviews)
        if any(new[name] != row[name] for name in FIELDS):
            changed.append(Assessment(pk=row["pk"], **new))
    if changed:
        Assessment.objects.bulk_update(changed, FIELDS, batch_size=500)
    return len(changed)
