"""Pages of the orders side: the session cart and checkout, the buyer's orders, the seller's dashboard,
and the station operator's counter order (代购, cash at the counter).

Mounted under ``/shop/`` (see ``urlpatterns``). Thin: read the form, call one service or selector,
render or redirect; a refused action is shown as a message on the page it came from.
"""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required, user_passes_test
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from siliu.commerce.catalog import identity
from siliu.commerce.catalog.selectors import product_list, seller_for
from siliu.commerce.models import (
    Category,
    OrderStatus,
    PaymentMethod,
    PayoutStatus,
    Product,
    Seller,
    SellerStatus,
)
from siliu.commerce.orders.cart import COUNTER_BASKET_KEY, cart_read, cart_write
from siliu.commerce.orders.selectors import (
    buyer_address_get,
    buyer_addresses,
    buyer_orders,
    month_parse,
    order_get,
    order_shipments_followed,
    order_status_shown,
    payouts_for_finance,
    seller_money,
    seller_monthly_statement,
    seller_orders_to_pack,
    seller_payouts,
    seller_settlement_statement,
)
from siliu.commerce.orders.services import (
    AddressInput,
    buyer_address_create,
    buyer_address_default_set,
    buyer_address_delete,
    buyer_address_update,
    order_cancel,
    order_confirm,
    order_destination,
    order_place,
    order_quote,
    payout_mark_paid,
    payout_reject,
    payout_request,
)
from siliu.commerce.orders.statements import statement_xlsx
from siliu.core.errors import DomainError, NotFound, ValidationFailed
from siliu.core.money import format_fen, parse_yuan
from siliu.core.people import people_search, person_get, person_match
from siliu.core.permissions import Permission, user_can
from siliu.core.roles import Actor
from siliu.logistics.parcels.services import Address
from siliu.network.models import Outlet, Region, RegionLevel
from siliu.network.selectors import outlets_scoped, village_list


def _cart_lines(cart: dict[str, int]) -> list[tuple[Product, int, int]]:
    products = Product.objects.select_related("seller").filter(pk__in=[int(key) for key in cart])
    return [
        (product, cart[str(product.pk)], product.price_fen * cart[str(product.pk)]) for product in products
    ]


def _int(value: str | None, default: int = 0) -> int:
    try:
        return int(value or default)
    except ValueError:
        return default


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@require_POST
def cart_add(request: HttpRequest) -> HttpResponse:
    """Add ``quantity`` of ``product_id`` to the session cart (the product page posts here)."""
    product_id, quantity = _int(request.POST.get("product_id")), _int(request.POST.get("quantity"), 1)
    product = Product.objects.filter(pk=product_id, is_active=True).first()
    if product is None or not 0 < quantity <= 10_000:
        messages.error(request, _("商品或数量不正确"))
        return redirect("orders:cart")
    cart = cart_read(request)
    cart[str(product.pk)] = cart.get(str(product.pk), 0) + quantity
    if request.POST.get("replace"):
        cart[str(product.pk)] = quantity
    cart_write(request, cart)
    messages.success(request, _("已加入购物车：%(name)s × %(n)d") % {"name": product.name, "n": quantity})
    return redirect("orders:cart")


@require_POST
def cart_remove(request: HttpRequest) -> HttpResponse:
    cart = cart_read(request)
    cart.pop(str(_int(request.POST.get("product_id"))), None)
    cart_write(request, cart)
    return redirect("orders:cart")


def _destination_choice(data: QueryDict) -> tuple[int | None, str]:
    """The saved address (id) or the village (code) the buyer picked: an address wins when both are."""
    if data.get("pick") == "township":  # the township changed (without script): its villages only
        return None, ""
    address_id = _int_or_none(data.get("address"))
    return address_id, "" if address_id is not None else data.get("village", "").strip()


def _render_cart(
    request: HttpRequest,
    cart: dict[str, int],
    data: QueryDict,
    *,
    error: DomainError | None = None,
    status: int = 200,
) -> HttpResponse:
    """The cart with its destination picker and, once a destination is picked, the postage quoted per
    seller's parcel and the total the checkout form will confirm."""
    lines = _cart_lines(cart)
    address_id, village_code = _destination_choice(data)
    township_code = data.get("township", "").strip()
    context: dict[str, object] = {
        "lines": lines,
        "goods_fen": sum(amount for _p, _q, amount in lines),
        "form": data,
        "error": error,
        "address_id": address_id,
        "village_code": village_code,
        "addresses": list(buyer_addresses(actor=request.user)),
        "townships": list(Region.objects.filter(level=RegionLevel.TOWNSHIP).order_by("code")),
        "villages": list(village_list()),
    }
    user = request.user
    if lines and isinstance(user, User) and (address_id is not None or village_code):
        try:
            destination = order_destination(buyer=user, address_id=address_id, village_code=village_code)
            context["destination"] = destination
            context["quote"] = order_quote(
                buyer=user,
                lines=[(int(key), quantity) for key, quantity in cart.items()],
                destination_outlet_code=destination.outlet.code,
            )
            township_code = destination.village.parent.code if destination.village.parent else township_code
            context["village_code"] = destination.village.code
        except DomainError as quote_error:
            context["quote_error"] = quote_error
            if status == 200:
                status = quote_error.http_status
    context["township_code"] = township_code
    return render(request, "commerce/orders/cart.html", context, status=status)


def cart_page(request: HttpRequest) -> HttpResponse:
    """The cart; with ``?address=`` or ``?township=…&village=…`` the postage is quoted for that place."""
    return _render_cart(request, cart_read(request), request.GET)


@login_required
@require_POST
def checkout(request: HttpRequest) -> HttpResponse:
    """Place the cart as one wallet order to the picked address or village, for the total the buyer
    was shown (``expected_total_fen``); the cart is emptied when the order is placed."""
    cart = cart_read(request)
    user = request.user
    assert isinstance(user, User)
    try:
        address_id, village_code = _destination_choice(request.POST)
        destination = order_destination(buyer=user, address_id=address_id, village_code=village_code)
        recipient = destination.recipient or Address(
            request.POST.get("recipient_name", "").strip(),
            request.POST.get("recipient_phone", "").strip(),
            "{township}{village} {detail}".format(
                township=destination.village.parent.name if destination.village.parent else "",
                village=destination.village.name,
                detail=request.POST.get("recipient_address", "").strip(),
            ).strip(),
        )
        expected_total_fen = _int_or_none(request.POST.get("expected_total_fen"))
        if expected_total_fen is None:
            raise ValidationFailed("required", _("请先查看邮费和合计再付款"), field="expected_total_fen")
        order = order_place(
            buyer=user,
            placed_by=user,
            lines=[(int(key), quantity) for key, quantity in cart.items()],
            recipient=recipient,
            destination_outlet_code=destination.outlet.code,
            payment_method=PaymentMethod.WALLET,
            idempotency_key=request.POST.get("idempotency_key", "")[:64],
            expected_total_fen=expected_total_fen,
        )
    except DomainError as error:
        messages.error(request, error.message)
        return _render_cart(request, cart, request.POST, error=error, status=error.http_status)
    cart_write(request, {})
    messages.success(request, _("下单成功，货款已由平台担保"))
    return redirect("orders:order", number=order.number)


def _recipient(request: HttpRequest) -> Address:
    return Address(
        request.POST.get("recipient_name", "").strip(),
        request.POST.get("recipient_phone", "").strip(),
        request.POST.get("recipient_address", "").strip(),
    )


@login_required
def order_list_page(request: HttpRequest) -> HttpResponse:
    orders = list(buyer_orders(actor=request.user)[:100])
    rows = [(order, OrderStatus(order_status_shown(order)).label) for order in orders]
    return render(request, "commerce/orders/list.html", {"rows": rows})


@login_required
def order_page(request: HttpRequest, number: str) -> HttpResponse:
    try:
        order = order_get(number=number, actor=request.user)
    except NotFound as error:
        raise Http404(error.message) from None
    status_shown = order_status_shown(order)
    return render(
        request,
        "commerce/orders/detail.html",
        {
            "order": order,
            "shipments": order_shipments_followed(order=order),
            "status_shown": status_shown,
            "status_label": OrderStatus(status_shown).label,
            "is_buyer": request.user.pk in (order.buyer_id, order.placed_by_id),
        },
    )


def _order_action(request: HttpRequest, number: str, *, confirm: bool) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    try:
        order = order_get(number=number, actor=user)
        if confirm:
            order_confirm(number=order.number, actor=user)
            messages.success(request, _("已确认收货，货款已结算给卖家"))
        else:
            order_cancel(number=order.number, actor=user)
            messages.success(request, _("订单已取消，货款已退回"))
    except NotFound as error:
        raise Http404(error.message) from None
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("orders:order", number=number)


@login_required
@require_POST
def order_confirm_action(request: HttpRequest, number: str) -> HttpResponse:
    return _order_action(request, number, confirm=True)


@login_required
@require_POST
def order_cancel_action(request: HttpRequest, number: str) -> HttpResponse:
    return _order_action(request, number, confirm=False)


@login_required
def seller_dashboard_page(request: HttpRequest) -> HttpResponse:
    """The seller's orders to pack (with labels to print), stock, money and settlements; for a user
    without a shop, a page that says so and links registration; while pending, the registration's status."""
    seller = seller_for(actor=request.user)
    if seller is None:
        return render(request, "commerce/orders/seller_none.html")
    if seller.status != SellerStatus.VERIFIED:
        return render(request, "commerce/orders/seller_dashboard.html", {"seller": seller})
    return render(
        request,
        "commerce/orders/seller_dashboard.html",
        {
            "seller": seller,
            "to_pack": seller_orders_to_pack(seller=seller),
            "products": Product.objects.filter(seller=seller).order_by("name", "pk"),
            "statement": seller_settlement_statement(seller=seller),
            "money": seller_money(seller=seller),
            "this_month": timezone.localdate().strftime("%Y-%m"),
        },
    )


def _own_shop(request: HttpRequest) -> Seller:
    seller = seller_for(actor=request.user)
    if seller is None:
        raise PermissionDenied(_("只有卖家可以查看"))
    return seller


@login_required
def seller_payouts_page(request: HttpRequest) -> HttpResponse:
    """The seller's money and payout requests; a request to a bank account is posted here."""
    seller = _own_shop(request)
    user = request.user
    assert isinstance(user, User)
    form = {
        key: request.POST.get(key, "").strip()
        for key in ("amount", "account_name", "bank_name", "account_number", "key")
    }
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        try:
            payout = payout_request(
                seller=seller,
                actor=user,
                key=form["key"],
                amount_fen=parse_yuan(form["amount"], field="amount_fen"),
                account_name=form["account_name"],
                bank_name=form["bank_name"],
                account_number=form["account_number"],
            )
        except DomainError as error:
            errors = {error.field or "form": error.message}
            status = error.http_status
        else:
            messages.success(
                request, _("已申请提现 %(amount)s，等待财务付款") % {"amount": format_fen(payout.amount_fen)}
            )
            return redirect("orders:seller-payouts")
    return render(
        request,
        "commerce/orders/seller_payouts.html",
        {
            "seller": seller,
            "money": seller_money(seller=seller),
            "payouts": seller_payouts(seller=seller)[:50],
            "form": form,
            "errors": errors,
            "new_key": uuid.uuid4().hex,
        },
        status=status,
    )


@login_required
def seller_statement_download(request: HttpRequest) -> HttpResponse:
    """The seller's monthly statement as an XLSX workbook (``?month=YYYY-MM``)."""
    seller = _own_shop(request)
    try:
        month = month_parse(request.GET.get("month", ""))
    except ValidationFailed as error:
        return HttpResponse(error.message, status=400, content_type="text/plain; charset=utf-8")
    statement = seller_monthly_statement(seller=seller, month=month)
    response = HttpResponse(
        statement_xlsx(statement),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="statement-{month:%Y-%m}.xlsx"'
    return response


def _pays_sellers(user: Actor) -> bool:
    return user_can(user, Permission.PAYOUT_PAY)


@user_passes_test(_pays_sellers)
def payouts_page(request: HttpRequest) -> HttpResponse:
    """Finance staff: the payout requests to pay, with the full account number to pay them to."""
    status = request.GET.get("status", PayoutStatus.REQUESTED)
    if status not in PayoutStatus.values:
        status = PayoutStatus.REQUESTED
    payouts = list(payouts_for_finance(actor=request.user, status=status)[:200])
    rows = [(payout, identity.id_number_decrypt(payout.account_number_encrypted)) for payout in payouts]
    return render(
        request,
        "commerce/orders/payouts.html",
        {"rows": rows, "status": status, "statuses": PayoutStatus.choices},
    )


@require_POST
@user_passes_test(_pays_sellers)
def payout_decide_action(request: HttpRequest, payout_id: int) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    decide = payout_mark_paid if request.POST.get("paid") == "1" else payout_reject
    try:
        payout = decide(payout_id=payout_id, actor=user, note=request.POST.get("note", ""))
    except NotFound as error:
        raise Http404(error.message) from None
    except DomainError as error:
        messages.warning(request, error.message)
    else:
        messages.success(
            request,
            _("%(seller)s %(amount)s：%(status)s")
            % {
                "seller": payout.seller.name,
                "amount": format_fen(payout.amount_fen),
                "status": payout.get_status_display(),
            },
        )
    return redirect("orders:payouts")


#: Most products the counter order page lists for one search: the operator narrows, not scrolls.
COUNTER_PRODUCTS_SHOWN = 30


def _counter_basket(request: HttpRequest) -> tuple[list[tuple[Product, int, int]], int]:
    """The operator's basket as (product, quantity, subtotal fen) and its running total in fen."""
    basket = cart_read(request, key=COUNTER_BASKET_KEY)
    products = Product.objects.filter(pk__in=[_int(key) for key in basket], is_active=True).select_related(
        "seller"
    )
    lines = [
        (product, basket[str(product.pk)], product.price_fen * basket[str(product.pk)])
        for product in products
    ]
    lines.sort(key=lambda line: line[0].name)
    return lines, sum(subtotal for _product, _quantity, subtotal in lines)


def _counter_basket_change(request: HttpRequest) -> None:
    """Add (``quantity`` > 0) or remove (``quantity`` 0) a product in the operator's basket."""
    basket = cart_read(request, key=COUNTER_BASKET_KEY)
    product_id, quantity = _int(request.POST.get("product_id")), _int(request.POST.get("quantity"), 1)
    if not Product.objects.filter(pk=product_id, is_active=True).exists() or not 0 <= quantity <= 10_000:
        messages.error(request, _("没有这个商品或数量不对"))
        return
    if quantity:
        basket[str(product_id)] = quantity
    else:
        basket.pop(str(product_id), None)
    cart_write(request, basket, key=COUNTER_BASKET_KEY)


@login_required
def counter_order_page(request: HttpRequest) -> HttpResponse:
    """The station operator places a villager's order and takes the cash at the counter (代购): the
    villager found by phone, products found by search and category into a basket with a running total."""
    outlets = list(
        outlets_scoped(
            Outlet.objects.filter(has_cash_counter=True, is_active=True).order_by("code"),
            user=request.user,
            permission=Permission.ORDER_FOR_VILLAGER,
        )
    )
    if not outlets:
        raise PermissionDenied(_("只有站点负责人可以代客下单"))
    if request.method == "POST" and request.POST.get("action") == "basket":
        _counter_basket_change(request)
        return redirect(request.get_full_path())
    search, category = request.GET.get("q", "").strip(), request.GET.get("category", "")
    try:
        products = product_list(search=search or None, category=category or None).order_by(
            "direction", "name"
        )
    except ValidationFailed:
        products = product_list().order_by("direction", "name")
    matches, search_error = [], ""
    if request.GET.get("person"):
        try:
            matches = people_search(query=request.GET["person"], actor=request.user)
        except DomainError as error:
            search_error = error.message
    buyer_id = request.POST.get("buyer_id") or request.GET.get("customer", "")
    buyer = person_get(user_id=int(buyer_id)) if buyer_id.isdigit() else None
    basket, basket_total_fen = _counter_basket(request)
    context: dict[str, object] = {
        "outlets": outlets,
        "products": products[:COUNTER_PRODUCTS_SHOWN],
        "categories": Category.choices,
        "search": search,
        "category": category,
        "people": matches,
        "person_query": request.GET.get("person", ""),
        "search_error": search_error,
        "buyer": buyer,
        "buyer_shown": person_match(buyer) if buyer else None,
        "basket": basket,
        "basket_total_fen": basket_total_fen,
        "form": request.POST or {},
    }
    if request.method == "POST":
        user = request.user
        assert isinstance(user, User)
        if buyer is None and request.POST.get("buyer"):  # the API-like form of older clients
            buyer = User.objects.filter(username=request.POST["buyer"].strip()).first()
        posted = [
            (_int(product_id), _int(quantity))
            for product_id, quantity in zip(
                request.POST.getlist("product_id"), request.POST.getlist("quantity"), strict=False
            )
            if _int(quantity) > 0
        ]
        lines = posted or [(product.pk, quantity) for product, quantity, _subtotal in basket]
        try:
            if buyer is None:
                raise ValidationFailed("unknown_user", _("请先按手机号查找并选择村民"), field="buyer")
            order = order_place(
                buyer=buyer,
                placed_by=user,
                lines=lines,
                recipient=_recipient(request),
                destination_outlet_code=request.POST.get("outlet", "").strip() or None,
                payment_method=PaymentMethod.COUNTER_CASH,
                idempotency_key=request.POST.get("idempotency_key", "")[:64],
            )
        except DomainError as error:
            messages.error(request, error.message)
            context["error"] = error
            return render(request, "commerce/orders/counter_order.html", context, status=error.http_status)
        if not posted:
            cart_write(request, {}, key=COUNTER_BASKET_KEY)
        messages.success(
            request, _("已代客下单，请收取现金 %(total)s") % {"total": format_fen(order.total_fen)}
        )
        return redirect("orders:order", number=order.number)
    return render(request, "commerce/orders/counter_order.html", context)


# ---------------------------------------------------------------------------------------------------
# The buyer's saved addresses


def _address_input(data: QueryDict) -> AddressInput:
    return AddressInput(
        name=data.get("name", ""),
        phone=data.get("phone", ""),
        village_code=data.get("village", ""),
        detail=data.get("detail", ""),
    )


def _address_context(request: HttpRequest, form: dict[str, str], **extra: object) -> dict[str, object]:
    village_code = form.get("village", "")
    township_code = form.get("township", "") or (village_code[:9] if village_code else "")
    return {
        "form": form,
        "village_code": village_code,
        "township_code": township_code,
        "townships": list(Region.objects.filter(level=RegionLevel.TOWNSHIP).order_by("code")),
        "villages": list(village_list()),
        **extra,
    }


@login_required
def address_list_page(request: HttpRequest) -> HttpResponse:
    """The buyer's saved addresses, and a form to add one (the village picked, never typed)."""
    user = request.user
    assert isinstance(user, User)
    form = {key: request.POST.get(key, "") for key in ("name", "phone", "township", "village", "detail")}
    status = 200
    error: DomainError | None = None
    if request.method == "POST" and request.POST.get("pick") != "township":
        try:
            buyer_address_create(
                user=user, data=_address_input(request.POST), is_default=bool(request.POST.get("is_default"))
            )
        except DomainError as refused:
            error, status = refused, refused.http_status
        else:
            messages.success(request, _("收货地址已保存"))
            return redirect("orders:addresses")
    context = _address_context(
        request, form, addresses=list(buyer_addresses(actor=user)), error=error, editing=None
    )
    return render(request, "commerce/orders/addresses.html", context, status=status)


@login_required
def address_edit_page(request: HttpRequest, address_id: int) -> HttpResponse:
    """Change one of the buyer's addresses; another user's is not found."""
    user = request.user
    assert isinstance(user, User)
    try:
        address = buyer_address_get(actor=user, address_id=address_id)
    except NotFound as missing:
        raise Http404(missing.message) from None
    form = {
        "name": address.name,
        "phone": address.phone,
        "village": address.village.code,
        "detail": address.detail,
        "township": "",
    }
    status = 200
    error: DomainError | None = None
    if request.method == "POST":
        form = {key: request.POST.get(key, "") for key in ("name", "phone", "township", "village", "detail")}
        if request.POST.get("pick") != "township":
            try:
                buyer_address_update(user=user, address_id=address.pk, data=_address_input(request.POST))
            except DomainError as refused:
                error, status = refused, refused.http_status
            else:
                messages.success(request, _("收货地址已修改"))
                return redirect("orders:addresses")
    context = _address_context(request, form, error=error, editing=address)
    return render(request, "commerce/orders/address_edit.html", context, status=status)


def _address_action(request: HttpRequest, address_id: int, *, delete: bool) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    try:
        if delete:
            buyer_address_delete(user=user, address_id=address_id)
            messages.success(request, _("收货地址已删除"))
        else:
            buyer_address_default_set(user=user, address_id=address_id)
            messages.success(request, _("已设为默认地址"))
    except NotFound as missing:
        raise Http404(missing.message) from None
    return redirect("orders:addresses")


@login_required
@require_POST
def address_delete_action(request: HttpRequest, address_id: int) -> HttpResponse:
    return _address_action(request, address_id, delete=True)


@login_required
@require_POST
def address_default_action(request: HttpRequest, address_id: int) -> HttpResponse:
    return _address_action(request, address_id, delete=False)
