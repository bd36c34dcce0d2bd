"""Order pages under ``/shop/``: cart, checkout, orders, the seller centre and the counter order."""

from django.urls import path

from siliu.commerce.orders import views

app_name = "orders"

urlpatterns = [
    path("cart/", views.cart_page, name="cart"),
    path("cart/add/", views.cart_add, name="cart-add"),
    path("cart/remove/", views.cart_remove, name="cart-remove"),
    path("checkout/", views.checkout, name="checkout"),
    path("addresses/", views.address_list_page, name="addresses"),
    path("addresses/<int:address_id>/", views.address_edit_page, name="address-edit"),
    path("addresses/<int:address_id>/delete/", views.address_delete_action, name="address-delete"),
    path("addresses/<int:address_id>/default/", views.address_default_action, name="address-default"),
    path("orders/", views.order_list_page, name="orders"),
    path("orders/<str:number>/", views.order_page, name="order"),
    path("orders/<str:number>/confirm/", views.order_confirm_action, name="order-confirm"),
    path("orders/<str:number>/cancel/", views.order_cancel_action, name="order-cancel"),
    path("seller/", views.seller_dashboard_page, name="seller-dashboard"),
    path("seller/payouts/", views.seller_payouts_page, name="seller-payouts"),
    path("seller/statement.xlsx", views.seller_statement_download, name="seller-statement"),
    path("payouts/", views.payouts_page, name="payouts"),
    path("payouts/<int:payout_id>/decide/", views.payout_decide_action, name="payout-decide"),
    path("counter/", views.counter_order_page, name="counter-order"),
]
