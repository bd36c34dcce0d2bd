"""The officer's and county manager's pages under ``/lending/``."""

from django.urls import path

from siliu.lending.portfolio import views

urlpatterns = [
    path("review/", views.review_page, name="review"),
    path("review/<str:number>/", views.review_decide_page, name="review-decide"),
    path("approvals/", views.approvals_page, name="approvals"),
    path("approvals/<str:number>/", views.approval_decide_page, name="approval-decide"),
    path("portfolio/", views.portfolio_page, name="portfolio"),
    path("collections/", views.collections_page, name="collections"),
    path("collections/<str:number>/", views.collection_page, name="collection"),
    path("collections/<str:number>/write-off/", views.write_off_page, name="write-off"),
]
