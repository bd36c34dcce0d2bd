"""The officer's and county manager's API under ``/api/v1/`` (included before the borrower's
``loan-applications/<number>`` routes, so that ``review-queue`` is never taken for a number)."""

from django.urls import path

from siliu.lending.portfolio import api

urlpatterns = [
    path("loan-applications/review-queue", api.ReviewQueueView.as_view(), name="loan-review-queue"),
    path("loan-applications/<str:number>/review", api.ReviewView.as_view(), name="loan-application-review"),
    path(
        "loan-applications/<str:number>/approve", api.ApproveView.as_view(), name="loan-application-approve"
    ),
    path("lending/portfolio", api.PortfolioView.as_view(), name="lending-portfolio"),
    path("lending/collections", api.CollectionsView.as_view(), name="lending-collections"),
    path("loans/<str:number>/notes", api.NotesView.as_view(), name="loan-notes"),
    path("loans/<str:number>/write-off", api.WriteOffView.as_view(), name="loan-write-off"),
]
