from django.urls import path

from siliu.finance import views

app_name = "finance"

urlpatterns = [
    path("wallet/", views.wallet_page, name="wallet"),
    path("counter/", views.counter_index_page, name="counter-index"),
    path("counter/<str:code>/", views.counter_page, name="counter"),
    path("counter/<str:code>/cash/", views.counter_cash_submit, name="counter-cash"),
    path("counter/<str:code>/close/", views.counter_close_submit, name="counter-close"),
    path("trial-balance/", views.trial_balance_page, name="trial-balance"),
]
