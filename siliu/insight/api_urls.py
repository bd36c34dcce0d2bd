from django.urls import URLPattern, URLResolver, path

from siliu.insight.dashboard import api as dashboard

urlpatterns: list[URLPattern | URLResolver] = [
    path("insight/summary", dashboard.SummaryView.as_view(), name="insight-summary"),
]
