"""The 2025 postal tariffs and compensation policy v0, both in force from 2025-01-01.

Tariffs and compensation policies are looked up by the date a parcel is quoted or a claim is
submitted (:func:`siliu.logistics.pricing.tariff_current`,
:func:`siliu.logistics.claims.claim_compensation`); with only the 2026 rows of migrations ``0002``
and ``0003``, no parcel could be priced and no claim decided for a day of 2025. The demo county's
twelve months of history start on 2025-11-01, so the year before needs its schedule too.

Tariffs
-------
One row for every product and zone of ``0002``, with the same first weight and weight step. Each fee
is the 2026 fee less 8 %, rounded half up to the whole jiao (10 fen), as a postal schedule is
printed. That makes every fee 6.7–10 % lower, except the registered letter's 80-fen step, which
can only become 70 fen (12.5 %) in whole jiao. The resulting schedule (first weight + step; in each
zone the first-weight fee + the fee per further step started, in fen):

==========  ===============  =============  ===========  =============  ==============
product     weights          same township  same county  same province  other province
==========  ===============  =============  ===========  =============  ==============
express     1000 g + 1000 g  740 + 180      920 + 280    1380 + 460     2020 + 920
ecommerce   1000 g + 1000 g  460 + 90       550 + 140    740 + 280      1100 + 550
parcel      1000 g + 1000 g  460 + 90       550 + 140    830 + 280      1100 + 550
registered  20 g + 20 g      350 + 70       350 + 70     390 + 110      390 + 110
==========  ===============  =============  ===========  =============  ==============

Compensation policy
-------------------
Policy versions are numbered in the order they take effect, and a claim keeps the version it was
decided under. The 2025 policy takes effect before v1, so it is **version 0**, rather than v2 (a
"later version" that was in force earlier) or v1 moved back a year (``0003`` says v1 starts on
2026-01-01, and a policy's dates are not rewritten once claims may refer to it). Its rules are v1's
nine rules unchanged: they restate the postal law's long-standing terms (insured items up to the
declared value, uninsured ones up to three times the postage), which did not change at the new year.

Reversing deletes exactly these rows: the 2025-01-01 tariff of each product and zone above and
policy v0 with its rules. Both are protected once a parcel or claim refers to them.
"""

import datetime
import importlib

from django.db import migrations

# Migrations are never edited once on main, so the earlier ones' tables are safe to build on.
products_and_tariffs = importlib.import_module("siliu.logistics.migrations.0002_products_and_tariffs")
compensation_policy_v1 = importlib.import_module("siliu.logistics.migrations.0003_compensation_policy_v1")

EFFECTIVE_ON = datetime.date(2025, 1, 1)
REDUCTION_PERCENT = 8
POLICY_VERSION = 0
#: v1's rules, unchanged: priority, claim kind, product code, is_letter, is_insured, basis, multiple
RULES = compensation_policy_v1.RULES
NOTE = "2025 年度政策（v1 之前）：赔偿规则与 v1 相同。"


def fee_2025(fee_2026_fen: int) -> int:
    """The 2026 fee less :data:`REDUCTION_PERCENT`, rounded half up to the whole jiao."""
    return (fee_2026_fen * (100 - REDUCTION_PERCENT) + 500) // 1000 * 10


# first weight g, first fee fen, step g, step fee fen — by product and zone
TARIFFS = {
    product: {
        zone: (first_g, fee_2025(first_fen), step_g, fee_2025(step_fen))
        for zone, (first_g, first_fen, step_g, step_fen) in zones.items()
    }
    for product, zones in products_and_tariffs.TARIFFS.items()
}


def create_tariffs_and_policy(apps, schema_editor):
    Product = apps.get_model("logistics", "Product")
    Tariff = apps.get_model("logistics", "Tariff")
    CompensationPolicy = apps.get_model("logistics", "CompensationPolicy")
    CompensationRule = apps.get_model("logistics", "CompensationRule")
    products = {product.code: product for product in Product.objects.filter(code__in=TARIFFS)}
    Tariff.objects.bulk_create(
        Tariff(
            product=products[code],
            zone=zone,
            effective_on=EFFECTIVE_ON,
            first_weight_g=first_g,
            first_fee_fen=first_fen,
            step_weight_g=step_g,
            step_fee_fen=step_fen,
        )
        for code, zones in TARIFFS.items()
        for zone, (first_g, first_fen, step_g, step_fen) in zones.items()
    )
    policy = CompensationPolicy.objects.create(version=POLICY_VERSION, effective_on=EFFECTIVE_ON, note=NOTE)
    CompensationRule.objects.bulk_create(
        CompensationRule(
            policy=policy,
            priority=priority,
            claim_kind=kind,
            product=products[product_code] if product_code else None,
            is_letter=is_letter,
            is_insured=is_insured,
            basis=basis,
            postage_multiple=multiple,
        )
        for priority, kind, product_code, is_letter, is_insured, basis, multiple in RULES
    )


def delete_tariffs_and_policy(apps, schema_editor):
    Tariff = apps.get_model("logistics", "Tariff")
    CompensationPolicy = apps.get_model("logistics", "CompensationPolicy")
    for code, zones in TARIFFS.items():
        Tariff.objects.filter(product__code=code, zone__in=zones, effective_on=EFFECTIVE_ON).delete()
    CompensationPolicy.objects.filter(version=POLICY_VERSION, effective_on=EFFECTIVE_ON).delete()


class Migration(migrations.Migration):
    dependencies = [("logistics", "0005_round_planning")]

    operations = [migrations.RunPython(create_tariffs_and_policy, delete_tariffs_and_policy)]
