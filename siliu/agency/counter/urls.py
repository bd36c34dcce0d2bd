from django.urls import URLPattern, URLResolver, path

from siliu.agency.counter import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.agency_index_page, name="index"),
    path("counter/<str:code>/", views.agency_counter_page, name="counter"),
    path("counter/<str:code>/submit", views.agency_counter_submit, name="counter-submit"),
    path("counter/<str:code>/t/<str:number>/", views.agency_transaction_page, name="transaction"),
    path("counter/<str:code>/t/<str:number>/receipt.pdf", views.agency_receipt_view, name="receipt"),
    path("counter/<str:code>/t/<str:number>/reverse", views.agency_reverse_submit, name="reverse"),
]
