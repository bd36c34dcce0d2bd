from django.urls import path

from siliu.finance import views

app_name = "finance"

urlpatterns = [
    path("wallet/", views.wallet_page, name="wallet"),
    path("counter/", views.counter_index_page, name="counter-index"),
    path("counter/sign-offs/", views.day_close_sign_offs_page, name="day-close-sign-offs"),
    path("counter/<str:code>/", views.counter_page, name="counter"),
    path("counter/<str:code>/cash/", views.counter_cash_submit, name="counter-cash"),
    path("counter/<str:code>/close/", views.counter_close_submit, name="counter-close"),
    path(
        "counter/<str:code>/receipts/<str:transfer_id>.pdf", views.counter_receipt_pdf, name="counter-receipt"
    ),
    path("counter/<str:code>/closes/<str:day>.pdf", views.day_close_report_pdf, name="day-close-report"),
    path(
        "counter/<str:code>/closes/<str:day>/sign-off/",
        views.day_close_sign_off_submit,
        name="day-close-sign-off",
    ),
    path("trial-balance/", views.trial_balance_page, name="trial-balance"),
]
