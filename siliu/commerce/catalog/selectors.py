"""Sellers and products, read: the shop list, a product, the review queue, a seller by ID number.

ID numbers are shown masked; the full number only to its owner and auditors
(:func:`seller_id_number_reveal`).
"""

from collections.abc import Collection

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from siliu.commerce.catalog import identity
from siliu.commerce.models import (
    Category,
    Direction,
    Product,
    Seller,
    SellerStatus,
)
from siliu.core.errors import NotFound, PermissionRefused, ValidationFailed
from siliu.core.permissions import Permission, user_can, user_can_at, user_outlet_ids
from siliu.core.roles import (
    Actor,
)
from siliu.network.models import Outlet, Region, RegionLevel
from siliu.network.selectors import township_get


def seller_find_by_id_number(*, id_number: str, kind: str, actor: Actor) -> Seller | None:
    """The seller registered with ``id_number`` (found by its keyed hash), or ``None``.

    Raises
    ------
    PermissionRefused
        ``not_county_manager`` unless the actor is a county manager, auditor or staff.
    ValidationFailed
        ``invalid_id_number`` when the number is not valid for ``kind``.
    """
    if not user_can(actor, Permission.SELLER_READ):
        raise PermissionRefused("not_county_manager", _("只有县级管理员可以按证件号查找卖家"))
    number = identity.id_number_validate(kind=kind, id_number=id_number)
    seller = (
        Seller.objects.select_related("home_outlet")
        .filter(id_number_hash=identity.id_number_hash(number))
        .first()
    )
    # A seller elsewhere is not told apart from none.
    if seller is None or not user_can_at(actor, Permission.SELLER_READ, seller.home_outlet):
        return None
    return seller


def seller_id_number_reveal(*, seller: Seller, actor: Actor) -> str:
    """The seller's full ID number, for the seller themselves and auditors.

    Raises
    ------
    PermissionRefused
        ``not_owner`` for anyone else (everyone else sees ``seller.id_number_masked``).
    """
    if not actor.is_authenticated or not (
        actor.pk == seller.user_id or user_can_at(actor, Permission.SELLER_ID_REVEAL, seller.home_outlet)
    ):
        raise PermissionRefused("not_owner", _("只有本人和审计员可以查看完整证件号"))
    return identity.id_number_decrypt(seller.id_number_encrypted)


def seller_list_for_review(*, actor: Actor, status: str | None = SellerStatus.PENDING) -> QuerySet[Seller]:
    """Sellers for the county manager's verification list (those whose home outlet is where ``actor``
    holds ``seller.read``), oldest registration first."""
    sellers = Seller.objects.select_related("user", "village", "village__parent", "home_outlet")
    places = user_outlet_ids(actor, Permission.SELLER_READ)
    if places is not None:
        sellers = sellers.filter(home_outlet_id__in=places)
    if status:
        sellers = sellers.filter(status=status)
    return sellers.order_by("created_at", "pk")


def seller_get(*, seller_id: int) -> Seller:
    """Raises ``NotFound`` (``unknown_seller``) when there is no such seller."""
    seller = Seller.objects.select_related("village", "village__parent").filter(pk=seller_id).first()
    if seller is None:
        raise NotFound("unknown_seller", _("没有这个卖家"), field="seller")
    return seller


def village_get(*, code: str, field: str = "village") -> Region:
    """The village with administrative code ``code``.

    Raises
    ------
    ValidationFailed
        ``unknown_village`` (on ``field``) when no village has that code.
    """
    village = Region.objects.filter(code=(code or "").strip(), level=RegionLevel.VILLAGE).first()
    if village is None:
        raise ValidationFailed("unknown_village", _("没有代码为 %(code)s 的村") % {"code": code}, field=field)
    return village


def outlet_get_for_code(*, code: str, field: str = "home_outlet") -> Outlet:
    """The outlet with ``code``, as named in a form or request body.

    Raises
    ------
    ValidationFailed
        ``unknown_outlet`` (on ``field``): a bad code in a body is bad input, not a missing page.
    """
    outlet = Outlet.objects.filter(code=(code or "").strip()).first()
    if outlet is None:
        raise ValidationFailed(
            "unknown_outlet", _("没有编码为 %(code)s 的网点") % {"code": code}, field=field
        )
    return outlet


def product_list(
    *,
    search: str | None = None,
    category: str | None = None,
    township: str | None = None,
    direction: str | None = None,
) -> QuerySet[Product]:
    """Products on sale from verified sellers, filtered; by name.

    ``township`` is a 9-digit township code and matches the product's origin village or, when it
    has none, the seller's village. ``search`` matches the product's name and description, the
    seller's name and the village's name.

    Raises
    ------
    ValidationFailed
        ``invalid_category`` (``category``), ``invalid_direction`` (``direction``), ``unknown_township``
        (``township``).
    """
    products = Product.objects.filter(is_active=True, seller__status=SellerStatus.VERIFIED).select_related(
        "seller", "origin_village", "origin_village__parent", "trace_batch"
    )
    if category:
        if category not in Category.values:
            raise ValidationFailed(
                "invalid_category",
                _("品类应为 %(values)s 之一") % {"values": ", ".join(Category.values)},
                field="category",
            )
        products = products.filter(category=category)
    if direction:
        if direction not in Direction.values:
            raise ValidationFailed(
                "invalid_direction",
                _("方向应为 %(values)s 之一") % {"values": ", ".join(Direction.values)},
                field="direction",
            )
        products = products.filter(direction=direction)
    if township:
        region = township_get(code=township)
        products = products.filter(
            Q(origin_village__parent=region) | Q(origin_village__isnull=True, seller__village__parent=region)
        )
    if search and search.strip():
        text = search.strip()
        products = products.filter(
            Q(name__icontains=text)
            | Q(description__icontains=text)
            | Q(seller__name__icontains=text)
            | Q(origin_village__name__icontains=text)
        )
    return products.order_by("name", "pk")


def product_get(*, product_id: int) -> Product:
    """A product on sale, with its seller, origin and trace batch.

    Raises
    ------
    NotFound
        ``unknown_product`` when there is none, it is withdrawn, or its seller is not verified.
    """
    product = (
        product_list()
        .select_related("seller__village", "seller__village__parent")
        .filter(pk=product_id)
        .first()
    )
    if product is None:
        raise NotFound("unknown_product", _("没有这个商品或已下架"), field="product")
    return product


def seller_for(*, actor: Actor) -> Seller | None:
    """The seller the actor is, if any."""
    if not actor.is_authenticated:
        return None
    return Seller.objects.select_related("home_outlet").filter(user_id=actor.pk).first()


def seller_user_ids_at(*, outlet_ids: Collection[int]) -> list[int]:
    """The users whose shops have their home at ``outlet_ids`` (lending reads a county's sellers)."""
    return list(Seller.objects.filter(home_outlet_id__in=outlet_ids).values_list("user_id", flat=True))


def seller_products(*, seller: Seller) -> QuerySet[Product]:
    """Every product of ``seller``, paused ones included, by name (the seller's own list)."""
    return Product.objects.filter(seller=seller).select_related("trace_batch").order_by("name", "pk")


def product_of_seller_get(*, product_id: int, actor: Actor) -> Product:
    """A product, paused or not, for its seller or who acts for sellers at its seller's home outlet.

    Raises
    ------
    NotFound
        ``unknown_product`` when there is none or the actor may not manage it (not told apart).
    """
    product = (
        Product.objects.select_related("seller", "seller__home_outlet", "trace_batch")
        .filter(pk=product_id)
        .first()
    )
    if product is None or not (
        actor.is_authenticated
        and (
            actor.pk == product.seller.user_id
            or user_can_at(actor, Permission.SELLER_ACT_FOR, product.seller.home_outlet)
        )
    ):
        raise NotFound("unknown_product", _("没有这个商品"), field="product")
    return product
