"""合作共赢 under ``/insight/scorecard/``: the page, its exports and the monthly report."""

from django.urls import URLPattern, URLResolver, path, re_path

from siliu.insight.scorecard import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.scorecard_page, name="scorecard"),
    path("export.xlsx", views.scorecard_xlsx_export, name="scorecard-export-xlsx"),
    path("export.csv", views.scorecard_csv_export, name="scorecard-export-csv"),
    path("report.pdf", views.report_for_month, name="scorecard-report-month"),
    re_path(
        r"^report-(?P<year>[0-9]{4})-(?P<month>[0-9]{2})\.pdf$", views.report_pdf, name="scorecard-report"
    ),
]
