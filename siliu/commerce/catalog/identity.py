"""Sellers' identifying numbers: validated, stored encrypted, shown masked, found by a keyed hash.

Cooperatives, family farms and merchants are identified by their unified social credit code
(统一社会信用代码, ``stdnum.cn.uscc``); individual farmers by their resident ID number
(居民身份证号码, ``stdnum.cn.ric``). The encryption, keyed hash and mask are
:mod:`siliu.core.identity`'s, shared with villagers' profiles.
"""

from django.utils.translation import gettext as _
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumValidationError

from siliu.commerce.models import SellerKind
from siliu.core.errors import ValidationFailed
from siliu.core.identity import (
    InvalidToken,
    id_number_decrypt,
    id_number_encrypt,
    id_number_hash,
    id_number_mask,
    resident_id_validate,
)


def uses_resident_id(kind: str) -> bool:
    """Whether sellers of ``kind`` are identified by a resident ID (else by a social credit code)."""
    return kind == SellerKind.FARMER


def id_number_validate(*, kind: str, id_number: str) -> str:
    """The number in its compact canonical form (no spaces, upper case), checked for ``kind``.

    Raises
    ------
    ValidationFailed
        ``invalid_id_number`` (field ``id_number``) when the number's length, format, check digit (or,
        for a resident ID, birth date or place) is wrong.
    """
    if uses_resident_id(kind):
        return resident_id_validate(id_number)
    try:
        return str(uscc.validate(id_number or "")).upper()
    except StdnumValidationError:
        message = _("统一社会信用代码不正确（18 位，校验位有误）")
        raise ValidationFailed("invalid_id_number", message, field="id_number") from None


__all__ = [
    "InvalidToken",
    "id_number_decrypt",
    "id_number_encrypt",
    "id_number_hash",
    "id_number_mask",
    "id_number_validate",
    "uses_resident_id",
]
