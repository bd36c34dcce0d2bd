"""Partner courier API under ``/api/v1/``."""

from django.urls import path

from siliu.logistics.partners import api

urlpatterns = [
    path("partners", api.PartnerListView.as_view(), name="partner-list"),
    path("partners/<str:code>", api.PartnerDetailView.as_view(), name="partner-detail"),
    path("partners/<str:code>/secret", api.PartnerSecretView.as_view(), name="partner-secret"),
    path("partners/<str:code>/manifests", api.ManifestCreateView.as_view(), name="partner-manifests"),
    path(
        "partners/<str:code>/statements/<str:month>.csv",
        api.StatementCsvView.as_view(),
        name="partner-statement-csv",
    ),
    path("partners/<str:code>/statements/<str:month>", api.StatementView.as_view(), name="partner-statement"),
]
