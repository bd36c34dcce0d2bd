"""Order API under ``/api/v1/``."""

from django.urls import path

from siliu.commerce.orders import api

urlpatterns = [
    path("orders", api.OrderCreateView.as_view(), name="order-create"),
    path("orders/quote", api.OrderQuoteView.as_view(), name="order-quote"),
    path("orders/<str:number>", api.OrderDetailView.as_view(), name="order-detail"),
    path("orders/<str:number>/cancel", api.OrderCancelView.as_view(), name="order-cancel"),
    path("orders/<str:number>/confirm", api.OrderConfirmView.as_view(), name="order-confirm"),
    path("addresses", api.AddressListView.as_view(), name="address-list"),
    path("addresses/<int:address_id>", api.AddressDetailView.as_view(), name="address-detail"),
    path("seller/orders", api.SellerOrdersView.as_view(), name="seller-orders"),
    path("seller/settlements", api.SellerSettlementsView.as_view(), name="seller-settlements"),
    path("seller/money", api.SellerMoneyView.as_view(), name="seller-money"),
    path("seller/payouts", api.SellerPayoutsView.as_view(), name="seller-payouts"),
    path("payouts/<int:payout_id>/decide", api.PayoutDecideView.as_view(), name="payout-decide"),
]
