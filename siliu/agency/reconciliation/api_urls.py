from django.urls import URLPattern, URLResolver, path

from siliu.agency.reconciliation import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("agency/providers/<str:code>/statements", api.StatementsView.as_view(), name="agency-statements"),
    path(
        "agency/providers/<str:code>/statements/<int:statement_id>",
        api.StatementView.as_view(),
        name="agency-statement",
    ),
    path(
        "agency/providers/<str:code>/statements/<int:statement_id>/settle",
        api.StatementSettleView.as_view(),
        name="agency-statement-settle",
    ),
    path(
        "agency/providers/<str:code>/mismatches/<int:item_id>/resolve",
        api.MismatchResolveView.as_view(),
        name="agency-mismatch-resolve",
    ),
]
