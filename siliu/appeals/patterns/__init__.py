"""Recurring needs: the same category in one township three times or more within 30 days, surfaced as
one pattern for the county manager and taken as one job."""
