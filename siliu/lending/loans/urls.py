"""The borrower's pages under ``/lending/``."""

from django.urls import path

from siliu.lending.loans import views

urlpatterns = [
    path("", views.home_page, name="home"),
    path("apply/", views.apply_page, name="apply"),
    path("applications/<str:number>/", views.application_page, name="application"),
    path("loans/<str:number>/", views.loan_page, name="loan"),
    path("loans/<str:number>/sign/", views.loan_sign_submit, name="loan-sign"),
    path("loans/<str:number>/cancel/", views.loan_cancel_submit, name="loan-cancel"),
    path("loans/<str:number>/repay/", views.loan_repay_submit, name="loan-repay"),
    path("loans/<str:number>/draw/", views.loan_draw_submit, name="loan-draw"),
    path("loans/<str:number>/contract.pdf", views.contract_pdf_view, name="loan-contract"),
    path("counter/", views.counter_page, name="counter-repay"),
    path("counter/repay/", views.counter_repay_submit, name="counter-repay-submit"),
    path("counter/receipts/<int:repayment_id>.pdf", views.counter_receipt_pdf, name="counter-repay-receipt"),
]
