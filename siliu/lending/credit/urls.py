"""Credit pages under ``/lending/``."""

from django.urls import path

from siliu.lending.credit import views

urlpatterns = [
    path("consent/", views.consent_page, name="credit-consent"),
    path("credit/", views.score_page, name="credit-score"),
    path("credit/model/", views.model_page, name="credit-model"),
    path("credit/borrowers/", views.borrowers_page, name="credit-borrowers"),
    path("credit/borrowers/<int:user_id>/", views.borrower_page, name="credit-borrower"),
    path("visits/new/", views.visit_page, name="credit-visit"),
]
