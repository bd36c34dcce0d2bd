"""The officer's and county manager's pages: 贷款审批, 贷款复核, 贷款组合, 催收 and the write-off, each
action and each refusal (nothing written)."""

import datetime
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client

from siliu.commerce.tests.conftest import Shop
from siliu.core.roles import Role
from siliu.lending.loans.models import (
    ApplicationStatus,
    Loan,
    LoanApplication,
    LoanApplicationEvent,
    LoanCollectionNote,
    LoanStatus,
)
from siliu.lending.loans.nightly import lending_night
from siliu.lending.loans.services import loan_application_file, loan_application_review
from siliu.lending.tests.portfolio_fixtures import (
    PRODUCT,
    Book,
    at,
    borrower_make,
)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def applications(shop: Shop, book: Book, make_user: Callable[..., User]) -> dict[str, LoanApplication]:
    """钱 asks for 60,000.00 (a second approval needed), 吴 for 3,000.00; both wait for review."""
    qian = borrower_make(make_user, outlet=shop.county["VS12"], username="qian", family="钱", serial="21")
    wu = borrower_make(make_user, outlet=shop.county["VS12"], username="wu", family="吴", serial="22")
    return {
        "large": loan_application_file(
            applicant=qian,
            actor=qian,
            product_code=PRODUCT,
            amount_fen=6_000_000,
            term_months=12,
            purpose="建大棚",
            now=at("2026-05-22"),
        ),
        "small": loan_application_file(
            applicant=wu,
            actor=wu,
            product_code=PRODUCT,
            amount_fen=300_000,
            term_months=6,
            purpose="买猪仔",
            now=at("2026-05-23"),
        ),
    }


def test_the_review_queue_shows_each_application_and_the_second_approval(
    applications: dict[str, LoanApplication], officer: User
) -> None:
    """Oldest first, with the amount, purpose, manual review, and the warning on the large one."""
    response = client_for(officer).get("/lending/review/")
    assert response.status_code == 200
    page = response.content.decode()
    assert page.index("钱农") < page.index("吴农")
    assert "¥60,000.00" in page and "建大棚" in page and "¥3,000.00" in page
    assert page.count('data-testid="needs-second-approval"') == 1
    assert "审核通过，提交复核" in page
    assert "无评分：借款人没有同意使用平台数据，人工审核" in page
    assert "待审核 2 笔" in page


def test_the_officer_approves_a_small_application_and_its_contract_is_drawn(
    applications: dict[str, LoanApplication], officer: User
) -> None:
    """批准 → approved, a contract waits for signature, back to the queue with a message."""
    small = applications["small"]
    response = client_for(officer).post(
        f"/lending/review/{small.number}/", {"decision": "approve", "note": "经营正常"}, follow=True
    )
    assert response.status_code == 200
    assert f"申请 {small.number} 已批准" in response.content.decode()
    small.refresh_from_db()
    assert (small.status, small.reviewed_by_id, small.review_note) == (
        ApplicationStatus.APPROVED,
        officer.pk,
        "经营正常",
    )
    assert Loan.objects.get(application=small).status == LoanStatus.CONTRACTED


def test_refusing_without_a_reason_is_refused_and_nothing_is_written(
    applications: dict[str, LoanApplication], officer: User
) -> None:
    """拒绝 with no note: 400 naming the note, the application still waits, no event."""
    small = applications["small"]
    events = LoanApplicationEvent.objects.count()
    response = client_for(officer).post(
        f"/lending/review/{small.number}/", {"decision": "refuse", "note": " "}
    )
    assert response.status_code == 400
    assert "拒绝时请写明原因，借款人会看到" in response.content.decode()
    small.refresh_from_db()
    assert (small.status, small.reviewed_by_id) == (ApplicationStatus.REVIEW, None)
    assert LoanApplicationEvent.objects.count() == events


def test_a_bogus_decision_and_a_note_too_long_are_400(
    applications: dict[str, LoanApplication], officer: User
) -> None:
    """A decision that is neither button, and a note over 300 characters, are refused with 400."""
    small = applications["small"]
    client = client_for(officer)
    assert client.post(f"/lending/review/{small.number}/", {"decision": "maybe"}).status_code == 400
    assert (
        client.post(
            f"/lending/review/{small.number}/", {"decision": "approve", "note": "长" * 301}
        ).status_code
        == 400
    )
    small.refresh_from_db()
    assert small.status == ApplicationStatus.REVIEW


def test_deciding_twice_is_a_conflict(applications: dict[str, LoanApplication], officer: User) -> None:
    """A decided application cannot be decided again: 409 and the page says it was approved."""
    small = applications["small"]
    client = client_for(officer)
    client.post(f"/lending/review/{small.number}/", {"decision": "approve"})
    response = client.post(f"/lending/review/{small.number}/", {"decision": "refuse", "note": "再想想"})
    assert response.status_code == 409
    assert "已批准的申请不能审核" in response.content.decode()
    small.refresh_from_db()
    assert small.status == ApplicationStatus.APPROVED


def test_an_unknown_application_is_404(officer: User, db: None) -> None:
    """No such number: 404 for the page and the post."""
    client = client_for(officer)
    assert client.get("/lending/review/LA000/").status_code == 404
    assert client.post("/lending/review/LA000/", {"decision": "approve"}).status_code == 404


def test_the_county_manager_gives_the_second_approval(
    applications: dict[str, LoanApplication], officer: User, book: Book, make_user: Callable[..., User]
) -> None:
    """The officer approves 60,000.00 (it waits); the manager sees who reviewed it and approves."""
    large = applications["large"]
    response = client_for(officer).post(
        f"/lending/review/{large.number}/", {"decision": "approve", "note": "大棚规模属实"}, follow=True
    )
    assert "等待县级管理员复核" in response.content.decode()
    large.refresh_from_db()
    assert large.status == ApplicationStatus.SECOND_REVIEW
    manager = client_for(make_user(Role.COUNTY_MANAGER, county=book.county, last_name="郑", first_name="县"))
    page = manager.get("/lending/approvals/").content.decode()
    assert "大棚规模属实" in page and 'data-testid="approve"' in page
    response = manager.post(f"/lending/approvals/{large.number}/", {"decision": "approve"}, follow=True)
    assert f"申请 {large.number} 已批准" in response.content.decode()
    large.refresh_from_db()
    assert large.status == ApplicationStatus.APPROVED and large.approved_by_id is not None
    assert Loan.objects.filter(application=large).exists()


def test_the_reviewer_is_not_offered_the_second_approval(
    applications: dict[str, LoanApplication], book: Book, make_user: Callable[..., User]
) -> None:
    """Someone who is both officer and county manager reviews the large one: their approvals page has
    no button for it, and a post is refused (403) with nothing written."""
    both = make_user(Role.LOAN_OFFICER, Role.COUNTY_MANAGER, county=book.county)
    large = applications["large"]
    loan_application_review(number=large.number, actor=both, approve=True, now=at("2026-05-24"))
    client = client_for(both)
    page = client.get("/lending/approvals/").content.decode()
    assert 'data-testid="same-person"' in page and 'data-testid="approve"' not in page
    events = LoanApplicationEvent.objects.count()
    response = client.post(f"/lending/approvals/{large.number}/", {"decision": "approve"})
    assert response.status_code == 403
    assert "审核人不能再复核同一笔申请" in response.content.decode()
    large.refresh_from_db()
    assert (large.status, large.approved_by_id) == (ApplicationStatus.SECOND_REVIEW, None)
    assert LoanApplicationEvent.objects.count() == events


def test_another_countys_manager_cannot_see_or_approve(
    applications: dict[str, LoanApplication], officer: User, book: Book, make_user: Callable[..., User]
) -> None:
    """The other county's manager: an empty list, 404 on the application, nothing written."""
    large = applications["large"]
    loan_application_review(number=large.number, actor=officer, approve=True, now=at("2026-05-24"))
    client = client_for(make_user(Role.COUNTY_MANAGER, county=book.other_county))
    assert "没有待复核的申请" in client.get("/lending/approvals/").content.decode()
    assert client.post(f"/lending/approvals/{large.number}/", {"decision": "approve"}).status_code == 404
    large.refresh_from_db()
    assert large.status == ApplicationStatus.SECOND_REVIEW


def test_the_portfolio_page(book: Book, officer: User, make_user: Callable[..., User]) -> None:
    """The figures in yuan and percent, the classes, the buckets, the night; the manager's is their
    county's."""
    page = client_for(officer).get("/lending/portfolio/").content.decode()
    assert "¥69,000.00" in page and "43.48%" in page and "14.49%" in page
    assert "360 天以上" in page and "2026-05-20" in page and 'data-testid="portfolio-chart"' in page
    manager = client_for(make_user(Role.COUNTY_MANAGER, county=book.county))
    page = manager.get("/lending/portfolio/").content.decode()
    assert "¥64,000.00" in page and "46.88%" in page and "本县网点受理的在贷贷款" in page


def test_the_collection_list_and_a_note(book: Book, officer: User) -> None:
    """The officer opens A from the list and records a visit with a promise; it shows on the list."""
    client = client_for(officer)
    page = client.get("/lending/collections/").content.decode()
    assert page.count('data-testid="collection-row"') == 4
    assert page.index(book.loans["A"].number) < page.index(book.loans["C"].number)
    number = book.loans["A"].number
    response = client.post(
        f"/lending/collections/{number}/",
        {"kind": "promise", "note": "上门见到本人，说月底卖了猕猴桃就还", "promised_on": "2026-12-30"},
        follow=True,
    )
    assert response.status_code == 200 and "催收记录已保存" in response.content.decode()
    note = LoanCollectionNote.objects.get()
    assert (note.kind, note.promised_on, note.written_by_id) == (
        "promise",
        datetime.date(2026, 12, 30),
        officer.pk,
    )
    page = client.get("/lending/collections/").content.decode()
    assert "说月底卖了猕猴桃就还" in page and "承诺 2026-12-30 还款" in page


def test_a_bad_note_is_refused_and_nothing_is_written(book: Book, officer: User) -> None:
    """An empty note, a promise without a date, a promise in the past, an unknown kind: 400 each."""
    client = client_for(officer)
    number = book.loans["A"].number
    for data, message in [
        ({"kind": "call", "note": ""}, "该字段是必填项"),
        ({"kind": "promise", "note": "会还"}, "请填写承诺还款日"),
        ({"kind": "call", "note": "会还", "promised_on": "2020-01-01"}, "承诺还款日不能早于今天"),
        ({"kind": "sms", "note": "会还"}, "sms 不在可用的选项中"),
    ]:
        response = client.post(f"/lending/collections/{number}/", data)
        assert response.status_code == 400, data
        assert message in response.content.decode(), data
    assert LoanCollectionNote.objects.count() == 0


def test_the_collection_list_is_read_only_for_a_county_manager(
    book: Book, make_user: Callable[..., User]
) -> None:
    """The manager reads their county's list and a loan, has no note form, and a note post is 403."""
    client = client_for(make_user(Role.COUNTY_MANAGER, county=book.county))
    page = client.get(f"/lending/collections/{book.loans['A'].number}/").content.decode()
    assert 'data-testid="note-form"' not in page
    assert 'data-testid="write-off-link"' not in page  # 次级, not yet 可疑
    response = client.post(f"/lending/collections/{book.loans['A'].number}/", {"kind": "call", "note": "x"})
    assert response.status_code == 403
    assert LoanCollectionNote.objects.count() == 0
    other = client_for(make_user(Role.COUNTY_MANAGER, county=book.other_county))
    assert other.get(f"/lending/collections/{book.loans['A'].number}/").status_code == 404


def test_the_write_off_has_a_confirmation_step(book: Book, make_user: Callable[..., User]) -> None:
    """By 20 November A is 可疑: the manager opens the write-off page, reads what it does, gives the
    reason and confirms; the loan is written off."""
    lending_night(on=datetime.date(2026, 11, 20), now=at("2026-11-21", 1))
    client = client_for(make_user(Role.COUNTY_MANAGER, county=book.county))
    number = book.loans["A"].number
    assert 'data-testid="write-off-link"' in client.get(f"/lending/collections/{number}/").content.decode()
    page = client.get(f"/lending/collections/{number}/write-off/").content.decode()
    assert "核销后这笔贷款关闭：未还本金 ¥10,000.00 从损失准备中冲销" in page
    response = client.post(f"/lending/collections/{number}/write-off/", {"note": "失联半年"}, follow=True)
    assert f"贷款 {number} 已核销" in response.content.decode()
    assert book.refreshed("A").status == LoanStatus.WRITTEN_OFF


def test_a_write_off_refused_writes_nothing(book: Book, make_user: Callable[..., User]) -> None:
    """B is 关注: 409 not_doubtful; no reason: 400; the other county's manager: 404; the officer: 403."""
    manager = client_for(make_user(Role.COUNTY_MANAGER, county=book.county))
    number = book.loans["B"].number
    page = manager.get(f"/lending/collections/{number}/write-off/").content.decode()
    assert 'data-testid="write-off-not-allowed"' in page
    response = manager.post(f"/lending/collections/{number}/write-off/", {"note": "想核销"})
    assert response.status_code == 409 and "只有可疑或损失类贷款可以核销" in response.content.decode()
    assert manager.post(f"/lending/collections/{number}/write-off/", {"note": ""}).status_code == 400
    other = client_for(make_user(Role.COUNTY_MANAGER, county=book.other_county))
    assert other.post(f"/lending/collections/{number}/write-off/", {"note": "x"}).status_code == 404
    officer = client_for(make_user(Role.LOAN_OFFICER))
    assert officer.post(f"/lending/collections/{number}/write-off/", {"note": "x"}).status_code == 403
    loan = book.refreshed("B")
    assert (loan.status, loan.closed_at) == (LoanStatus.ACTIVE, None)
