from django.urls import URLPattern, URLResolver, path

from siliu.agency.counter import api

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "agency/outlets/<str:code>/services", api.OutletServicesView.as_view(), name="agency-outlet-services"
    ),
    path("agency/transactions", api.AgencyTransactionsView.as_view(), name="agency-transactions"),
    path("agency/transactions/<str:number>", api.AgencyTransactionView.as_view(), name="agency-transaction"),
    path(
        "agency/transactions/<str:number>/reverse",
        api.AgencyTransactionReverseView.as_view(),
        name="agency-transaction-reverse",
    ),
]
