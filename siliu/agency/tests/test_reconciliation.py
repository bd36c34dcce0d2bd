"""Reconciliation of providers' daily statements: every kind of mismatch found, idempotent import and
replacement, strict parsing, each resolution's ledger effect and the settlement to the fen, the refusals
writing nothing, and the scope of a county manager."""

import datetime
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from siliu.agency.catalogue import AgencyService, AgencyTransaction, Provider, TransactionStatus
from siliu.agency.counter.services import agency_transact, agency_transaction_reverse
from siliu.agency.reconciliation.models import (
    ItemKind,
    ItemStatus,
    Resolution,
    Statement,
    StatementEvent,
    StatementItem,
    StatementItemEvent,
    StatementLine,
    StatementStatus,
)
from siliu.agency.reconciliation.selectors import statement_summary
from siliu.agency.reconciliation.services import mismatch_resolve, statement_import, statement_settle
from siliu.agency.reconciliation.statement_file import (
    StatementFileLine,
    StatementRefused,
    statement_file_line,
    statement_file_parse,
    statement_file_write,
)
from siliu.agency.tests.conftest import (
    BANK_CARD,
    MORNING,
    NEXT_MORNING,
    OTHER_BANK_CARD,
    agency_snapshot,
    balance,
)
from siliu.core.errors import Conflict, PermissionRefused, ValidationFailed
from siliu.core.roles import Role
from siliu.finance import chart
from siliu.finance.models import Transfer
from siliu.network.models import Outlet, Region
from siliu.network.tests.factories import CountyFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 5, 4)
GRID = chart.agency_provider_code(provider_code="state-grid")
PSBC = chart.agency_provider_code(provider_code="psbc")
STATION = chart.agency_station_code(outlet_code="VS9001")
INCOME = chart.AGENCY_COMMISSION_INCOME
REFUNDS = "agency:refunds:VS9001"
RECOVERIES = "agency:recoveries:VS9001"
UNKNOWN_NUMBER = "AG2605049999999999"


def snapshot() -> tuple[Any, ...]:
    """The counter's snapshot and every reconciliation row."""
    return (
        agency_snapshot(),
        list(Statement.objects.order_by("pk").values_list("pk", "status", "sha256")),
        StatementLine.objects.count(),
        list(StatementItem.objects.order_by("pk").values_list("pk", "status", "resolution", "agreed_fen")),
        StatementEvent.objects.count(),
        StatementItemEvent.objects.count(),
    )


@pytest.fixture
def county(db: None) -> Region:
    region: Region = CountyFactory.create()
    return region


@pytest.fixture
def providers(catalogue: dict[str, AgencyService], county: Region) -> dict[str, Provider]:
    """The demo providers, all of the county but the bank (reconciled by finance staff)."""
    Provider.objects.exclude(code="psbc").update(county=county)
    return {provider.code: provider for provider in Provider.objects.all()}


@pytest.fixture
def manager(make_user: Callable[..., User], county: Region) -> User:
    user: User = make_user(Role.COUNTY_MANAGER, username="manager", county=county)
    return user


@pytest.fixture
def other_manager(make_user: Callable[..., User], county: Region) -> User:
    """A county manager of another county of the same province."""
    other = Region.objects.create(code="610199", name="邻县", level="county", parent=county.parent)
    user: User = make_user(Role.COUNTY_MANAGER, username="neighbour", county=other)
    return user


@pytest.fixture
def finance(make_user: Callable[..., User]) -> User:
    return make_user(Role.FINANCE, username="finance")


def pay(
    station: Outlet, operator: User, service: str, account: str, amount_fen: int, minutes: int
) -> AgencyTransaction:
    return agency_transact(
        outlet=station,
        service_code=service,
        account=account,
        amount_fen=amount_fen,
        actor=operator,
        now=MORNING + datetime.timedelta(minutes=minutes),
    )


@pytest.fixture
def power_day(
    station: Outlet, operator: User, providers: dict[str, Provider]
) -> dict[str, AgencyTransaction]:
    """Four electricity bills paid in cash on DAY (a ¥0.50 fee the provider pays, ¥0.35 to the station),
    the fourth reversed at the counter that morning."""
    made = {
        "matched": pay(station, operator, "electricity", "0101-2345", 12_345, 1),
        "differs": pay(station, operator, "electricity", "0101-2346", 20_000, 2),
        "theirs_missing": pay(station, operator, "electricity", "0101-2347", 5_000, 3),
        "reversed": pay(station, operator, "electricity", "0101-2348", 8_000, 4),
    }
    agency_transaction_reverse(
        number=made["reversed"].number,
        actor=operator,
        reason="户号输错",
        now=MORNING + datetime.timedelta(minutes=5),
    )
    made["reversed"].refresh_from_db()
    return made


def power_file(made: dict[str, AgencyTransaction], **more: Any) -> bytes:
    """The power company's statement with one of every mismatch: an amount ¥10 more, our third bill
    left out, the bill we reversed still listed, and a bill we never took."""
    return statement_file_write(
        provider=made["matched"].provider,
        business_on=DAY,
        drop=[made["theirs_missing"].number],
        amounts={made["differs"].number: 21_000},
        add=[
            statement_file_line(made["reversed"]),
            StatementFileLine(
                number=UNKNOWN_NUMBER,
                provider_number="SG-777",
                occurred_at=MORNING + datetime.timedelta(minutes=30),
                service_code="electricity",
                amount_fen=3_000,
                account_display="0101-9999",
            ),
        ],
        **more,
    )


def import_power(
    manager: User, made: dict[str, AgencyTransaction], content: bytes | None = None
) -> Statement:
    return statement_import(
        provider=made["matched"].provider,
        business_on=DAY,
        content=power_file(made) if content is None else content,
        actor=manager,
        now=NEXT_MORNING,
    ).statement


def item(statement: Statement, kind: str, number: str) -> StatementItem:
    return next(
        found
        for found in statement.items.select_related("line", "transaction")
        if found.kind == kind and found.number == number
    )


def resolve(found: StatementItem, resolution: str, actor: User, note: str = "核对后处理") -> StatementItem:
    return mismatch_resolve(item=found, resolution=resolution, note=note, actor=actor, now=NEXT_MORNING)


# --- import and matching ---------------------------------------------------------------------------


def test_a_statement_with_every_kind_of_mismatch_gives_exactly_those_items(
    manager: User, power_day: dict[str, AgencyTransaction]
) -> None:
    """Matched, amount differs, missing on ours (one unknown, one reversed by us), missing on theirs."""
    statement = import_power(manager, power_day)
    items = {
        (
            found.kind,
            found.number,
            found.status,
            found.ours_provider_fen,
            found.theirs_provider_fen,
            found.agreed_fen,
        )
        for found in statement.items.select_related("line", "transaction")
    }
    assert items == {
        (ItemKind.MATCHED, power_day["matched"].number, ItemStatus.AGREED, 12_295, 12_295, 12_295),
        (ItemKind.AMOUNT_DIFFERS, power_day["differs"].number, ItemStatus.OPEN, 19_950, 20_950, None),
        (ItemKind.MISSING_THEIRS, power_day["theirs_missing"].number, ItemStatus.OPEN, 4_950, None, None),
        (ItemKind.MISSING_OURS, power_day["reversed"].number, ItemStatus.OPEN, None, 7_950, None),
        (ItemKind.MISSING_OURS, UNKNOWN_NUMBER, ItemStatus.OPEN, None, 2_950, None),
    }
    assert (
        item(statement, ItemKind.MISSING_OURS, power_day["reversed"].number).transaction
        == power_day["reversed"]
    )
    summary = statement_summary(statement=statement)
    assert summary.counts == {"matched": 1, "amount_differs": 1, "missing_ours": 2, "missing_theirs": 1}
    assert (summary.ours_fen, summary.theirs_fen, summary.open_count) == (37_195, 44_145, 4)
    assert (statement.line_count, statement.total_fen, statement.status) == (
        4,
        12_345 + 21_000 + 8_000 + 3_000,
        "open",
    )
    assert list(statement.events.values_list("kind", "to_status")) == [("imported", "open")]


def test_importing_the_same_file_twice_changes_nothing(
    manager: User, power_day: dict[str, AgencyTransaction]
) -> None:
    """The second import of identical bytes returns the first statement and writes nothing."""
    content = power_file(power_day)
    first = import_power(manager, power_day, content)
    before = snapshot()
    again = statement_import(
        provider=first.provider, business_on=DAY, content=content, actor=manager, now=NEXT_MORNING
    )
    assert (again.statement, again.created, again.replaced) == (first, False, None)
    assert again.counts == {"matched": 1, "amount_differs": 1, "missing_ours": 2, "missing_theirs": 1}
    assert snapshot() == before


def test_a_bom_and_columns_in_another_order_are_read(
    manager: User, power_day: dict[str, AgencyTransaction]
) -> None:
    """Excel's BOM is tolerated; columns are found by name; blank lines are skipped."""
    text = power_file(power_day).decode()
    header, *rows = text.strip().split("\n")
    swapped = "\n".join(",".join(reversed(line.split(","))) for line in [header, *rows])
    statement = import_power(manager, power_day, ("\ufeff" + swapped + "\n\n").encode())
    assert statement_summary(statement=statement).counts["matched"] == 1
    assert statement.line_count == 4


def test_a_different_file_replaces_the_statement_before_any_resolution(
    manager: User, power_day: dict[str, AgencyTransaction]
) -> None:
    """The earlier statement is kept, superseded; the new one is matched afresh."""
    first = import_power(manager, power_day)
    corrected = statement_file_write(provider=first.provider, business_on=DAY)
    result = statement_import(
        provider=first.provider, business_on=DAY, content=corrected, actor=manager, now=NEXT_MORNING
    )
    first.refresh_from_db()
    assert result.created and result.replaced == first
    assert first.status == StatementStatus.SUPERSEDED
    assert result.statement.replaces == first
    assert result.counts == {"matched": 3, "amount_differs": 0, "missing_ours": 0, "missing_theirs": 0}
    assert list(first.events.values_list("kind", "from_status", "to_status")) == [
        ("imported", "", "open"),
        ("superseded", "open", "superseded"),
    ]


def test_a_different_file_is_refused_once_a_mismatch_is_resolved(
    manager: User, power_day: dict[str, AgencyTransaction]
) -> None:
    """Conflict, and nothing written."""
    statement = import_power(manager, power_day)
    resolve(item(statement, ItemKind.MISSING_OURS, UNKNOWN_NUMBER), Resolution.DISPUTE, manager)
    before = snapshot()
    with pytest.raises(Conflict) as refused:
        statement_import(
            provider=statement.provider,
            business_on=DAY,
            content=statement_file_write(provider=statement.provider, business_on=DAY),
            actor=manager,
            now=NEXT_MORNING,
        )
    assert (refused.value.code, refused.value.field) == ("statement_has_resolutions", "file")
    assert snapshot() == before


def test_bad_rows_are_refused_naming_line_and_column_with_nothing_written(
    manager: User, power_day: dict[str, AgencyTransaction]
) -> None:
    """Every fault is listed with its line (the header is line 1) and column."""
    good = power_file(power_day).decode().strip().split("\n")
    broken = [
        *good[:2],
        good[2].replace("210.00", "210.001"),
        good[3].replace(",electricity,", ",water,"),
        good[4].replace("2026-05-04", "2026-05-05"),
        "AG1,X,2026-05-04 10:00:00,electricity,1.00",
    ]
    before = snapshot()
    with pytest.raises(StatementRefused) as refused:
        import_power(manager, power_day, "\n".join(broken).encode())
    assert [(error.line, error.column, error.code) for error in refused.value.line_errors] == [
        (3, "金额", "invalid_amount"),
        (4, "业务", "unknown_service"),
        (5, "交易时间", "not_on_day"),
        (6, "客户标识", "wrong_field_count"),
    ]
    assert refused.value.as_dict()["errors"] == {
        "lines.3.金额": ["应为以元为单位的正数，最多两位小数，如 123.45"],
        "lines.4.业务": ["不是该委托方的业务：water"],
        "lines.5.交易时间": ["不在对账日 2026-05-04"],
        "lines.6.客户标识": ["这一行有 5 个字段，表头有 6 列"],
    }
    assert snapshot() == before


@pytest.mark.parametrize(
    ("content", "where"),
    [
        (b"", (1, "文件", "invalid_file")),
        ("流水号,业务,金额\n".encode(), (1, "委托方流水号", "missing_column")),
        ("流水号,委托方流水号,交易时间,业务,金额,客户标识\n".encode("utf-16"), (1, "文件", "invalid_file")),
        (
            "流水号,委托方流水号,交易时间,业务,金额,客户标识\n"
            "AG2605040000000001,A1,2026-05-04 10:00:00,electricity,0.00,X\n".encode(),
            (2, "金额", "invalid_amount"),
        ),
        (
            "流水号,委托方流水号,交易时间,业务,金额,客户标识\n"
            "AG2605040000000001,A1,2026-05-04 10:00:00,electricity,1.00,X\n"
            "AG2605040000000001,A2,2026-05-04 10:00:00,electricity,1.00,X\n".encode(),
            (3, "流水号", "repeated_number"),
        ),
    ],
)
def test_unreadable_files_are_refused(
    manager: User, providers: dict[str, Provider], content: bytes, where: tuple[int, str, str]
) -> None:
    """An empty file, a missing column, another encoding, a zero amount, a repeated number."""
    with pytest.raises(StatementRefused) as refused:
        statement_import(
            provider=providers["state-grid"],
            business_on=DAY,
            content=content,
            actor=manager,
            now=NEXT_MORNING,
        )
    first = refused.value.line_errors[0]
    assert (first.line, first.column, first.code) == where
    assert Statement.objects.count() == 0


def test_only_a_day_that_has_ended_is_imported(manager: User, providers: dict[str, Provider]) -> None:
    """Today's statement is refused: the day's transactions are not all in yet."""
    with pytest.raises(ValidationFailed) as refused:
        statement_import(
            provider=providers["state-grid"],
            business_on=DAY,
            content=statement_file_write(provider=providers["state-grid"], business_on=DAY),
            actor=manager,
            now=MORNING,
        )
    assert (refused.value.code, refused.value.field) == ("day_not_over", "business_on")


# --- resolutions and the ledger --------------------------------------------------------------------


def test_include_accept_and_theirs_book_exactly_the_difference(
    manager: User, power_day: dict[str, AgencyTransaction]
) -> None:
    """Include books nothing; accepting a line and their amount move the difference from cash over and
    short to the provider; the clearing account then owes the agreed sum, which settles it to nothing."""
    statement = import_power(manager, power_day)
    assert balance(GRID) == 12_295 + 19_950 + 4_950
    resolve(
        item(statement, ItemKind.MISSING_THEIRS, power_day["theirs_missing"].number),
        Resolution.INCLUDE,
        manager,
    )
    assert (balance(GRID), balance(chart.CASH_OVER_SHORT)) == (37_195, 0)
    theirs = resolve(
        item(statement, ItemKind.AMOUNT_DIFFERS, power_day["differs"].number), Resolution.THEIRS, manager
    )
    assert (theirs.agreed_fen, theirs.booked_fen) == (20_950, 1_000)
    assert (balance(GRID), balance(chart.CASH_OVER_SHORT)) == (38_195, 1_000)
    resolve(item(statement, ItemKind.MISSING_OURS, UNKNOWN_NUMBER), Resolution.ACCEPT, manager)
    resolve(item(statement, ItemKind.MISSING_OURS, power_day["reversed"].number), Resolution.ACCEPT, manager)
    assert (balance(GRID), balance(chart.CASH_OVER_SHORT)) == (38_195 + 2_950 + 7_950, 1_000 + 2_950 + 7_950)
    summary = statement_summary(statement=statement)
    assert (summary.agreed_fen, summary.open_count) == (49_095, 0)
    assert summary.agreed_fen == balance(GRID)

    settled = statement_settle(statement=statement, actor=manager, now=NEXT_MORNING)
    assert (settled.status, settled.settlement_fen) == (StatementStatus.SETTLED, 49_095)
    transfer = Transfer.objects.get(pk=settled.settlement_transfer_id)
    assert (transfer.debit_account.code, transfer.credit_account.code, transfer.amount_fen) == (
        GRID,
        chart.BANK,
        49_095,
    )
    assert (transfer.category, transfer.reference) == (
        "agency_settlement",
        f"agency:statement:{statement.pk}",
    )
    assert (balance(GRID), balance(chart.BANK)) == (0, -49_095)


def test_reverse_dispute_and_ours_book_the_transaction_back_and_nothing_else(
    manager: User, power_day: dict[str, AgencyTransaction]
) -> None:
    """Reversing our bill returns the provider's part and both fee shares and owes the customer their
    ¥50.00 at the station; disputing and keeping our amount book nothing."""
    statement = import_power(manager, power_day)
    assert (balance(STATION), balance(INCOME)) == (105, 45)
    reversed_item = resolve(
        item(statement, ItemKind.MISSING_THEIRS, power_day["theirs_missing"].number),
        Resolution.REVERSE,
        manager,
        "委托方无此户",
    )
    assert (reversed_item.agreed_fen, reversed_item.booked_fen) == (0, -4_950)
    assert (balance(GRID), balance(REFUNDS), balance(STATION), balance(INCOME)) == (32_245, 5_000, 70, 30)
    made = AgencyTransaction.objects.get(pk=power_day["theirs_missing"].pk)
    assert (made.status, made.reversal_reason) == (TransactionStatus.REVERSED, "对账冲正：委托方无此户")
    resolve(item(statement, ItemKind.MISSING_OURS, UNKNOWN_NUMBER), Resolution.DISPUTE, manager)
    resolve(item(statement, ItemKind.MISSING_OURS, power_day["reversed"].number), Resolution.DISPUTE, manager)
    resolve(item(statement, ItemKind.AMOUNT_DIFFERS, power_day["differs"].number), Resolution.OURS, manager)
    assert (balance(GRID), balance(chart.CASH_OVER_SHORT)) == (32_245, 0)
    assert statement_summary(statement=statement).agreed_fen == 32_245 == 12_295 + 19_950

    settled = statement_settle(statement=statement, actor=manager, now=NEXT_MORNING)
    assert settled.settlement_fen == 32_245
    assert (balance(GRID), balance(chart.BANK)) == (0, -32_245)
    assert list(
        StatementItemEvent.objects.filter(item=reversed_item).values_list(
            "from_status", "to_status", "resolution", "note"
        )
    ) == [("open", "resolved", "reverse", "委托方无此户")]


def test_a_pay_out_day_settles_the_other_way(
    station: Outlet,
    operator: User,
    finance: User,
    providers: dict[str, Provider],
    stock_drawer: Callable[[Outlet, int], None],
) -> None:
    """Cash withdrawals leave the bank owing the platform: the settlement comes in from it; a pay-out
    missing on theirs, reversed, is the customer's cash to recover at the station."""
    stock_drawer(station, 100_000)
    first = pay(station, operator, "cash-withdrawal", BANK_CARD, 50_000, 1)  # fee ¥1.50: ¥1.20 / ¥0.30
    second = pay(station, operator, "cash-withdrawal", OTHER_BANK_CARD, 20_000, 2)  # fee ¥0.60
    third = pay(station, operator, "cash-withdrawal", BANK_CARD, 10_000, 3)  # the minimum fee ¥0.30
    assert (first.provider_fen, second.provider_fen, third.provider_fen) == (-50_150, -20_060, -10_030)
    assert balance(PSBC) == -80_240
    statement = statement_import(
        provider=providers["psbc"],
        business_on=DAY,
        content=statement_file_write(
            provider=providers["psbc"], business_on=DAY, drop=[third.number], bom=True
        ),
        actor=finance,
        now=NEXT_MORNING,
    ).statement
    station_before, income_before = balance(STATION), balance(INCOME)
    resolve(item(statement, ItemKind.MISSING_THEIRS, third.number), Resolution.REVERSE, finance)
    assert (balance(PSBC), balance(RECOVERIES)) == (-70_210, 10_000)
    assert (balance(STATION), balance(INCOME)) == (station_before - 24, income_before - 6)
    settled = statement_settle(statement=statement, actor=finance, now=NEXT_MORNING)
    assert settled.settlement_fen == -70_210
    transfer = Transfer.objects.get(pk=settled.settlement_transfer_id)
    assert (transfer.debit_account.code, transfer.credit_account.code, transfer.amount_fen) == (
        chart.BANK,
        PSBC,
        70_210,
    )
    assert (balance(PSBC), balance(chart.BANK)) == (0, 70_210)


def test_a_wrong_resolution_or_no_note_is_refused_with_nothing_written(
    manager: User, power_day: dict[str, AgencyTransaction]
) -> None:
    """Accept is not for our own transaction; a note is required; a matched pair has nothing to resolve."""
    statement = import_power(manager, power_day)
    before = snapshot()
    theirs_missing = item(statement, ItemKind.MISSING_THEIRS, power_day["theirs_missing"].number)
    with pytest.raises(ValidationFailed) as refused:
        resolve(theirs_missing, Resolution.ACCEPT, manager)
    assert (refused.value.code, refused.value.field) == ("invalid_resolution", "resolution")
    with pytest.raises(ValidationFailed) as refused:
        resolve(theirs_missing, Resolution.INCLUDE, manager, note="  ")
    assert (refused.value.code, refused.value.field) == ("note_required", "note")
    with pytest.raises(Conflict) as conflict:
        resolve(item(statement, ItemKind.MATCHED, power_day["matched"].number), Resolution.OURS, manager)
    assert conflict.value.code == "already_resolved"
    assert snapshot() == before


def test_a_resolution_is_final(manager: User, power_day: dict[str, AgencyTransaction]) -> None:
    """Resolving twice is a conflict, and the second writes nothing."""
    statement = import_power(manager, power_day)
    found = item(statement, ItemKind.MISSING_OURS, UNKNOWN_NUMBER)
    resolve(found, Resolution.ACCEPT, manager)
    before = snapshot()
    with pytest.raises(Conflict) as refused:
        resolve(found, Resolution.DISPUTE, manager)
    assert refused.value.code == "already_resolved"
    assert snapshot() == before


# --- settlement ------------------------------------------------------------------------------------


def test_settle_is_refused_while_a_mismatch_is_open_and_after_settling(
    manager: User, power_day: dict[str, AgencyTransaction]
) -> None:
    """Conflicts with nothing written; and no file, other than the same one, is taken for a settled day."""
    content = power_file(power_day)
    statement = import_power(manager, power_day, content)
    before = snapshot()
    with pytest.raises(Conflict) as refused:
        statement_settle(statement=statement, actor=manager, now=NEXT_MORNING)
    assert (refused.value.code, str(refused.value.message)) == (
        "mismatches_open",
        "还有 4 条差错未处理，处理完才能结算",
    )
    assert snapshot() == before
    for found in statement.items.filter(status=ItemStatus.OPEN):
        resolve(found, found.resolutions[1], manager)
    statement_settle(statement=statement, actor=manager, now=NEXT_MORNING)
    before = snapshot()
    with pytest.raises(Conflict) as refused:
        statement_settle(statement=statement, actor=manager, now=NEXT_MORNING)
    assert refused.value.code == "already_settled"
    with pytest.raises(Conflict) as refused:
        import_power(manager, power_day, statement_file_write(provider=statement.provider, business_on=DAY))
    assert (refused.value.code, refused.value.field) == ("day_settled", "business_on")
    assert import_power(manager, power_day, content) == statement  # the same file: nothing to do
    with pytest.raises(Conflict) as refused:
        resolve(statement.items.filter(kind=ItemKind.MATCHED).get(), Resolution.OURS, manager)
    assert refused.value.code == "statement_closed"
    assert snapshot() == before


def test_a_day_that_nets_to_nothing_settles_without_a_transfer(
    manager: User, providers: dict[str, Provider]
) -> None:
    """An empty statement of a day without transactions."""
    empty = statement_file_write(provider=providers["county-water"], business_on=DAY)
    statement = statement_import(
        provider=providers["county-water"], business_on=DAY, content=empty, actor=manager, now=NEXT_MORNING
    ).statement
    transfers = Transfer.objects.count()
    settled = statement_settle(statement=statement, actor=manager, now=NEXT_MORNING)
    assert (settled.settlement_fen, settled.settlement_transfer_id, Transfer.objects.count()) == (
        0,
        "",
        transfers,
    )


# --- scope -----------------------------------------------------------------------------------------


def test_another_countys_manager_is_refused_and_finds_nothing(
    manager: User, other_manager: User, power_day: dict[str, AgencyTransaction]
) -> None:
    """Refused by the services, 404 in the API and on the pages; nothing written."""
    statement = import_power(manager, power_day)
    before = snapshot()
    with pytest.raises(PermissionRefused):
        import_power(other_manager, power_day, b"anything")
    with pytest.raises(PermissionRefused):
        resolve(item(statement, ItemKind.MISSING_OURS, UNKNOWN_NUMBER), Resolution.ACCEPT, other_manager)
    with pytest.raises(PermissionRefused):
        statement_settle(statement=statement, actor=other_manager, now=NEXT_MORNING)
    api = APIClient()
    api.force_authenticate(other_manager)
    base = "/api/v1/agency/providers/state-grid"
    assert api.get(f"{base}/statements/{statement.pk}").status_code == 404
    assert api.post(f"{base}/statements/{statement.pk}/settle").status_code == 404
    found = item(statement, ItemKind.MISSING_OURS, UNKNOWN_NUMBER)
    answer = api.post(
        f"{base}/mismatches/{found.pk}/resolve", {"resolution": "accept", "note": "x"}, format="json"
    )
    assert (answer.status_code, answer.json()["code"]) == (404, "unknown_provider")
    page = Client()
    page.force_login(other_manager)
    assert page.get(f"/agency/reconciliation/statements/{statement.pk}/").status_code == 404
    assert "国网示范县供电公司" not in page.get("/agency/reconciliation/").content.decode()
    assert snapshot() == before


def test_a_provider_without_a_county_is_reconciled_by_finance_only(
    manager: User, finance: User, providers: dict[str, Provider]
) -> None:
    """The bank has no county: its county's manager cannot import its statement; finance can."""
    content = statement_file_write(provider=providers["psbc"], business_on=DAY)
    with pytest.raises(PermissionRefused):
        statement_import(
            provider=providers["psbc"], business_on=DAY, content=content, actor=manager, now=NEXT_MORNING
        )
    assert statement_import(
        provider=providers["psbc"], business_on=DAY, content=content, actor=finance, now=NEXT_MORNING
    ).created


# --- API and pages ---------------------------------------------------------------------------------


def test_the_api_imports_resolves_and_settles(
    manager: User, power_day: dict[str, AgencyTransaction], make_user: Callable[..., User]
) -> None:
    """201 then 200 for the same file, the statement's counts and totals, 400 naming a bad line, a
    resolution, 409 while open, the settlement; an auditor reads and is refused writing."""
    api = APIClient()
    api.force_authenticate(manager)
    base = "/api/v1/agency/providers/state-grid/statements"
    content = power_file(power_day)
    day = {"business_on": "2026-05-04"}

    def upload(data: bytes) -> Any:
        return api.post(
            base, {**day, "file": SimpleUploadedFile("grid.csv", data, "text/csv")}, format="multipart"
        )

    created = upload(content)
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["counts"] == {"matched": 1, "amount_differs": 1, "missing_ours": 2, "missing_theirs": 1}
    assert (body["ours_fen"], body["theirs_fen"], body["open_count"], body["status"]) == (
        37_195,
        44_145,
        4,
        "open",
    )
    again = api.post(f"{base}?business_on=2026-05-04", content, content_type="text/csv")
    assert (again.status_code, again.json()["id"]) == (200, body["id"])
    bad = upload(content.replace(b"210.00", b"abc"))
    assert bad.status_code == 400
    assert bad.json()["lines"] == [
        {
            "line": 3,
            "column": "金额",
            "code": "invalid_amount",
            "message": "应为以元为单位的正数，最多两位小数，如 123.45",
        }
    ]
    assert api.post(base, {**day}, format="json").json()["code"] == "file_required"
    statement_id = body["id"]
    assert api.post(f"{base}/{statement_id}/settle").status_code == 409
    mismatch = next(row for row in body["mismatches"] if row["number"] == UNKNOWN_NUMBER)
    assert mismatch["resolutions"] == ["accept", "dispute"]
    resolve_url = f"/api/v1/agency/providers/state-grid/mismatches/{mismatch['id']}/resolve"
    wrong = api.post(resolve_url, {"resolution": "include", "note": "x"}, format="json")
    assert (wrong.status_code, wrong.json()["errors"]) == (
        400,
        {
            "resolution": [
                "我方无此笔只能选择：按委托方记录入账（计入长短款）、提出异议，不结算（委托方更正）"
            ]
        },
    )
    done = api.post(resolve_url, {"resolution": "accept", "note": "站点漏记"}, format="json")
    assert (done.status_code, done.json()["agreed_fen"], done.json()["booked_fen"]) == (200, 2_950, 2_950)

    auditor = APIClient()
    auditor.force_authenticate(make_user(Role.AUDITOR))
    assert auditor.get(f"{base}/{statement_id}").json()["open_count"] == 3
    assert auditor.post(f"{base}/{statement_id}/settle").status_code == 403

    for row in api.get(f"{base}/{statement_id}").json()["mismatches"]:
        if row["status"] == "open":
            assert (
                api.post(
                    f"/api/v1/agency/providers/state-grid/mismatches/{row['id']}/resolve",
                    {"resolution": row["resolutions"][0], "note": "核对"},
                    format="json",
                ).status_code
                == 200
            )
    settled = api.post(f"{base}/{statement_id}/settle")
    assert (settled.status_code, settled.json()["settlement_fen"]) == (
        200,
        12_295 + 19_950 + 4_950 + 2_950 + 7_950,
    )
    assert api.post(f"{base}/{statement_id}/settle").json()["code"] == "already_settled"


def test_the_pages_import_resolve_and_settle(manager: User, power_day: dict[str, AgencyTransaction]) -> None:
    """The menu leads to the providers; a file uploaded shows its counts; a mismatch resolved; the day
    settled after its confirmation."""
    page = Client()
    page.force_login(manager)
    assert "代理对账" in page.get("/").content.decode()
    index = page.get("/agency/reconciliation/").content.decode()
    assert "国网示范县供电公司" in index and "尚未导入" in index
    upload = SimpleUploadedFile("grid.csv", power_file(power_day), "text/csv")
    answer = page.post(
        "/agency/reconciliation/state-grid/import", {"business_on": "2026-05-04", "file": upload}, follow=True
    )
    text = answer.content.decode()
    assert "已导入对账单 4 行：一致 1，金额不符 1，我方无此笔 2，委托方无此笔 1" in text
    statement = Statement.objects.get()
    bad = page.post(
        "/agency/reconciliation/state-grid/import",
        {"business_on": "2026-05-04", "file": SimpleUploadedFile("x.csv", b"\xff\xfe", "text/csv")},
    )
    assert bad.status_code == 400 and "文件应为 UTF-8 编码的 CSV" in bad.content.decode()
    for found in statement.items.filter(status=ItemStatus.OPEN):
        answer = page.post(
            f"/agency/reconciliation/mismatches/{found.pk}/resolve",
            {"resolution": found.resolutions[0], "note": "已核对"},
        )
        assert answer.status_code == 302
    unconfirmed = page.post(f"/agency/reconciliation/statements/{statement.pk}/settle", {})
    assert unconfirmed.status_code == 400
    settled = page.post(
        f"/agency/reconciliation/statements/{statement.pk}/settle", {"confirm": "1"}, follow=True
    )
    assert "已结算 ¥480.95" in settled.content.decode()


def test_the_documented_example_is_a_valid_statement(providers: dict[str, Provider]) -> None:
    """``docs/examples/agency-statement-state-grid-2026-05-04.csv`` reads as four lines."""
    examples = Path(__file__).resolve().parents[3] / "docs" / "examples"
    path = examples / "agency-statement-state-grid-2026-05-04.csv"
    lines = statement_file_parse(content=path.read_bytes(), provider=providers["state-grid"], business_on=DAY)
    assert [(line.line_number, line.amount_fen, line.service.code) for line in lines] == [
        (2, 12_345, "electricity"),
        (3, 21_000, "electricity"),
        (4, 8_000, "electricity"),
        (5, 3_000, "electricity"),
    ]
