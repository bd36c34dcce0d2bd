from django.urls import path

from siliu.finance import api

urlpatterns = [
    path("transfers", api.TransferCreateView.as_view(), name="transfer-create"),
    path("transfers/batch", api.TransferBatchView.as_view(), name="transfer-batch"),
    path("accounts/<str:code>", api.AccountDetailView.as_view(), name="account-detail"),
    path("accounts/<str:code>/entries", api.AccountEntriesView.as_view(), name="account-entries"),
    path("wallet", api.WalletView.as_view(), name="wallet"),
    path("outlets/<str:code>/cash-in", api.CashInView.as_view(), name="outlet-cash-in"),
    path("outlets/<str:code>/cash-out", api.CashOutView.as_view(), name="outlet-cash-out"),
    path("outlets/<str:code>/close-day", api.CloseDayView.as_view(), name="outlet-close-day"),
    path(
        "outlets/<str:code>/counter/transactions",
        api.CounterTransactionsView.as_view(),
        name="counter-transactions",
    ),
    path(
        "outlets/<str:code>/close-day/sign-off",
        api.DayCloseSignOffView.as_view(),
        name="outlet-close-day-sign-off",
    ),
    path("people", api.PeopleSearchView.as_view(), name="people-search"),
    path("ledger/trial-balance", api.TrialBalanceView.as_view(), name="trial-balance"),
]
