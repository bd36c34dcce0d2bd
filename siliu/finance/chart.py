"""The chart of accounts: the platform's own accounts, and how per-owner account codes are formed.

Platform accounts are created by migration ``0002_chart_of_accounts`` and, should a test database
have been flushed, again on first use (:func:`siliu.finance.services.system_account`). Per-owner
accounts (a user's wallet, an outlet's cash drawer) are opened on first use.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from siliu.finance.models import AccountType


@dataclass(frozen=True)
class SystemAccount:
    code: str
    name: str | Promise
    type: AccountType
    allows_negative: bool


ESCROW = "escrow"
SELLER_PAYABLES = "seller_payables"
PLATFORM_COMMISSION_INCOME = "income:platform_commission"
POSTAGE_INCOME = "income:postage"
AGENCY_COMMISSION_INCOME = "income:agency_commission"
INTEREST_INCOME = "income:interest"
COMPENSATION_EXPENSE = "expense:compensation"
CASH_OVER_SHORT = "cash_over_short"
CAPITAL = "equity:capital"
SELLER_PAYOUTS_PENDING = "seller_payouts_pending"
BANK = "bank"
LENDING_FUND = "lending:fund"
INTEREST_RECEIVABLE = "lending:interest_receivable"
PENALTY_INCOME = "income:penalty_interest"
LOSS_PROVISION = "lending:loss_provision"
IMPAIRMENT_EXPENSE = "expense:credit_impairment"

#: The platform's accounts. Liabilities held for customers (escrow, seller payables) may not go
#: negative; income, expense and equity headings may (a refund of income, a correction).
SYSTEM_ACCOUNTS: tuple[SystemAccount, ...] = (
    SystemAccount(ESCROW, _("订单担保（代收待结）"), AccountType.LIABILITY, False),
    SystemAccount(SELLER_PAYABLES, _("应付卖家货款"), AccountType.LIABILITY, False),
    SystemAccount(PLATFORM_COMMISSION_INCOME, _("平台佣金收入"), AccountType.INCOME, True),
    SystemAccount(POSTAGE_INCOME, _("邮费收入"), AccountType.INCOME, True),
    SystemAccount(AGENCY_COMMISSION_INCOME, _("代理业务佣金收入"), AccountType.INCOME, True),
    SystemAccount(INTEREST_INCOME, _("利息收入"), AccountType.INCOME, True),
    SystemAccount(COMPENSATION_EXPENSE, _("赔偿支出"), AccountType.EXPENSE, True),
    SystemAccount(CASH_OVER_SHORT, _("现金长短款"), AccountType.EXPENSE, True),
    SystemAccount(CAPITAL, _("实收资本（备用金来源）"), AccountType.EQUITY, True),
    # Sellers' payouts requested to a bank account and not yet paid: out of their payable, not yet out.
    SystemAccount(SELLER_PAYOUTS_PENDING, _("待付卖家提现"), AccountType.LIABILITY, False),
    # The platform's bank account, as far as the ledger sees it: what leaves by bank transfer. Its
    # deposits are booked outside the platform, so the ledger lets it run below zero.
    SystemAccount(BANK, _("银行存款"), AccountType.ASSET, True),
    # Lending (ADR 0021). The fund is the money set aside for loans: a loan is paid out of it into the
    # borrower's wallet (the money moves to the bank balance that backs wallets) and repaid principal
    # returns to it, so it cannot lend more than it holds.
    SystemAccount(LENDING_FUND, _("贷款资金"), AccountType.ASSET, False),
    # Interest and penalty accrued night by night and not yet collected, all loans together (each
    # loan's part is on its installments).
    SystemAccount(INTEREST_RECEIVABLE, _("应收利息及罚息"), AccountType.ASSET, False),
    SystemAccount(PENALTY_INCOME, _("罚息收入"), AccountType.INCOME, True),
    # The allowance for loan losses, held against the loans' principal by their class (a contra-asset,
    # kept on the credit side like a liability).
    SystemAccount(LOSS_PROVISION, _("贷款损失准备"), AccountType.LIABILITY, False),
    SystemAccount(IMPAIRMENT_EXPENSE, _("信用减值损失"), AccountType.EXPENSE, True),
)
SYSTEM_ACCOUNTS_BY_CODE = {account.code: account for account in SYSTEM_ACCOUNTS}

WALLET_PREFIX = "wallet:"
OUTLET_CASH_PREFIX = "cash:"
LOAN_PREFIX = "loan:"
AGENCY_PROVIDER_PREFIX = "agency:provider:"
AGENCY_STATION_PREFIX = "agency:station:"


def wallet_code(*, user_id: int) -> str:
    """A user's wallet account code: ``wallet:<user id>`` (ids never change; usernames may)."""
    return f"{WALLET_PREFIX}{user_id}"


def outlet_cash_code(*, outlet_code: str) -> str:
    """An outlet's cash drawer account code: ``cash:<outlet code>``."""
    return f"{OUTLET_CASH_PREFIX}{outlet_code}"


def agency_provider_code(*, provider_code: str) -> str:
    """An agency provider's clearing account (代收代付往来): what the platform owes it for payments taken,
    less what it owes the platform for pay-outs made and fees: ``agency:provider:<provider code>``."""
    return f"{AGENCY_PROVIDER_PREFIX}{provider_code}"


def agency_station_code(*, outlet_code: str) -> str:
    """What a station has earned in agency fees and is owed: ``agency:station:<outlet code>``."""
    return f"{AGENCY_STATION_PREFIX}{outlet_code}"


def loan_code(*, number: str) -> str:
    """A loan's principal receivable account code: ``loan:<contract number>``."""
    return f"{LOAN_PREFIX}{number}"
