"""Retrain the credit scorecard from a labelled table and store it as the next version.

There are no loans on the platform yet, so the table is a CSV (the feature columns of
``CreditFeatures`` and ``bad``) or, for demos, ``--synthetic N`` made-up borrowers with a documented
hidden risk (:func:`siliu.lending.credit.training.synthetic_table`).
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from siliu.lending.credit.services import scorecard_store


class Command(BaseCommand):
    help = "Train a credit scorecard (optbinning) from a labelled CSV or a synthetic table; store it."

    def add_arguments(self, parser: CommandParser) -> None:
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument(
            "--table", metavar="CSV", help="features and 'bad' (1 = went bad), one row a loan"
        )
        source.add_argument("--synthetic", type=int, metavar="N", help="N made-up borrowers (demo only)")
        parser.add_argument("--seed", type=int, default=0, help="hold-out split and synthetic data seed")

    def handle(self, *args: Any, table: str | None, synthetic: int | None, seed: int, **options: Any) -> None:
        import pandas as pd  # optbinning and pandas load in a second or two: only for this command

        from siliu.lending.credit.training import scorecard_fit, synthetic_table

        if synthetic is not None:
            if synthetic < 100:
                raise CommandError("--synthetic needs at least 100 rows")
            data = synthetic_table(count=synthetic, seed=seed)
        else:
            try:
                data = pd.read_csv(table)
            except (OSError, ValueError) as error:
                raise CommandError(f"cannot read {table}: {error}") from None
        try:
            fitted = scorecard_fit(table=data, seed=seed)
        except ValueError as error:
            raise CommandError(str(error)) from None
        card = scorecard_store(fitted=fitted)
        metrics = card.metrics
        self.stdout.write(
            f"scorecard v{card.version}: AUC {metrics['auc']} (baseline {metrics['baseline_auc']}), "
            f"KS {metrics['ks']}, Gini {metrics['gini']} on {metrics['holdout_count']} held out"
        )
