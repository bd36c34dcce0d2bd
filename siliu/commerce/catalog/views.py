"""Storefront pages: browse by township and category, a product with its farm and batch, seller
registration and the county manager's verification list. Mounted at ``/shop/``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, user_passes_test
from django.contrib.auth.models import User
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
    seller_for,
    seller_get,
    seller_list_for_review,
    village_get,
)
from siliu.commerce.catalog.services import seller_register, seller_verify
from siliu.commerce.models import Category, SellerKind, SellerStatus
from siliu.core.errors import DomainError, NotFound, ValidationFailed
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
