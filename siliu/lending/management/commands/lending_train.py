"""Retrain the credit scorecard and store it as the next version, with its policy cut-offs.

The table is the platform's own loans (``--from-loans``: each loan old enough to show its outcome, its
features as scored when it was applied for, bad when it ever reached 90 days past due or was written
off), a CSV (the feature columns of ``CreditFeatures`` and ``bad``) or, for demos, ``--synthetic N``
made-up borrowers with a documented hidden risk (:func:`siliu.lending.credit.training.synthetic_table`).
The cut-offs ``refuse_below`` / ``approve_from`` are chosen on the hold-out
(:func:`siliu.lending.credit.training.policy_cutoffs`).
"""

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone


class Command(BaseCommand):
    help = (
        "Train a credit scorecard (optbinning) from the platform's loans, a labelled CSV or a synthetic "
        "table; store it as the next version with its cut-offs."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument(
            "--from-loans",
            action="store_true",
            help="the platform's loans old enough to show their outcome (bad: 90 days late or written off)",
        )
        source.add_argument(
            "--table", metavar="CSV", help="features and 'bad' (1 = went bad), one row a loan"
        )
        source.add_argument("--synthetic", type=int, metavar="N", help="N made-up borrowers (demo only)")
        parser.add_argument(
            "--cutoff",
            type=datetime.date.fromisoformat,
            default=None,
            help="YYYY-MM-DD: with --from-loans, the loans as they stood at the end of that day "
            "(default today)",
        )
        parser.add_argument("--seed", type=int, default=0, help="hold-out split and synthetic data seed")

    def handle(
        self,
        *args: Any,
        from_loans: bool,
        table: str | None,
        synthetic: int | None,
        cutoff: datetime.date | None,
        seed: int,
        **options: Any,
    ) -> None:
        import pandas as pd  # optbinning and pandas load in a second or two: only for this command

        from siliu.lending.credit.training import scorecard_train, synthetic_table
        from siliu.lending.loans.history import loans_table

        if from_loans:
            data = loans_table(cutoff=cutoff or timezone.localdate())
            if data.empty:
                raise CommandError("no loan is old enough to show its outcome yet: nothing to train on")
        elif synthetic is not None:
            if synthetic < 100:
                raise CommandError("--synthetic needs at least 100 rows")
            data = synthetic_table(count=synthetic, seed=seed)
        else:
            try:
                data = pd.read_csv(table)
            except (OSError, ValueError) as error:
                raise CommandError(f"cannot read {table}: {error}") from None
        try:
            card = scorecard_train(table=data, seed=seed)
        except ValueError as error:
            raise CommandError(str(error)) from None
        metrics = card.metrics
        self.stdout.write(
            f"scorecard v{card.version}: AUC {metrics['auc']} (baseline {metrics['baseline_auc']}), "
            f"KS {metrics['ks']}, Gini {metrics['gini']} on {metrics['holdout_count']} held out; "
            f"refuse below {card.refuse_below}, approve from {card.approve_from}"
        )
