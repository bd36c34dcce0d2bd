"""The seller's tools: payouts to a bank account, product photos, the monthly statement, and the pages."""

import datetime
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from PIL import Image

from siliu.commerce.catalog.services import product_photo_add
from siliu.commerce.models import Payout, PayoutEvent, Seller
from siliu.commerce.orders.selectors import seller_money, seller_monthly_statement
from siliu.commerce.orders.services import (
    payout_mark_paid,
    payout_reject,
    payout_request,
    seller_payable_code,
    seller_withdraw,
)
from siliu.commerce.tests.conftest import Shop
from siliu.core.errors import Conflict, NotFound, PermissionRefused, ValidationFailed
from siliu.core.roles import Role
from siliu.finance import chart
from siliu.finance.models import Account, Entry, Transfer
from siliu.finance.selectors import trial_balance
from siliu.finance.services import system_account, transfer_create
from siliu.logistics.tests.conftest import SHANGHAI

ACCOUNT = {
    "account_name": "王家村猕猴桃专业合作社",
    "bank_name": "农业银行青龙支行",
    "account_number": "6228 4800 1234 5678 901",
}


def at(day: int, hour: int = 10, month: int = 11) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, tzinfo=SHANGHAI)


def settle(seller: Seller, amount_fen: int, *, now: datetime.datetime, tag: str) -> None:
    """Credit ``seller``'s payable as a settlement would (from capital, for tests)."""
    system_account(code=chart.CAPITAL)
    from siliu.commerce.orders.services import seller_payable_open

    transfer_create(
        id=f"test:settle:{tag}",
        debit_account=chart.CAPITAL,
        credit_account=seller_payable_open(seller=seller),
        amount_fen=amount_fen,
        category="settlement",
        now=now,
    )


def balance(code: str) -> int:
    account = Account.objects.filter(code=code).first()
    return account.credits_posted - account.debits_posted if account else 0


def ledger_rows() -> tuple[int, int, int]:
    return Transfer.objects.count(), Entry.objects.count(), Payout.objects.count()


@pytest.fixture
def finance(make_user: Callable[..., User]) -> User:
    return make_user(username="caiwu", is_superuser=True)


def test_payout_request_holds_the_amount_at_once(shop: Shop) -> None:
    """Requesting moves the amount from the payable to payouts pending; the seller sees it pending."""
    settle(shop.cooperative, 50_000, now=at(2), tag="1")
    payout = payout_request(
        seller=shop.cooperative,
        actor=shop.cooperative.user,
        key="p1",
        amount_fen=30_001,
        now=at(3),
        **ACCOUNT,
    )
    assert (payout.status, payout.amount_fen, payout.account_number_masked) == (
        "requested",
        30_001,
        "6228 **** **** 8901",
    )
    assert "6228480012345678901" not in payout.account_number_encrypted
    assert balance(seller_payable_code(shop.cooperative)) == 19_999
    assert balance(chart.SELLER_PAYOUTS_PENDING) == 30_001
    money = seller_money(seller=shop.cooperative)
    assert (money.payable_fen, money.payouts_pending_fen) == (19_999, 30_001)
    assert trial_balance().is_balanced


def test_payout_paid_goes_to_the_bank(shop: Shop, finance: User) -> None:
    """Marking paid moves the amount on to the bank; the trial balance stays equal."""
    settle(shop.cooperative, 50_000, now=at(2), tag="1")
    payout = payout_request(
        seller=shop.cooperative,
        actor=shop.cooperative.user,
        key="p1",
        amount_fen=30_001,
        now=at(3),
        **ACCOUNT,
    )
    payout = payout_mark_paid(payout_id=payout.pk, actor=finance, note="网银 0001", now=at(4))
    assert (payout.status, payout.decided_by, payout.decided_at) == ("paid", finance, at(4))
    assert balance(seller_payable_code(shop.cooperative)) == 19_999
    assert balance(chart.SELLER_PAYOUTS_PENDING) == 0
    assert Account.objects.get(code=chart.BANK).credits_posted == 30_001
    assert list(PayoutEvent.objects.filter(payout=payout).values_list("to_status", flat=True)) == [
        "requested",
        "paid",
    ]
    ledger = trial_balance()
    assert ledger.is_balanced
    assert ledger.total_debits_posted == ledger.total_credits_posted == 50_000 + 30_001 * 2


def test_payout_rejected_comes_back_to_the_payable(shop: Shop, finance: User) -> None:
    """Rejecting returns the amount to the payable, to the fen."""
    settle(shop.cooperative, 50_000, now=at(2), tag="1")
    payout = payout_request(
        seller=shop.cooperative,
        actor=shop.cooperative.user,
        key="p1",
        amount_fen=30_001,
        now=at(3),
        **ACCOUNT,
    )
    payout_reject(payout_id=payout.pk, actor=finance, note="户名不符", now=at(4))
    assert balance(seller_payable_code(shop.cooperative)) == 50_000
    assert balance(chart.SELLER_PAYOUTS_PENDING) == 0
    assert trial_balance().is_balanced
    with pytest.raises(Conflict) as refused:
        payout_mark_paid(payout_id=payout.pk, actor=finance, now=at(5))
    assert refused.value.code == "invalid_transition"


def test_payout_retry_books_once(shop: Shop) -> None:
    """The same request sent twice answers with the first payout and books nothing more."""
    settle(shop.cooperative, 50_000, now=at(2), tag="1")
    first = payout_request(
        seller=shop.cooperative,
        actor=shop.cooperative.user,
        key="p1",
        amount_fen=20_000,
        now=at(3),
        **ACCOUNT,
    )
    rows = ledger_rows()
    again = payout_request(
        seller=shop.cooperative,
        actor=shop.cooperative.user,
        key="p1",
        amount_fen=20_000,
        now=at(3),
        **ACCOUNT,
    )
    assert again.pk == first.pk
    assert ledger_rows() == rows
    assert balance(seller_payable_code(shop.cooperative)) == 30_000
    with pytest.raises(Conflict) as refused:
        payout_request(
            seller=shop.cooperative,
            actor=shop.cooperative.user,
            key="p1",
            amount_fen=20_001,
            now=at(3),
            **ACCOUNT,
        )
    assert (refused.value.code, refused.value.field) == ("key_reused", "key")
    assert ledger_rows() == rows


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"amount_fen": 50_001}, "exceeds_credits", None),
        ({"amount_fen": 0}, "invalid_amount", "amount_fen"),
        ({"account_number": "6228-48"}, "invalid_account_number", "account_number"),
        ({"account_number": "6228 4800 1234 abcd"}, "invalid_account_number", "account_number"),
        ({"account_name": " "}, "required", "account_name"),
        ({"key": ""}, "invalid", "key"),
    ],
)
def test_a_refused_payout_writes_nothing(
    shop: Shop, changes: dict[str, object], code: str, field: str | None
) -> None:
    """Each refusal has its code and field, and leaves the ledger and the payouts as they were."""
    settle(shop.cooperative, 50_000, now=at(2), tag="1")
    rows = ledger_rows()
    arguments: dict[str, object] = {"key": "p1", "amount_fen": 10_000, **ACCOUNT, **changes}
    with pytest.raises((Conflict, ValidationFailed)) as refused:
        payout_request(seller=shop.cooperative, actor=shop.cooperative.user, now=at(3), **arguments)  # type: ignore[arg-type]
    assert (refused.value.code, refused.value.field) == (code, field)
    assert ledger_rows() == rows
    assert balance(seller_payable_code(shop.cooperative)) == 50_000


def test_only_the_seller_or_the_county_asks_and_only_finance_pays(
    shop: Shop, make_user: Callable[..., User]
) -> None:
    """Another seller may not request; a county manager may not mark paid."""
    settle(shop.cooperative, 50_000, now=at(2), tag="1")
    rows = ledger_rows()
    with pytest.raises(PermissionRefused):
        payout_request(
            seller=shop.cooperative, actor=shop.merchant.user, key="p1", amount_fen=1, now=at(3), **ACCOUNT
        )
    assert ledger_rows() == rows
    payout = payout_request(
        seller=shop.cooperative, actor=shop.cooperative.user, key="p1", amount_fen=1, now=at(3), **ACCOUNT
    )
    rows = ledger_rows()
    for who in (shop.cooperative.user, make_user(Role.COUNTY_MANAGER), make_user(Role.AUDITOR)):
        with pytest.raises(PermissionRefused) as refused:
            payout_mark_paid(payout_id=payout.pk, actor=who, now=at(4))
        assert refused.value.code == "not_finance"
    assert ledger_rows() == rows
    with pytest.raises(NotFound):
        payout_reject(payout_id=999_999, actor=make_user(is_superuser=True), now=at(4))


def test_monthly_statement_adds_up(shop: Shop, finance: User) -> None:
    """Opening + settled + returned − paid out = closing, to the fen, month by month."""
    seller = shop.cooperative
    settle(seller, 12_345, now=at(20, month=10), tag="oct")
    settle(seller, 11_601, now=at(2), tag="a")
    seller_withdraw(seller=seller, amount_fen=1_000, to="wallet", actor=seller.user, id="w1", now=at(5))
    rejected = payout_request(
        seller=seller, actor=seller.user, key="p1", amount_fen=2_000, now=at(6), **ACCOUNT
    )
    payout_reject(payout_id=rejected.pk, actor=finance, now=at(7))
    paid = payout_request(seller=seller, actor=seller.user, key="p2", amount_fen=3_003, now=at(8), **ACCOUNT)
    payout_mark_paid(payout_id=paid.pk, actor=finance, now=at(9))
    settle(seller, 77, now=at(30, hour=23), tag="b")  # 30 Nov 23:00 in the county: still November
    settle(seller, 500, now=at(1, month=12), tag="dec")

    november = seller_monthly_statement(seller=seller, month=datetime.date(2026, 11, 1))
    assert november.opening_fen == 12_345
    assert (november.settled_fen, november.returned_fen, november.paid_out_fen) == (11_678, 2_000, 6_003)
    assert november.closing_fen == 12_345 + 11_678 + 2_000 - 6_003 == 20_020
    assert [p.key for p in november.payouts] == ["p1", "p2"]
    december = seller_monthly_statement(seller=seller, month=datetime.date(2026, 12, 1))
    assert (december.opening_fen, december.closing_fen) == (20_020, 20_520)


def png_bytes(size: tuple[int, int] = (1200, 800)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def media(settings: object, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]
    return tmp_path


def test_a_png_is_stored_with_a_thumbnail(shop: Shop, media: Path) -> None:
    """A real PNG is re-encoded as JPEG at most 1600 px, with a 400 px thumbnail beside it."""
    data = png_bytes()
    product = product_photo_add(
        product=shop.kiwi, actor=shop.cooperative.user, upload=io.BytesIO(data), size=len(data)
    )
    (url,) = product.photos
    assert url.startswith(f"/media/products/{shop.kiwi.pk}/") and url.endswith(".jpg")
    stored = media / url.removeprefix("/media/")
    with Image.open(stored) as full, Image.open(stored.with_suffix(".thumb.jpg")) as thumb:
        assert (full.format, full.size) == ("JPEG", (1200, 800))
        assert (thumb.format, thumb.size) == ("JPEG", (400, 267))


def test_a_text_file_is_refused_with_the_field(shop: Shop, media: Path) -> None:
    """A file that is not a picture is refused on ``photo`` and nothing is stored."""
    data = b"this is not a picture\n" * 10
    with pytest.raises(ValidationFailed) as refused:
        product_photo_add(
            product=shop.kiwi, actor=shop.cooperative.user, upload=io.BytesIO(data), size=len(data)
        )
    assert (refused.value.code, refused.value.field) == ("not_an_image", "photo")
    with pytest.raises(ValidationFailed) as too_big:
        product_photo_add(
            product=shop.kiwi, actor=shop.cooperative.user, upload=io.BytesIO(b""), size=6 * 1024 * 1024
        )
    assert (too_big.value.code, too_big.value.field) == ("photo_too_large", "photo")
    shop.kiwi.refresh_from_db()
    assert shop.kiwi.photos == []
    assert list(media.rglob("*")) == []
