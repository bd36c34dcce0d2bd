"""People's identifying numbers: validated, stored encrypted, shown masked, found by a keyed hash.

Resident ID numbers (居民身份证号码, ``stdnum.cn.ric``) of villagers and farmers, unified social credit
codes of sellers (in :mod:`siliu.commerce.catalog.identity`), and mainland mobile numbers.

Keys
----
``settings.SILIU_FIELD_KEY``, when set, is the Fernet key for the encrypted columns. When it is not
set, a Fernet key is derived from ``SECRET_KEY`` with HKDF-SHA256 (info ``b"siliu-field-key"``).
The key of the lookup hash (HMAC-SHA256) is derived with HKDF-SHA256 (info ``b"siliu-search-key"``)
from the same secret material, so one secret governs both; rotating it means re-encrypting and
re-hashing every stored number.
"""

import base64
import hashlib
import hmac
import re

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.utils.translation import gettext as _
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumValidationError

from siliu.core.errors import ValidationFailed

FIELD_KEY_INFO = b"siliu-field-key"
SEARCH_KEY_INFO = b"siliu-search-key"

#: Characters kept visible at each end of a masked number.
MASK_HEAD = 6
MASK_TAIL = 4

#: A mainland mobile number: 11 digits starting 13–19.
MOBILE_PATTERN = re.compile(r"1[3-9]\d{9}")


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


def resident_id_validate(id_number: str, *, field: str = "id_number") -> str:
    """A resident ID number in its compact canonical form (18 characters, upper-case ``X``).

    Raises
    ------
    ValidationFailed
        ``invalid_id_number`` (naming ``field``) when its length, check digit, birth date or place is wrong.
    """
    try:
        return str(ric.validate(id_number or "")).upper()
    except StdnumValidationError:
        raise ValidationFailed(
            "invalid_id_number",
            _("居民身份证号码不正确（18 位，校验位、出生日期或地区码有误）"),
            field=field,
        ) from None


def mobile_validate(phone: str, *, field: str = "phone") -> str:
    """A mainland mobile number as 11 digits (spaces, dashes and a leading ``+86`` dropped).

    Raises
    ------
    ValidationFailed
        ``invalid_phone`` (naming ``field``) unless it is 11 digits starting 13–19.
    """
    digits = re.sub(r"[\s-]", "", phone or "")
    digits = digits.removeprefix("+86")
    if not MOBILE_PATTERN.fullmatch(digits):
        raise ValidationFailed("invalid_phone", _("手机号应为 11 位数字，以 13–19 开头"), field=field)
    return digits


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


def mobile_mask(phone: str) -> str:
    """``13812341234`` → ``138****1234``: enough to recognise, not to call; ``""`` stays ``""``."""
    if not phone:
        return ""
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) > 7 else "****"


def name_mask(name: str) -> str:
    """``张三丰`` → ``张**``: the surname kept, the given name hidden (lists show no full names)."""
    return f"{name[0]}{'*' * (len(name) - 1)}" if name else ""


__all__ = [
    "InvalidToken",
    "id_number_decrypt",
    "id_number_encrypt",
    "id_number_hash",
    "id_number_mask",
    "mobile_mask",
    "mobile_validate",
    "name_mask",
    "resident_id_validate",
]
