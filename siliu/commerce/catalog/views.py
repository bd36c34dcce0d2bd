"""Storefront pages: browse by township and category, a product with its farm and batch, seller
registration and the county manager's verification list. Mounted at ``/shop/``."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, user_passes_test
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from siliu.commerce.catalog.selectors import (
    outlet_get_for_code,
    product_get,
    product_list,
    product_of_seller_get,
    seller_for,
    seller_get,
    seller_list_for_review,
    seller_products,
    village_get,
)
from siliu.commerce.catalog.services import (
    product_create,
    product_photo_add,
    product_photo_arrange,
    product_update,
    seller_check_acts_for,
    seller_register,
    seller_verify,
)
from siliu.commerce.models import (
    Category,
    Direction,
    InspectionResult,
    Product,
    Seller,
    SellerKind,
    SellerStatus,
)
from siliu.core.errors import DomainError, NotFound, ValidationFailed
from siliu.core.money import format_fen, parse_yuan
from siliu.core.permissions import Permission, user_can
from siliu.core.ratelimit import SELLER_REGISTRATION_THROTTLES, page_wait, rate_limited_page
from siliu.core.roles import Actor
from siliu.network.models import Outlet, Region, RegionLevel
from siliu.network.selectors import township_list


def _reads_sellers(user: Actor) -> bool:
    return user_can(user, Permission.SELLER_READ)


def _verifies_sellers(user: Actor) -> bool:
    return user_can(user, Permission.SELLER_VERIFY)


@rate_limited_page()
def shop_list_page(request: HttpRequest) -> HttpResponse:
    filters = {
        "search": request.GET.get("search", ""),
        "category": request.GET.get("category", ""),
        "township": request.GET.get("township", ""),
    }
    context: dict[str, object] = {
        "filters": filters,
        "categories": Category.choices,
        "townships": township_list(),
    }
    try:
        products = product_list(
            search=filters["search"] or None,
            category=filters["category"] or None,
            township=filters["township"] or None,
        )
    except ValidationFailed as error:
        context["error"] = error.message
        return render(request, "commerce/catalog/shop_list.html", context, status=400)
    context["page"] = Paginator(products, 24).get_page(request.GET.get("page"))
    return render(request, "commerce/catalog/shop_list.html", context)


@rate_limited_page()
def shop_product_page(request: HttpRequest, product_id: int) -> HttpResponse:
    try:
        product = product_get(product_id=product_id)
    except NotFound as error:
        raise Http404(error.message) from None
    return render(request, "commerce/catalog/shop_product.html", {"product": product})


@login_required
def seller_register_page(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    existing = seller_for(actor=request.user)
    form = {
        key: request.POST.get(key, "").strip()
        for key in ("kind", "name", "id_number", "village", "home_outlet", "contact_phone")
    }
    context: dict[str, object] = {
        "existing": existing,
        "form": form,
        "kinds": SellerKind.choices,
        "villages": Region.objects.filter(level=RegionLevel.VILLAGE)
        .select_related("parent")
        .order_by("code"),
        "outlets": Outlet.objects.filter(is_active=True).order_by("code"),
        "errors": {},
    }
    if request.method != "POST" or existing is not None:
        return render(request, "commerce/catalog/seller_register.html", context)
    # Counted before anything is checked, whatever the outcome: see SellerRegisterView.
    wait = page_wait(request, SELLER_REGISTRATION_THROTTLES)
    if wait is not None:
        context["errors"] = {
            "form": _("登记尝试过于频繁，请 %(minutes)d 分钟后再试") % {"minutes": int(wait) // 60 + 1}
        }
        return render(request, "commerce/catalog/seller_register.html", context, status=429)
    try:
        seller = seller_register(
            user=request.user,
            kind=form["kind"],
            name=form["name"],
            id_number=form["id_number"],
            village=village_get(code=form["village"], field="village"),
            home_outlet=outlet_get_for_code(code=form["home_outlet"], field="home_outlet"),
            contact_phone=form["contact_phone"],
            now=timezone.now(),
        )
    except DomainError as error:
        context["errors"] = {error.field or "form": error.message}
        return render(request, "commerce/catalog/seller_register.html", context, status=error.http_status)
    messages.success(request, _("已提交登记：%(name)s，等待县级管理员审核") % {"name": seller.name})
    return redirect("shop:seller-register")


@user_passes_test(_reads_sellers)
def seller_review_page(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", SellerStatus.PENDING)
    if status not in SellerStatus.values:
        status = SellerStatus.PENDING
    page = Paginator(seller_list_for_review(actor=request.user, status=status), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "commerce/catalog/seller_review.html",
        {
            "page": page,
            "status": status,
            "statuses": SellerStatus.choices,
            "can_verify": user_can(request.user, Permission.SELLER_VERIFY),
        },
    )


@require_POST
@user_passes_test(_verifies_sellers)
def seller_verify_action(request: HttpRequest, seller_id: int) -> HttpResponse:
    try:
        seller = seller_verify(
            seller=seller_get(seller_id=seller_id),
            actor=request.user,
            approve=request.POST.get("approve") == "1",
            now=timezone.now(),
        )
    except NotFound as error:
        raise Http404(error.message) from None
    except DomainError as error:
        messages.warning(request, error.message)
    else:
        messages.success(
            request, _("%(name)s：%(status)s") % {"name": seller.name, "status": seller.get_status_display()}
        )
    return redirect("shop:seller-review")


# --- The seller's products -----------------------------------------------------------------------

PRODUCT_FORM_FIELDS = (
    "name",
    "category",
    "direction",
    "unit",
    "price",
    "stock",
    "weight_g",
    "origin_village",
    "description",
)


def _seller_managed(request: HttpRequest) -> Seller:
    """The shop the page manages: the user's own, or ``?seller=<id>`` for who acts for sellers there."""
    seller_id = request.GET.get("seller", "")
    if seller_id.isdigit():
        try:
            seller = seller_get(seller_id=int(seller_id))
        except NotFound as error:
            raise Http404(error.message) from None
        try:
            seller_check_acts_for(seller, request.user)
        except DomainError as error:
            raise PermissionDenied(error.message) from None
        return seller
    own = seller_for(actor=request.user)
    if own is None:
        raise PermissionDenied(_("只有卖家可以查看"))
    return own


def _int_field(value: str, *, field: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ValidationFailed(f"invalid_{field}", _("必须是整数"), field=field) from None


def _product_values(form: dict[str, str]) -> dict[str, Any]:
    """The form's fields as the product services take them; bad numbers refused with their field."""
    origin = form["origin_village"]
    return {
        "name": form["name"],
        "category": form["category"],
        "direction": form["direction"],
        "unit": form["unit"],
        "price_fen": parse_yuan(form["price"], field="price_fen"),
        "stock": _int_field(form["stock"], field="stock"),
        "weight_g": _int_field(form["weight_g"], field="weight_g"),
        "origin_village": village_get(code=origin, field="origin_village") if origin else None,
        "description": form["description"],
    }


def _product_form_context(form: dict[str, str], errors: dict[str, str], **extra: object) -> dict[str, object]:
    return {
        "form": form,
        "errors": errors,
        "categories": Category.choices,
        "directions": Direction.choices,
        "villages": Region.objects.filter(level=RegionLevel.VILLAGE)
        .select_related("parent")
        .order_by("code"),
        "inspection_results": InspectionResult.choices,
        **extra,
    }


@login_required
def seller_products_page(request: HttpRequest) -> HttpResponse:
    """The shop's products, paused ones included, each with its edit page."""
    seller = _seller_managed(request)
    return render(
        request,
        "commerce/catalog/seller_products.html",
        {"seller": seller, "products": seller_products(seller=seller)},
    )


@login_required
def seller_product_create_page(request: HttpRequest) -> HttpResponse:
    seller = _seller_managed(request)
    form = {key: request.POST.get(key, "").strip() for key in PRODUCT_FORM_FIELDS}
    form.setdefault("direction", Direction.UPWARD)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            product = product_create(
                seller=seller, actor=request.user, now=timezone.now(), **_product_values(form)
            )
        except DomainError as error:
            errors = {error.field or "form": error.message}
            context = _product_form_context(form, errors, seller=seller, product=None)
            return render(
                request, "commerce/catalog/seller_product_form.html", context, status=error.http_status
            )
        messages.success(request, _("已上架：%(name)s，可以继续添加图片和溯源批次") % {"name": product.name})
        return redirect("shop:seller-product", product_id=product.pk)
    context = _product_form_context(form, errors, seller=seller, product=None)
    return render(request, "commerce/catalog/seller_product_form.html", context)


def _product_form_initial(product: Product) -> dict[str, str]:
    """The product form's fields as they stand for ``product`` (price in yuan, no thousands separator)."""
    return {
        "name": product.name,
        "category": product.category,
        "direction": product.direction,
        "unit": product.unit,
        "price": format_fen(product.price_fen, symbol=False).replace(",", ""),
        "stock": str(product.stock),
        "weight_g": str(product.weight_g),
        "origin_village": product.origin_village.code if product.origin_village else "",
        "description": product.description,
    }


@login_required
def seller_product_page(request: HttpRequest, product_id: int) -> HttpResponse:
    """Edit a product (price, stock, category, unit, origin, description), with its photos and batch."""
    try:
        product = product_of_seller_get(product_id=product_id, actor=request.user)
    except NotFound as error:
        raise Http404(error.message) from None
    if request.method == "POST":
        form = {key: request.POST.get(key, "").strip() for key in PRODUCT_FORM_FIELDS}
    else:
        form = _product_form_initial(product)
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        try:
            product_update(product=product, actor=request.user, changes=_product_values(form))
        except DomainError as error:
            errors = {error.field or "form": error.message}
            status = error.http_status
        else:
            messages.success(request, _("已保存：%(name)s") % {"name": form["name"]})
            return redirect("shop:seller-product", product_id=product.pk)
    context = _product_form_context(form, errors, seller=product.seller, product=product)
    return render(request, "commerce/catalog/seller_product_form.html", context, status=status)


@require_POST
@login_required
def seller_product_active_action(request: HttpRequest, product_id: int) -> HttpResponse:
    """Pause a product (no longer shown or sold) or put it back on sale."""
    try:
        product = product_of_seller_get(product_id=product_id, actor=request.user)
        product = product_update(
            product=product, actor=request.user, changes={"is_active": request.POST.get("active") == "1"}
        )
    except NotFound as error:
        raise Http404(error.message) from None
    except DomainError as error:
        messages.warning(request, error.message)
    else:
        messages.success(
            request,
            (_("已恢复在售：%(name)s") if product.is_active else _("已暂停销售：%(name)s"))
            % {"name": product.name},
        )
    return redirect("shop:seller-product", product_id=product_id)


@require_POST
@login_required
def seller_product_photo_action(request: HttpRequest, product_id: int) -> HttpResponse:
    """Upload a photo: refused with a form error when it is not a picture or too large."""
    try:
        product = product_of_seller_get(product_id=product_id, actor=request.user)
    except NotFound as error:
        raise Http404(error.message) from None
    upload = request.FILES.get("photo")
    try:
        if upload is None:
            raise ValidationFailed("required", _("请选择图片"), field="photo")
        product_photo_add(product=product, actor=request.user, upload=upload, size=upload.size or 0)
    except DomainError as error:
        form = _product_form_initial(product)
        context = _product_form_context(
            form, {error.field or "photo": error.message}, seller=product.seller, product=product
        )
        return render(request, "commerce/catalog/seller_product_form.html", context, status=error.http_status)
    messages.success(request, _("图片已上传"))
    return redirect("shop:seller-product", product_id=product_id)


@require_POST
@login_required
def seller_product_photo_arrange_action(request: HttpRequest, product_id: int, index: int) -> HttpResponse:
    """Make a photo the first one, or remove it; a refusal comes back as a message on the product."""
    try:
        product = product_of_seller_get(product_id=product_id, actor=request.user)
    except NotFound as error:
        raise Http404(error.message) from None
    move = request.POST.get("move", "")
    try:
        product_photo_arrange(product=product, actor=request.user, index=index, move=move)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("shop:seller-product", product_id=product_id)
    messages.success(request, _("图片已删除") if move == "remove" else _("已设为首图"))
    return redirect("shop:seller-product", product_id=product_id)
