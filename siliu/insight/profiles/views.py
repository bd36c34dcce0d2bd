"""经营概况: a seller's four flows on one page, for the seller (``/insight/me/``) and for who may look at
it (``/insight/sellers/<id>/``: a county manager in their county, an auditor, a loan officer while the
seller consents)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from siliu.commerce.catalog.selectors import seller_for
from siliu.commerce.models import Seller
from siliu.core.errors import NotFound, PermissionRefused
from siliu.core.permissions import Permission, user_can_at
from siliu.insight.profiles.selectors import profile_seller_for, seller_profile
from siliu.lending.credit.selectors import consent_in_force


def _render(request: HttpRequest, seller: Seller, *, own: bool) -> HttpResponse:
    profile = seller_profile(seller=seller, today=timezone.localdate())
    # A loan officer looks by the seller's consent: the page says so.
    by_consent = not own and not user_can_at(request.user, Permission.SELLER_READ, seller.home_outlet)
    return render(
        request,
        "insight/profiles/profile.html",
        {
            "profile": profile,
            "seller": seller,
            "own": own,
            "chart": profile.chart(),
            "consent": consent_in_force(subject=seller.user) if by_consent else None,
        },
    )


@login_required
def my_profile_page(request: HttpRequest) -> HttpResponse:
    """The logged-in seller's own profile; a user without a shop is told so (and where to register)."""
    seller = seller_for(actor=request.user)
    if seller is None:
        return render(request, "insight/profiles/no_shop.html")
    return _render(request, seller, own=True)


@login_required
def seller_profile_page(request: HttpRequest, seller_id: int) -> HttpResponse:
    """One seller's profile (:func:`~siliu.insight.profiles.selectors.profile_seller_for` says who may)."""
    try:
        seller = profile_seller_for(seller_id=seller_id, actor=request.user)
    except PermissionRefused as error:
        raise PermissionDenied(error.message) from None
    except NotFound as error:
        raise Http404(error.message) from None
    return _render(request, seller, own=seller.user_id == request.user.pk)
