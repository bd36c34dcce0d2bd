"""The project's URLs plus the finance pages, for page tests until the lead wires ``finance/``."""

from django.urls import include, path

from siliu.urls import handler404 as handler404
from siliu.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    *[pattern for pattern in project_urlpatterns if str(getattr(pattern, "pattern", "")) != "finance/"],
    path("finance/", include("siliu.finance.urls")),
]
