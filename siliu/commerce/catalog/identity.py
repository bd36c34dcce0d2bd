"""Sellers' identifying numbers: validated, stored encrypted, shown masked, found by a keyed hash.

Cooperatives, family farms and merchants are identified by their unified social credit code
(统一社会信用代码, ``stdnum.cn.uscc``); individual farmers by their resident ID number
(居民身份证号码, ``stdnum.cn.ric``).

Keys
----
``settings.SILIU_FIELD_KEY``, when set, is the Fernet key for the encrypted column. When it is not
set, a Fernet key is derived from ``SECRET_KEY`` with HKDF-SHA256 (info ``b"siliu-field-key"``).
The key of the lookup hash (HMAC-SHA256) is derived with HKDF-SHA256 (info ``b"siliu-search-key"``)
from the same secret material, so one secret governs both; rotating it means re-encrypting and
re-hashing every seller.
"""

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.utils.translation import gettext as _
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumValidationError

from siliu.commerce.models import SellerKind
from siliu.core.errors import ValidationFailed

FIELD_KEY_INFO = b"siliu-field-key"
SEARCH_KEY_INFO = b"siliu-search-key"

#: Characters kept visible at each end of a masked number.
MASK_HEAD = 6
MASK_TAIL = 4


def _secret_material() -> bytes:
    field_key: str = getattr(settings, "SILIU_FIELD_KEY", "") or ""
    return (field_key or settings.SECRET_KEY).encode()


def _derive(info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(_secret_material())


def _fernet() -> Fernet:
    field_key: str = getattr(settings, "SILIU_FIELD_KEY", "") or ""
    if field_key:
        return Fernet(field_key.encode())
    return Fernet(base64.urlsafe_b64encode(_derive(FIELD_KEY_INFO)))


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
    module = ric if uses_resident_id(kind) else uscc
    try:
        return str(module.validate(id_number or "")).upper()
    except StdnumValidationError:
        if uses_resident_id(kind):
            message = _("居民身份证号码不正确（18 位，校验位、出生日期或地区码有误）")
        else:
            message = _("统一社会信用代码不正确（18 位，校验位有误）")
        raise ValidationFailed("invalid_id_number", message, field="id_number") from None


def id_number_encrypt(id_number: str) -> str:
    """A Fernet token (text) for the number; each call gives a different token."""
    return _fernet().encrypt(id_number.encode()).decode()


def id_number_decrypt(token: str) -> str:
    """The number inside a token made by :func:`id_number_encrypt`.

    Raises
    ------
    cryptography.fernet.InvalidToken
        when the token was made with another key or altered.
    """
    return _fernet().decrypt(token.encode()).decode()


def id_number_hash(id_number: str) -> str:
    """The keyed lookup hash (64 hex digits) of a compact, canonical number: equal numbers, equal hashes."""
    return hmac.new(_derive(SEARCH_KEY_INFO), id_number.upper().encode(), hashlib.sha256).hexdigest()


def id_number_mask(id_number: str) -> str:
    """``11010519491231002X`` → ``110105********002X``: first 6 and last 4 kept."""
    if len(id_number) <= MASK_HEAD + MASK_TAIL:
        return "*" * len(id_number)
    hidden = len(id_number) - MASK_HEAD - MASK_TAIL
    return f"{id_number[:MASK_HEAD]}{'*' * hidden}{id_number[-MASK_TAIL:]}"


__all__ = [
    "InvalidToken",
    "id_number_decrypt",
    "id_number_encrypt",
    "id_number_hash",
    "id_number_mask",
    "id_number_validate",
    "uses_resident_id",
]
