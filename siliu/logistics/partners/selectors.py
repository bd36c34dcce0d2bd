"""Partner couriers, read: the partners and a manifest's parcels."""

from django.utils.translation import gettext as _

from siliu.core.errors import NotFound
from siliu.logistics.models import (
    Partner,
    PartnerManifest,
)


def partner_list() -> list[Partner]:
    """All partners, by code."""
    return list(Partner.objects.order_by("code"))


def partner_get(*, code: str) -> Partner:
    """The partner with ``code``.

    Raises
    ------
    NotFound
        ``unknown_partner``.
    """
    partner = Partner.objects.filter(code=code).first()
    if partner is None:
        raise NotFound(
            "unknown_partner", _("没有代码为 %(code)s 的合作快递") % {"code": code}, field="partner"
        )
    return partner


def manifest_tracking_numbers(*, manifest: PartnerManifest) -> list[str]:
    """The numbers of a manifest's parcels, in row order."""
    return list(manifest.parcels.order_by("pk").values_list("tracking_number", flat=True))
