"""Exception case API under ``/api/v1/``."""

from django.urls import path

from siliu.logistics.cases import api

urlpatterns = [
    path("logistics/exceptions/<str:number>/case", api.ExceptionCaseView.as_view(), name="exception-case"),
]
