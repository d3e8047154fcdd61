"""Models arrive with their issue (catalogue, assessments, rankings)."""
