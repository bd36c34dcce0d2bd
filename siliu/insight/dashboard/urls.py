from django.urls import URLPattern, URLResolver, path

from siliu.insight.dashboard import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.dashboard_page, name="dashboard"),
    path("export.csv", views.export_csv, name="export-csv"),
    path("export.xlsx", views.export_xlsx, name="export-xlsx"),
]
