"""Year over year across frameworks: the comparison page of one assessment (reads only; the
arithmetic is in `assessments.comparison`)."""

from django.shortcuts import render

from dti_portal.accounts.access import province_view

from . import selectors
from .comparison import NOT_AVERAGED, NOTHING, comparisons_for


@province_view()
def comparison(request, assessment_id: int):
    """This year against the unit's previous result (or its predecessors'), per mapped criterion and
    on the common subset when the framework was cloned with a code map, else on the index only.
    Who sees it: like the history page (the unit's officer, province-wide roles; others 404)."""
    assessment = selectors.get_assessment_for_user(request, assessment_id)
    comparisons = comparisons_for(assessment)
    return render(request, "assessments/comparison.html", {
        "assessment": assessment, "comparisons": comparisons, "nothing": NOTHING,
        "not_averaged": NOT_AVERAGED if comparisons and comparisons[0].predecessor else ""})
