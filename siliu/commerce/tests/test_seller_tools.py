"""The seller's tools: payouts to a bank account, product photos, the monthly statement, and the pages."""

import datetime
import io
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from siliu.commerce.catalog.services import product_photo_add, product_photo_arrange
from siliu.commerce.models import Payout, PayoutEvent, Product, Seller, SellerKind
from siliu.commerce.orders.selectors import seller_money, seller_monthly_statement
from siliu.commerce.orders.services import (
    payout_mark_paid,
    payout_reject,
    payout_request,
    seller_payable_code,
    seller_withdraw,
)
from siliu.commerce.tests.conftest import Shop, seller_create
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


def test_photos_are_put_first_or_removed_and_a_bad_move_changes_nothing(
    shop: Shop, media: Path, make_user: Callable[..., User]
) -> None:
    """The third photo made first leads the list; the first removed leaves the others in order."""
    shop.kiwi.photos = ["/media/a.jpg", "/media/b.jpg", "/media/c.jpg"]
    shop.kiwi.save(update_fields=["photos"])
    seller = shop.cooperative.user

    product = product_photo_arrange(product=shop.kiwi, actor=seller, index=2, move="first")
    assert product.photos == ["/media/c.jpg", "/media/a.jpg", "/media/b.jpg"]
    product = product_photo_arrange(product=shop.kiwi, actor=seller, index=0, move="remove")
    assert product.photos == ["/media/a.jpg", "/media/b.jpg"]

    with pytest.raises(ValidationFailed) as missing:
        product_photo_arrange(product=shop.kiwi, actor=seller, index=2, move="remove")
    assert (missing.value.code, missing.value.field) == ("no_such_photo", "photo")
    with pytest.raises(ValidationFailed) as unknown:
        product_photo_arrange(product=shop.kiwi, actor=seller, index=0, move="rotate")
    assert (unknown.value.code, unknown.value.field) == ("invalid_move", "move")
    with pytest.raises(PermissionRefused):
        product_photo_arrange(product=shop.kiwi, actor=make_user(username="stranger"), index=0, move="remove")
    shop.kiwi.refresh_from_db()
    assert shop.kiwi.photos == ["/media/a.jpg", "/media/b.jpg"]


# --- Pages -----------------------------------------------------------------------------------------


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_seller_centre_without_a_shop_or_pending(shop: Shop, make_user: Callable[..., User]) -> None:
    """No shop: a page that says so and links registration; pending: the registration's status."""
    response = client_for(make_user(Role.SELLER)).get("/shop/seller/")
    assert response.status_code == 200
    assert b'data-testid="no-shop"' in response.content and b"/shop/sellers/register/" in response.content
    pending = seller_create(
        user=make_user(Role.SELLER),
        name="待审合作社",
        kind=SellerKind.COOPERATIVE,
        outlet=shop.county["VS11"],
        serial="9",
        verified=False,
    )
    response = client_for(pending.user).get("/shop/seller/")
    assert response.status_code == 200
    assert b'data-testid="seller-status"' in response.content and "待审核" in response.content.decode()


def test_sell_here_link_for_a_user_without_a_shop(make_user: Callable[..., User]) -> None:
    """A logged-in consumer sees 成为卖家 in the navigation."""
    response = client_for(make_user(Role.CONSUMER)).get("/shop/")
    assert b'data-testid="sell-here"' in response.content


def test_seller_pages_for_the_seller_and_not_for_others(shop: Shop, make_user: Callable[..., User]) -> None:
    """Each seller page answers 200 to its seller; another seller gets 404 on the product, 403 elsewhere."""
    owner = client_for(shop.cooperative.user)
    for path in (
        "/shop/seller/",
        "/shop/seller/products/",
        "/shop/seller/products/new/",
        f"/shop/seller/products/{shop.kiwi.pk}/",
        "/shop/seller/payouts/",
    ):
        assert owner.get(path).status_code == 200, path
    other = client_for(shop.merchant.user)
    assert other.get(f"/shop/seller/products/{shop.kiwi.pk}/").status_code == 404
    assert other.post(f"/shop/seller/products/{shop.kiwi.pk}/active/", {"active": "0"}).status_code == 404
    assert other.get(f"/shop/seller/products/?seller={shop.cooperative.pk}").status_code == 403
    consumer = client_for(make_user(Role.CONSUMER))
    assert consumer.get("/shop/seller/payouts/").status_code == 403
    # Pages gated on a permission send who lacks it to the login form, as the review page does.
    for who in (consumer, client_for(make_user(Role.COUNTY_MANAGER))):
        assert who.get("/shop/payouts/")["Location"] == "/login/?next=/shop/payouts/"


def test_product_created_edited_paused_from_the_pages(shop: Shop, media: Path) -> None:
    """Add a product, change its price, upload a photo, refuse a text file, pause it, add a batch."""
    client = client_for(shop.cooperative.user)
    form = {
        "name": "红心猕猴桃 3斤装",
        "category": "fruit",
        "direction": "upward",
        "unit": "箱",
        "price": "39.90",
        "stock": "50",
        "weight_g": "1600",
        "origin_village": "",
        "description": "",
    }
    response = client.post("/shop/seller/products/new/", form)
    product = Product.objects.get(name="红心猕猴桃 3斤装")
    assert response.status_code == 302 and (product.price_fen, product.origin_village) == (
        3990,
        shop.cooperative.village,
    )
    response = client.post(f"/shop/seller/products/{product.pk}/", {**form, "price": "abc"})
    assert response.status_code == 400 and b'data-testid="error-price"' in response.content
    client.post(f"/shop/seller/products/{product.pk}/", {**form, "price": "41", "stock": "7"})
    product.refresh_from_db()
    assert (product.price_fen, product.stock) == (4100, 7)
    data = png_bytes((600, 600))
    response = client.post(
        f"/shop/seller/products/{product.pk}/photos/",
        {"photo": SimpleUploadedFile("kiwi.png", data, "image/png")},
    )
    assert response.status_code == 302
    response = client.post(
        f"/shop/seller/products/{product.pk}/photos/",
        {"photo": SimpleUploadedFile("kiwi.png", b"hello", "image/png")},
    )
    assert response.status_code == 400 and b'data-testid="error-photo"' in response.content
    product.refresh_from_db()
    (first,) = product.photos
    arrange = f"/shop/seller/products/{product.pk}/photos/0/"
    assert client.post(arrange, {"move": "remove"}).status_code == 302
    product.refresh_from_db()
    assert product.photos == []
    product.photos = [first]
    product.save(update_fields=["photos"])
    product.refresh_from_db()
    assert len(product.photos) == 1
    assert client.get(f"/shop/products/{product.pk}/").status_code == 200
    client.post(f"/shop/seller/products/{product.pk}/active/", {"active": "0"})
    product.refresh_from_db()
    assert product.is_active is False
    assert client.get(f"/shop/products/{product.pk}/").status_code == 404
    response = client.post(
        f"/t/batches/new/{product.pk}",
        {
            "place": "王家村三组 7 号地块",
            "harvested_on": "2026-10-01",
            "quantity": "200",
            "inspection_result": "passed",
            "inspected_on": "2026-10-03",
        },
    )
    product.refresh_from_db()
    assert product.trace_batch is not None
    assert (product.trace_batch.inspection_result, product.trace_batch.inspected_on) == (
        "passed",
        datetime.date(2026, 10, 3),
    )


def test_county_manager_acts_for_the_seller(shop: Shop, make_user: Callable[..., User]) -> None:
    """A county manager posted to the seller's county opens and edits its products."""
    from siliu.network.models import CountyPost

    manager = make_user(Role.COUNTY_MANAGER)
    village = shop.county["VS11"].region
    assert village.parent is not None and village.parent.parent is not None
    CountyPost.objects.get_or_create(user=manager, county=village.parent.parent)
    client = client_for(manager)
    assert client.get(f"/shop/seller/products/?seller={shop.cooperative.pk}").status_code == 200
    assert client.get(f"/shop/seller/products/{shop.kiwi.pk}/").status_code == 200


def test_payout_from_the_page_and_paid_by_finance(shop: Shop, finance: User) -> None:
    """The seller asks for a payout on the page, finance marks it paid; a bad number is a form error."""
    settle(shop.cooperative, 10_000, now=at(2), tag="1")
    client = client_for(shop.cooperative.user)
    form = {"amount": "60.01", "key": "k1", **ACCOUNT}
    response = client.post("/shop/seller/payouts/", {**form, "account_number": "12"})
    assert response.status_code == 400 and b'data-testid="error-account_number"' in response.content
    assert client.post("/shop/seller/payouts/", form).status_code == 302
    payout = Payout.objects.get()
    assert payout.amount_fen == 6001
    finance_client = client_for(finance)
    response = finance_client.get("/shop/payouts/")
    assert response.status_code == 200 and "6228480012345678901" in response.content.decode()
    assert finance_client.post(f"/shop/payouts/{payout.pk}/decide/", {"paid": "1"}).status_code == 302
    payout.refresh_from_db()
    assert payout.status == "paid"


def test_statement_download_adds_up(shop: Shop) -> None:
    """The XLSX statement's summary: opening + settled + returned − paid out = closing."""
    settle(shop.cooperative, 10_000, now=at(2), tag="1")
    seller_withdraw(
        seller=shop.cooperative, amount_fen=2_501, to="wallet", actor=shop.cooperative.user, id="w", now=at(3)
    )
    client = client_for(shop.cooperative.user)
    assert client.get("/shop/seller/statement.xlsx?month=nope").status_code == 400
    response = client.get("/shop/seller/statement.xlsx?month=2026-11")
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    values = {row[0]: row[1] for row in workbook.worksheets[0].iter_rows(values_only=True)}
    opening, settled, returned, paid_out, closing = (
        round(float(values[label]) * 100)
        for label in ("期初应付余额", "本月结算入账", "退回的提现", "本月提现", "期末应付余额")
    )
    assert (opening, settled, returned, paid_out, closing) == (0, 10_000, 0, -2_501, 7_499)
    assert opening + settled + returned + paid_out == closing


# --- API -------------------------------------------------------------------------------------------


def test_payout_api_request_retry_refusal_and_decision(shop: Shop, finance: User) -> None:
    """POST a payout (201), again (same payout), too much (409 exceeds_credits), a bad account (400 with
    the field); finance rejects it (back to the payable)."""
    from rest_framework.test import APIClient

    settle(shop.cooperative, 10_000, now=at(2), tag="1")
    client = APIClient()
    client.force_authenticate(shop.cooperative.user)
    body = {"key": "api-1", "amount_fen": 4_000, **ACCOUNT}
    first = client.post("/api/v1/seller/payouts", body, format="json")
    assert first.status_code == 201 and first.json()["account_number_masked"] == "6228 **** **** 8901"
    again = client.post("/api/v1/seller/payouts", body, format="json")
    assert again.json()["id"] == first.json()["id"]
    refused = client.post(
        "/api/v1/seller/payouts", {**body, "key": "api-2", "amount_fen": 6_001}, format="json"
    )
    assert (refused.status_code, refused.json()["code"]) == (409, "exceeds_credits")
    bad = client.post(
        "/api/v1/seller/payouts", {**body, "key": "api-3", "account_number": "x"}, format="json"
    )
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_account_number"
    assert client.get("/api/v1/seller/money").json()["payouts_pending_fen"] == 4_000
    assert (
        client.post(f"/api/v1/payouts/{first.json()['id']}/decide", {"paid": True}, format="json").status_code
        == 403
    )
    client.force_authenticate(finance)
    decided = client.post(
        f"/api/v1/payouts/{first.json()['id']}/decide", {"paid": False, "note": "户名不符"}, format="json"
    )
    assert decided.json()["status"] == "rejected"
    assert balance(seller_payable_code(shop.cooperative)) == 10_000


def test_photo_api_refuses_a_text_file_with_the_field(shop: Shop, media: Path) -> None:
    """A text file is 400 ``not_an_image`` on ``photo``; a PNG is 201 with the photo's address."""
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(shop.cooperative.user)
    path = f"/api/v1/products/{shop.kiwi.pk}/photos"
    refused = client.post(
        path, {"photo": SimpleUploadedFile("a.txt", b"hello", "text/plain")}, format="multipart"
    )
    assert refused.status_code == 400
    assert refused.json()["code"] == "not_an_image" and list(refused.json()["errors"]) == ["photo"]
    data = png_bytes((500, 500))
    created = client.post(path, {"photo": SimpleUploadedFile("a.png", data, "image/png")}, format="multipart")
    assert created.status_code == 201 and created.json()["photos"][0].startswith("/media/products/")


def test_home_links_the_review_for_the_county_manager(make_user: Callable[..., User]) -> None:
    """The county manager's start page links 卖家审核; a consumer's links 成为卖家."""
    assert b'data-testid="home-seller-review"' in client_for(make_user(Role.COUNTY_MANAGER)).get("/").content
    assert "成为卖家" in client_for(make_user(Role.CONSUMER)).get("/").content.decode()
