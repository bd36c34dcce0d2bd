"""The daily figures: what each measure counts, computed from the flows' tables, kept current from the
outbox and checked against a rebuild (ADR 0022)."""
