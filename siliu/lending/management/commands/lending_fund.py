"""Add money to the loan fund from the platform's capital (the fund cannot lend more than it holds)."""

from decimal import InvalidOperation
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from siliu.core.errors import DomainError
from siliu.core.money import format_fen, parse_yuan
from siliu.finance import chart
from siliu.finance.models import Account
from siliu.lending.loans.services import lending_fund_add


class Command(BaseCommand):
    help = "Add YUAN to the loan fund (lending:fund) from capital, or show what it holds."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--add", metavar="YUAN", help="yuan to add, e.g. 500000 or 1234.56")

    def handle(self, *args: Any, add: str | None, **options: Any) -> None:
        if add is not None:
            try:
                amount_fen = parse_yuan(add)
                lending_fund_add(amount_fen=amount_fen)
            except (DomainError, InvalidOperation, ValueError) as error:
                raise CommandError(f"cannot add {add!r}: {getattr(error, 'message', error)}") from None
        fund = Account.objects.filter(code=chart.LENDING_FUND).first()
        held = fund.debits_posted - fund.credits_posted if fund else 0
        self.stdout.write(f"loan fund holds {format_fen(held)}")
