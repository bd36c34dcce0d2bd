"""The information flow (信息流): the county's figures, a farmer's four flows on one page, the win-win
scorecard, reports and exports. It reads every other flow and writes nothing back into them.

- ``facts/`` — the daily figures: what each measure counts (``measures.py``), computed from the
  source tables (``compute.py``), kept current from the outbox and checked against a rebuild
  (``services.py``, ``tasks.py``).
- ``dashboard/`` — the county's figures for a period and township, public or not.
- ``profiles/`` — one farmer or cooperative across the four flows.
- ``scorecard/`` — the win-win scorecard (合作共赢) and the monthly report.
"""
