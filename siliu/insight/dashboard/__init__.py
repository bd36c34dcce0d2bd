"""The county's figures for a period and a township: the manager's dashboard, the public page at
``/county/`` (no personal data, no cash or loans), and ``GET /api/v1/insight/summary``."""
