"""The borrower's loan API under ``/api/v1/`` (after ``loans/schedule``, which must match first)."""

from django.urls import path

from siliu.lending.loans import api

urlpatterns = [
    path("loan-applications", api.ApplicationListView.as_view(), name="loan-application-list"),
    path(
        "loan-applications/<str:number>", api.ApplicationDetailView.as_view(), name="loan-application-detail"
    ),
    path("loans", api.LoanListView.as_view(), name="loan-list"),
    path("loans/<str:number>", api.LoanDetailView.as_view(), name="loan-detail"),
    path("loans/<str:number>/sign", api.LoanSignView.as_view(), name="loan-sign"),
    path("loans/<str:number>/cancel", api.LoanCancelView.as_view(), name="loan-cancel"),
    path("loans/<str:number>/repay", api.LoanRepayView.as_view(), name="loan-repay"),
    path("loans/<str:number>/draw", api.LoanDrawView.as_view(), name="loan-draw"),
    path("loans/<str:number>/payoff", api.LoanPayoffView.as_view(), name="loan-payoff"),
    path(
        "loans/<str:number>/counter-repayments",
        api.LoanCounterRepaymentView.as_view(),
        name="loan-counter-repayments",
    ),
]
