from django.urls import URLPattern, URLResolver, path

from siliu.agency.reconciliation import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("reconciliation/", views.reconciliation_index_page, name="reconciliation"),
    path(
        "reconciliation/statements/<int:statement_id>/",
        views.reconciliation_statement_page,
        name="reconciliation-statement",
    ),
    path(
        "reconciliation/statements/<int:statement_id>/settle",
        views.reconciliation_settle_submit,
        name="reconciliation-settle",
    ),
    path(
        "reconciliation/mismatches/<int:item_id>/resolve",
        views.reconciliation_resolve_submit,
        name="reconciliation-resolve",
    ),
    path("reconciliation/<str:code>/", views.reconciliation_provider_page, name="reconciliation-provider"),
    path(
        "reconciliation/<str:code>/import", views.reconciliation_import_submit, name="reconciliation-import"
    ),
]
