"""The loan officer and the county manager on a phone at 360 px: the officer opens 贷款审批 from the
menu and approves an application, passes a large one on for the second approval, which the county
manager gives from 贷款复核; the officer records a call from 催收. Then every page of theirs at 360 and
1280 px, screenshots in ``test-artifacts/loan-*.png``. Every page is checked as in conftest (axe-core,
CSP, no sideways scrolling at 100 % and 200 % text, tap targets)."""

import datetime
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, Page, expect

from siliu.commerce.tests.conftest import Shop, shop  # noqa: F401
from siliu.core.people import user_profile_set
from siliu.core.roles import Role
from siliu.lending.credit.services import credit_consent_give, field_visit_record
from siliu.lending.loans.models import ApplicationStatus, LoanApplication, LoanCollectionNote
from siliu.lending.loans.nightly import lending_night
from siliu.lending.loans.services import loan_application_file
from siliu.lending.tests.loan_fixtures import loan_fund, officer  # noqa: F401
from siliu.lending.tests.portfolio_fixtures import (
    PRODUCT,
    Book,
    at,
    book,  # noqa: F401
    borrower_make,
    other_county,  # noqa: F401
)
from siliu.logistics.tests.conftest import county  # noqa: F401
from tests.browser.conftest import checked_context, log_in, open_menu, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def waiting(shop: Shop, book: Book, make_user: Callable[..., User]) -> dict[str, LoanApplication]:  # noqa: F811
    """Two applications waiting: 吴 for 3,000.00 (filed first) and 钱 for 60,000.00, who consents and
    was visited; A is written to 可疑 by the night of 20 November so that a write-off is offered."""
    operator = make_user(Role.STATION_OPERATOR)
    wu = borrower_make(make_user, outlet=shop.county["VS12"], username="wu", family="吴", serial="22")
    qian = borrower_make(make_user, outlet=shop.county["VS12"], username="qian", family="钱", serial="21")
    user_profile_set(user=qian, phone="13912345678")
    credit_consent_give(subject=qian, actor=qian)
    field_visit_record(
        subject=qian,
        actor=operator,
        visited_on=datetime.date(2026, 11, 1),
        note="大棚三个，长势好，家里两个劳动力",
    )
    lending_night(on=datetime.date(2026, 11, 20), now=at("2026-11-21", 1))
    return {
        "small": loan_application_file(
            applicant=wu,
            actor=wu,
            product_code=PRODUCT,
            amount_fen=300_000,
            term_months=6,
            purpose="买猪仔",
            now=at("2026-11-22"),
        ),
        "large": loan_application_file(
            applicant=qian,
            actor=qian,
            product_code=PRODUCT,
            amount_fen=6_000_000,
            term_months=12,
            purpose="建三个蔬菜大棚",
            now=at("2026-11-23"),
        ),
    }


def menu_to(page: Page, entry: str) -> None:
    open_menu(page)
    page.locator("#main-nav").get_by_role("link", name=entry, exact=True).click()
    page.wait_for_load_state()


def test_review_second_approval_and_a_collection_note_on_a_phone(
    browser: Browser,
    live_server: object,
    waiting: dict[str, LoanApplication],
    book: Book,  # noqa: F811
    officer: User,  # noqa: F811
    make_user: Callable[..., User],
) -> None:
    """贷款审批 → 批准 the small one, 审核通过，提交复核 the large one; the manager's 贷款复核 → 批准;
    催收 → the loan most past due → 电话 → saved."""
    make_user(Role.COUNTY_MANAGER, county=book.county, username="manager", last_name="郑", first_name="县长")
    small, large = waiting["small"], waiting["large"]
    with checked_context(browser, live_server, width=360, height=740) as context:
        page = context.new_page()
        log_in(page, "officer")
        expect(page.get_by_test_id("start-loan-review")).to_contain_text("2")
        menu_to(page, "贷款审批")
        items = page.get_by_test_id("review-item")
        expect(items).to_have_count(2)
        expect(items.first).to_contain_text("吴农")
        expect(items.nth(1).get_by_test_id("needs-second-approval")).to_be_visible()
        expect(items.nth(1).get_by_test_id("application-visit")).to_contain_text("大棚三个")
        expect(items.nth(1)).to_contain_text("139****5678")
        screenshot(page, "loan-review-360")
        items.first.locator("textarea").fill("经营正常，用途清楚")
        items.first.get_by_test_id("approve").click()
        expect(page.get_by_role("alert")).to_contain_text("已批准，合同已生成")
        items = page.get_by_test_id("review-item")
        expect(items).to_have_count(1)
        items.first.locator("textarea").fill("大棚规模属实")
        items.first.get_by_role("button", name="审核通过，提交复核").click()
        expect(page.get_by_role("alert")).to_contain_text("等待县级管理员复核")
        expect(page.get_by_test_id("review-empty")).to_be_visible()

        context.clear_cookies()
        log_in(page, "manager")
        expect(page.get_by_test_id("start-loan-approvals")).to_contain_text("1")
        menu_to(page, "贷款复核")
        item = page.get_by_test_id("approval-item")
        expect(item.get_by_test_id("reviewed-by")).to_contain_text("大棚规模属实")
        screenshot(page, "loan-approvals-360")
        item.get_by_test_id("approve").click()
        expect(page.get_by_role("alert")).to_contain_text("已批准")
        expect(page.get_by_test_id("approval-empty")).to_be_visible()

        context.clear_cookies()
        log_in(page, "officer")
        menu_to(page, "催收")
        rows = page.get_by_test_id("collection-row")
        expect(rows.first).to_contain_text("可疑")
        screenshot(page, "loan-collections-360")
        rows.first.get_by_role("link").first.click()
        page.get_by_label("电话").check()
        page.get_by_label("情况", exact=True).fill("打通了，说下个月卖了猕猴桃就还")
        page.get_by_test_id("note-submit").click()
        expect(page.get_by_role("alert")).to_contain_text("催收记录已保存")
        expect(page.get_by_test_id("notes")).to_contain_text("下个月卖了猕猴桃就还")
        screenshot(page, "loan-collection-360")

    small.refresh_from_db()
    large.refresh_from_db()
    assert (small.status, small.review_note) == (ApplicationStatus.APPROVED, "经营正常，用途清楚")
    assert large.status == ApplicationStatus.APPROVED
    assert (large.reviewed_by_id, large.approved_by.username if large.approved_by else None) == (
        officer.pk,
        "manager",
    )
    note = LoanCollectionNote.objects.get()
    assert (note.loan_id, note.kind) == (book.loans["A"].pk, "call")


@pytest.mark.parametrize("width", [360, 1280])
def test_the_officers_and_managers_pages_at_each_width(
    browser: Browser,
    live_server: object,
    waiting: dict[str, LoanApplication],
    book: Book,  # noqa: F811
    make_user: Callable[..., User],
    width: int,
) -> None:
    """Each page of the officer and the manager, with rows in it, fits the width and passes axe."""
    make_user(Role.COUNTY_MANAGER, county=book.county, username="manager")
    make_user(Role.LOAN_OFFICER, username="officer2")
    number = book.loans["A"].number
    with checked_context(browser, live_server, width=width, height=900) as context:
        page = context.new_page()
        log_in(page, "officer2")
        for path, name in [
            ("/lending/review/", "review"),
            (f"/lending/review/{waiting['large'].number}/", "review-one"),
            ("/lending/portfolio/", "portfolio"),
            ("/lending/collections/", "collections"),
            (f"/lending/collections/{number}/", "collection"),
        ]:
            page.goto(path)
            expect(page.locator("h1")).to_be_visible()
            screenshot(page, f"loan-{name}-{width}")
        page.goto(f"/lending/review/{waiting['large'].number}/")
        page.get_by_test_id("approve").click()
        expect(page.get_by_role("alert")).to_contain_text("等待县级管理员复核")
        context.clear_cookies()
        log_in(page, "manager")
        for path, name in [
            ("/lending/approvals/", "approvals"),
            ("/lending/portfolio/", "portfolio-manager"),
            (f"/lending/collections/{number}/", "collection-manager"),
            (f"/lending/collections/{number}/write-off/", "write-off"),
        ]:
            page.goto(path)
            expect(page.locator("h1")).to_be_visible()
            screenshot(page, f"loan-{name}-{width}")
        page.get_by_label("核销原因").fill("借款人外出务工，失联半年")
        page.get_by_test_id("write-off-confirm").click()
        expect(page.get_by_role("alert")).to_contain_text("已核销")
