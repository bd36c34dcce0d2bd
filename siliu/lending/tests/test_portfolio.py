"""The officer's and county manager's reads: the portfolio exact to the fen, PAR30/PAR90, the buckets,
the collection list, the queues and their scope, the start cards."""

import datetime
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User

from siliu.commerce.tests.conftest import Shop
from siliu.core.people import user_profile_set
from siliu.core.permissions import places_cached
from siliu.core.roles import Role
from siliu.core.start import start_cards
from siliu.lending.credit.services import credit_consent_give, field_visit_record
from siliu.lending.loans.models import ApplicationStatus, LoanStatus
from siliu.lending.loans.nightly import lending_night
from siliu.lending.loans.services import (
    collection_note_add,
    loan_application_file,
    loan_application_review,
    loan_repay_from_wallet,
    loan_write_off,
)
from siliu.lending.portfolio.selectors import (
    EarlierLoan,
    FeatureWords,
    Overdue,
    approval_queue,
    basis_points,
    collection_list,
    collection_phone,
    features_in_words,
    loan_owed,
    overdue_figures,
    portfolio_summary,
    review_items,
    review_queue,
)
from siliu.lending.tests.portfolio_fixtures import (
    NIGHT,
    PRODUCT,
    Book,
    at,
    borrower_make,
)

CLASSES = ["normal", "special_mention", "substandard", "doubtful", "loss"]


def class_rows(portfolio: object) -> list[tuple[str, int, int, int]]:
    return [
        (line.classification, line.loan_count, line.outstanding_fen, line.provision_fen)
        for line in portfolio.by_class  # type: ignore[attr-defined]
    ]


def bucket_rows(portfolio: object) -> list[tuple[int, int | None, int, int]]:
    return [
        (line.low, line.high, line.loan_count, line.outstanding_fen)
        for line in portfolio.buckets  # type: ignore[attr-defined]
    ]


def test_basis_points_round_half_up() -> None:
    """3,000,000 of 6,400,000 is 4687.5 bp → 4688; of 6,900,000 4347.8 → 4348; nothing of nothing is 0."""
    assert basis_points(3_000_000, 6_400_000) == 4688
    assert basis_points(3_000_000, 6_900_000) == 4348
    assert basis_points(1_000_000, 6_400_000) == 1563
    assert basis_points(0, 0) == 0


def test_the_officer_sees_the_whole_book_exact_to_the_fen(book: Book, officer: User) -> None:
    """Five loans, 69,000.00 outstanding: by class, PAR30 = 30,000.00 (A and B, over 30 days; F at
    exactly 30 is not), PAR90 = 10,000.00 (A), the buckets, what was paid out, and the night."""
    portfolio = portfolio_summary(actor=officer)
    assert (portfolio.loan_count, portfolio.outstanding_fen, portfolio.provision_fen) == (
        5,
        6_900_000,
        363_000,
    )
    assert (portfolio.overdue_count, portfolio.overdue_fen) == (4, 6_400_000)
    assert (portfolio.par30_fen, portfolio.par90_fen) == (3_000_000, 1_000_000)
    assert (portfolio.par30_bp, portfolio.par90_bp) == (4348, 1449)
    assert class_rows(portfolio) == [
        ("normal", 1, 500_000, 5_000),
        ("special_mention", 3, 5_400_000, 108_000),
        ("substandard", 1, 1_000_000, 250_000),
        ("doubtful", 0, 0, 0),
        ("loss", 0, 0, 0),
    ]
    assert [line.label for line in portfolio.by_class] == ["正常", "关注", "次级", "可疑", "损失"]
    assert bucket_rows(portfolio) == [
        (1, 30, 2, 3_400_000),
        (31, 60, 1, 2_000_000),
        (61, 90, 0, 0),
        (91, 180, 1, 1_000_000),
        (181, 360, 0, 0),
        (361, None, 0, 0),
    ]
    assert [line.label for line in portfolio.buckets] == [
        "1–30 天",
        "31–60 天",
        "61–90 天",
        "91–180 天",
        "181–360 天",
        "360 天以上",
    ]
    assert (portfolio.disbursed_count, portfolio.disbursed_fen) == (5, 6_900_000)
    assert (portfolio.repaid_fen, portfolio.closed_count, portfolio.written_off_count) == (0, 0, 0)
    assert portfolio.last_night is not None
    assert (portfolio.last_night.business_on, portfolio.last_night.loan_count) == (NIGHT, 5)
    assert portfolio.last_night.provision_change_fen == 363_000


def test_a_county_manager_sees_only_their_county(
    book: Book, make_user: Callable[..., User], officer: User
) -> None:
    """示范县's manager: four loans, 64,000.00, PAR30 4687.5 bp → 46.88 %, PAR90 15.63 %; the other
    county's manager: loan D alone, nothing overdue; a manager posted nowhere and a seller: nothing."""
    here = portfolio_summary(actor=make_user(Role.COUNTY_MANAGER, county=book.county))
    assert (here.loan_count, here.outstanding_fen, here.provision_fen) == (4, 6_400_000, 358_000)
    assert (here.par30_bp, here.par90_bp) == (4688, 1563)
    assert here.disbursed_fen == 6_400_000
    there = portfolio_summary(actor=make_user(Role.COUNTY_MANAGER, county=book.other_county))
    assert (there.loan_count, there.outstanding_fen, there.overdue_count, there.par30_bp) == (
        1,
        500_000,
        0,
        0,
    )
    assert class_rows(there)[0] == ("normal", 1, 500_000, 5_000)
    for nobody in (make_user(Role.COUNTY_MANAGER, county=False), make_user(Role.SELLER)):
        empty = portfolio_summary(actor=nobody)
        assert (empty.loan_count, empty.outstanding_fen, empty.disbursed_fen, empty.par30_bp) == (0, 0, 0, 0)
        assert class_rows(empty) == [(name, 0, 0, 0) for name in CLASSES]
        assert [row[2:] for row in bucket_rows(empty)] == [(0, 0)] * 6
    assert portfolio_summary(actor=make_user(Role.AUDITOR)) == portfolio_summary(actor=officer)


def test_repaid_and_written_off_totals(
    book: Book, make_user: Callable[..., User], officer: User, fund: Callable[[User, int], None]
) -> None:
    """C's borrower repays 500.00 from the wallet; by 20 November A is 283 days past due (可疑) and
    the county manager writes it off: 10,000.00 written off, four loans left."""
    borrower_c = book.loans["C"].borrower
    fund(borrower_c, 50_000)
    repayment = loan_repay_from_wallet(
        number=book.loans["C"].number, actor=borrower_c, amount_fen=50_000, now=at("2026-05-21")
    )
    lending_night(on=datetime.date(2026, 11, 20), now=at("2026-11-21", 1))
    assert book.refreshed("A").classification == "doubtful"
    manager = make_user(Role.COUNTY_MANAGER, county=book.county)
    loan_write_off(
        number=book.loans["A"].number, actor=manager, note="借款人外出务工失联", now=at("2026-11-21")
    )
    portfolio = portfolio_summary(actor=officer)
    assert (portfolio.repaid_fen, portfolio.repaid_principal_fen) == (50_000, repayment.principal_fen)
    assert (portfolio.repaid_interest_fen, portfolio.repaid_penalty_fen) == (
        repayment.interest_fen,
        repayment.penalty_fen,
    )
    assert repayment.amount_fen == 50_000
    assert (portfolio.written_off_count, portfolio.written_off_fen) == (1, 1_000_000)
    assert (portfolio.loan_count, portfolio.disbursed_count, portfolio.disbursed_fen) == (4, 5, 6_900_000)
    assert portfolio.outstanding_fen == 6_900_000 - 1_000_000 - repayment.principal_fen
    assert portfolio.last_night is not None and portfolio.last_night.business_on == datetime.date(
        2026, 11, 20
    )


def test_overdue_figures_for_the_start_page(
    book: Book, officer: User, make_user: Callable[..., User]
) -> None:
    """Four loans past due and PAR30 43.48 % for the officer; one aggregate query."""
    assert overdue_figures(actor=officer) == Overdue(loan_count=4, par30_bp=4348)
    assert overdue_figures(actor=make_user(Role.COUNTY_MANAGER, county=book.other_county)) == Overdue(0, 0)


def test_the_collection_list_most_days_past_due_first(
    book: Book, officer: User, make_user: Callable[..., User]
) -> None:
    """A (99 days), B (49), F (30), C (10); not D. A owes its first four installments (4 × 888.49) and
    their penalty (39.03 + 28.27 + 16.09 + 4.06) the day after the night."""
    on = NIGHT + datetime.timedelta(days=1)
    rows = list(collection_list(actor=officer, on=on))
    assert [loan.number for loan in rows] == [book.loans[key].number for key in "ABFC"]
    assert [loan.days_past_due for loan in rows] == [99, 49, 30, 10]
    assert rows[0].overdue_fen == 4 * 88_849 + 3_903 + 2_827 + 1_609 + 406  # type: ignore[attr-defined]
    owed = loan_owed(loan=rows[0], on=on)
    assert (owed.overdue_principal_fen, owed.overdue_penalty_fen, owed.overdue_fen) == (
        78_849 + 79_637 + 80_434 + 81_238,
        8_745,
        364_141,
    )
    assert [loan.last_note for loan in rows] == [None] * 4  # type: ignore[attr-defined]
    other = make_user(Role.COUNTY_MANAGER, county=book.other_county)
    assert list(collection_list(actor=other, on=on)) == []


def test_the_collection_list_shows_the_last_note_the_promise_and_a_masked_phone(
    book: Book, officer: User
) -> None:
    """B's borrower promised on the phone to pay on 25 May: the last note and the date show, the mobile
    masked."""
    loan_b = book.loans["B"]
    user_profile_set(user=loan_b.borrower, phone="13812341234")
    collection_note_add(
        number=loan_b.number, actor=officer, kind="call", note="没接电话", now=at("2026-05-21", 9)
    )
    collection_note_add(
        number=loan_b.number,
        actor=officer,
        kind="promise",
        note="说卖了猪就还",
        promised_on=datetime.date(2026, 5, 25),
        now=at("2026-05-21", 11),
    )
    row = next(loan for loan in collection_list(actor=officer, on=NIGHT) if loan.pk == loan_b.pk)
    assert (row.last_note, row.last_note_kind, row.promised_on) == (  # type: ignore[attr-defined]
        "说卖了猪就还",
        "promise",
        datetime.date(2026, 5, 25),
    )
    assert row.last_note_at == at("2026-05-21", 11)  # type: ignore[attr-defined]
    assert collection_phone(row) == "138****1234"


def test_the_review_queue_oldest_first_with_what_the_decision_rests_on(
    shop: Shop,
    officer: User,
    loan_fund: None,
    book: Book,
    make_user: Callable[..., User],
    fund: Callable[[User, int], None],
) -> None:
    """孙 repaid loan F early (two installments late) and applies again, 钱 (consenting, visited)
    applies for 60,000.00: the queue puts 孙 first, 钱's approval needs a second person."""
    operator = make_user(Role.STATION_OPERATOR)
    sun = book.loans["F"].borrower
    fund(sun, 500_000)
    repayment = loan_repay_from_wallet(
        number=book.loans["F"].number, actor=sun, amount_fen=500_000, early=True, now=at("2026-05-21")
    )
    assert book.refreshed("F").status == LoanStatus.CLOSED
    qian = borrower_make(make_user, outlet=shop.county["VS12"], username="qian", family="钱", serial="21")
    credit_consent_give(subject=qian, actor=qian)
    field_visit_record(
        subject=qian, actor=operator, visited_on=datetime.date(2026, 5, 1), note="大棚三个，长势好"
    )
    later = loan_application_file(
        applicant=qian,
        actor=qian,
        product_code=PRODUCT,
        amount_fen=6_000_000,
        term_months=12,
        purpose="建大棚",
        now=at("2026-05-23"),
    )
    earlier = loan_application_file(
        applicant=sun,
        actor=sun,
        product_code=PRODUCT,
        amount_fen=300_000,
        term_months=6,
        purpose="买猪仔",
        now=at("2026-05-22"),
    )
    queue = list(review_queue(actor=officer))
    assert [application.number for application in queue] == [earlier.number, later.number]
    first, second = review_items(queue)
    assert (first.needs_second_approval, second.needs_second_approval) == (False, True)
    assert first.features == [] and first.visit is None
    assert first.earlier_loans == [
        EarlierLoan(
            number=book.loans["F"].number,
            product_name=book.loans["F"].product.name,
            amount_fen=400_000,
            status="closed",
            status_label="已结清",
            disbursed_at=at("2026-03-20"),
            installment_count=12,
            settled_count=12,
            settled_late_count=2,
            days_past_due=0,
            classification_label="关注",
            repaid_fen=repayment.amount_fen,
            sources=[("钱包还款", repayment.amount_fen)],
        )
    ]
    assert second.earlier_loans == []
    assert second.visit is not None and second.visit.note == "大棚三个，长势好"
    assert second.application.score == 525
    assert [(feature.label, feature.value) for feature in second.features][:3] == [
        ("近12个月销售额", "¥0.00"),
        ("近6个月销售额比前6个月", "持平"),
        ("近12个月完成订单数", "0 笔"),
    ]
    assert review_queue(actor=make_user(Role.COUNTY_MANAGER, county=book.county)).count() == 0


def test_the_second_approval_queue_is_the_managers_county(
    shop: Shop, officer: User, book: Book, make_user: Callable[..., User]
) -> None:
    """An application over 50,000.00 approved by the officer waits for 示范县's manager, not the other
    county's; the start cards count it."""
    qian = borrower_make(make_user, outlet=shop.county["VS12"], username="qian", family="钱", serial="21")
    application = loan_application_file(
        applicant=qian,
        actor=qian,
        product_code=PRODUCT,
        amount_fen=6_000_000,
        term_months=12,
        purpose="建大棚",
        now=at("2026-05-23"),
    )
    loan_application_review(
        number=application.number, actor=officer, approve=True, note="可以", now=at("2026-05-24")
    )
    manager = make_user(Role.COUNTY_MANAGER, county=book.county)
    other = make_user(Role.COUNTY_MANAGER, county=book.other_county)
    assert [a.number for a in approval_queue(actor=manager)] == [application.number]
    assert approval_queue(actor=manager).get().status == ApplicationStatus.SECOND_REVIEW
    assert list(approval_queue(actor=other)) == []
    assert list(approval_queue(actor=officer)) == []
    cards = {card.testid: card for card in start_cards(user=manager)}
    assert (cards["start-loan-approvals"].figure, cards["start-loan-approvals"].url) == (
        "1",
        "/lending/approvals/",
    )
    assert "start-loan-review" not in cards
    officer_cards = {card.testid: card for card in start_cards(user=officer)}
    assert (officer_cards["start-loan-review"].figure, officer_cards["start-loan-review"].url) == (
        "0",
        "/lending/review/",
    )
    assert (officer_cards["start-loans-overdue"].figure, officer_cards["start-loans-overdue"].note) == (
        "4",
        "PAR30 43.48%",
    )
    assert {card.testid for card in start_cards(user=make_user(Role.AUDITOR))}.isdisjoint(
        {"start-loan-review", "start-loans-overdue", "start-loan-approvals"}
    )


def test_features_in_words() -> None:
    """Every feature of a score in the card's order, as a person reads it."""
    words = features_in_words(
        {
            "sales_12m_fen": 1_234_567,
            "sales_trend_percent": -12,
            "orders_completed_12m": 30,
            "orders_cancelled_12m": 2,
            "claims_12m": 1,
            "dispatch_days_average": 1.3,
            "months_on_platform": 14,
            "wallet_inflow_months_12m": 10,
            "late_repayments_count": 0,
        }
    )
    assert [(word.name, word.label, word.value) for word in words] == [
        ("sales_12m_fen", "近12个月销售额", "¥12,345.67"),
        ("sales_trend_percent", "近6个月销售额比前6个月", "下降 12%"),
        ("orders_completed_12m", "近12个月完成订单数", "30 笔"),
        ("orders_cancelled_12m", "近12个月取消订单数", "2 笔"),
        ("claims_12m", "近12个月被理赔次数", "1 次"),
        ("dispatch_days_average", "下单到发货平均天数", "1.3 天"),
        ("months_on_platform", "在平台月数", "14 个月"),
        ("wallet_inflow_months_12m", "近12个月有收入的月数", "10 个月"),
        ("late_repayments_count", "以前贷款逾期次数", "0 次"),
    ]
    assert features_in_words({"sales_trend_percent": 35}) == [
        FeatureWords("sales_trend_percent", "近6个月销售额比前6个月", "增长 35%")
    ]


def test_the_figures_are_a_few_aggregate_queries_whatever_the_number_of_loans(
    book: Book,
    officer: User,
    make_user: Callable[..., User],
    django_assert_num_queries: Any,
) -> None:
    """The portfolio is read in the same few queries for a loan officer and a county manager, and the
    collection list in one: no loan is read into Python to be counted."""
    manager = make_user(Role.COUNTY_MANAGER, county=book.county)
    for actor in (officer, manager):
        with places_cached():  # as in a request: the user's places looked up once
            portfolio_summary(actor=actor)
            with django_assert_num_queries(6):
                portfolio_summary(actor=actor)
            with django_assert_num_queries(1):
                assert len(list(collection_list(actor=actor))) == 4
