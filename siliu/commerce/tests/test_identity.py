"""ID numbers: validation with python-stdnum, encryption, masking and the keyed lookup hash."""

from typing import Any

import pytest
from cryptography.fernet import Fernet, InvalidToken

from siliu.commerce.catalog import identity
from siliu.commerce.models import SellerKind
from siliu.commerce.tests.catalog_fixtures import COOPERATIVE_USCC, FARMER_RIC, make_ric, make_uscc
from siliu.core.errors import ValidationFailed


@pytest.mark.parametrize("kind", [SellerKind.COOPERATIVE, SellerKind.FAMILY_FARM, SellerKind.MERCHANT])
def test_valid_social_credit_code_is_accepted_and_compacted(kind: SellerKind) -> None:
    """Organisations give a unified social credit code; spaces and case are normalised."""
    spaced = f" {COOPERATIVE_USCC[:6]} {COOPERATIVE_USCC[6:]} ".lower()
    assert identity.id_number_validate(kind=kind, id_number=spaced) == COOPERATIVE_USCC


def test_valid_resident_id_is_accepted_for_a_farmer() -> None:
    """An individual farmer gives a resident ID number; the X check digit is kept upper case."""
    assert FARMER_RIC == "11010519491231002X"
    assert identity.id_number_validate(kind=SellerKind.FARMER, id_number=FARMER_RIC.lower()) == FARMER_RIC


@pytest.mark.parametrize(
    ("kind", "number"),
    [
        (SellerKind.COOPERATIVE, COOPERATIVE_USCC[:-1] + ("0" if COOPERATIVE_USCC[-1] != "0" else "1")),
        (SellerKind.COOPERATIVE, COOPERATIVE_USCC[:-1]),
        (SellerKind.COOPERATIVE, FARMER_RIC[:8] + "IOZSV" + FARMER_RIC[13:]),
        (SellerKind.FARMER, FARMER_RIC[:-1] + "1"),
        (SellerKind.FARMER, make_ric("11010519491331002")),  # month 13
        (SellerKind.FARMER, make_ric("99999919491231002")),  # unknown birth place
        (SellerKind.FARMER, COOPERATIVE_USCC),  # an organisation's code is not a person's ID
        (SellerKind.MERCHANT, ""),
    ],
)
def test_invalid_numbers_are_refused_on_the_id_number_field(kind: SellerKind, number: str) -> None:
    """Wrong check digit, length, format, birth date or place: ``invalid_id_number`` on ``id_number``."""
    with pytest.raises(ValidationFailed) as refused:
        identity.id_number_validate(kind=kind, id_number=number)
    assert refused.value.code == "invalid_id_number"
    assert refused.value.field == "id_number"


def test_generated_codes_are_valid_for_stdnum() -> None:
    """The test helpers build numbers stdnum accepts."""
    assert identity.id_number_validate(kind=SellerKind.MERCHANT, id_number=make_uscc("91610199MA6X12345"))


def test_encryption_round_trip_and_fresh_tokens() -> None:
    """A token decrypts to the number; two encryptions differ and neither shows the number."""
    first = identity.id_number_encrypt(FARMER_RIC)
    second = identity.id_number_encrypt(FARMER_RIC)
    assert first != second
    assert FARMER_RIC not in first
    assert identity.id_number_decrypt(first) == FARMER_RIC
    assert identity.id_number_decrypt(second) == FARMER_RIC


def test_configured_field_key_is_used(settings: Any) -> None:
    """With SILIU_FIELD_KEY set, tokens are that key's; a token made under another key is refused."""
    derived_token = identity.id_number_encrypt(FARMER_RIC)
    key = Fernet.generate_key()
    settings.SILIU_FIELD_KEY = key.decode()
    token = identity.id_number_encrypt(FARMER_RIC)
    assert Fernet(key).decrypt(token.encode()).decode() == FARMER_RIC
    with pytest.raises(InvalidToken):
        identity.id_number_decrypt(derived_token)


def test_mask_keeps_first_six_and_last_four() -> None:
    """``110105********002X``."""
    assert identity.id_number_mask(FARMER_RIC) == "110105********002X"
    assert (
        identity.id_number_mask(COOPERATIVE_USCC) == COOPERATIVE_USCC[:6] + "********" + COOPERATIVE_USCC[-4:]
    )
    assert identity.id_number_mask("12345") == "*****"


def test_lookup_hash_is_keyed_and_stable(settings: Any) -> None:
    """Equal numbers give equal hashes (64 hex), not a plain SHA-256; another secret, another hash."""
    import hashlib

    first = identity.id_number_hash(FARMER_RIC)
    assert first == identity.id_number_hash(FARMER_RIC.lower())
    assert len(first) == 64
    assert first != hashlib.sha256(FARMER_RIC.encode()).hexdigest()
    assert first != identity.id_number_hash(COOPERATIVE_USCC)
    settings.SECRET_KEY = "another-secret"
    assert identity.id_number_hash(FARMER_RIC) != first
