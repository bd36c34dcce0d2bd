"""Compensation policy version 1, in force from 2026-01-01.

Rules are tried in ``priority`` order and the first that matches a claim wins (see
:func:`siliu.logistics.claims.claim_compensation` for how each basis is computed):

====  ======  ==========  =======  ========  ===============================================  =========
prio  kind    product     letter   insured   basis                                            multiple
====  ======  ==========  =======  ========  ===============================================  =========
  10  loss    any         any      yes       declared value (the actual loss up to it)
  20  damage  any         any      yes       declared value × damaged share (not above loss)
  30  loss    any         yes      no        fixed multiple of the postage                        3
  40  damage  any         yes      no        fixed multiple of the postage                        3
  50  loss    express     any      no        actual loss up to the product's uninsured cap
  60  damage  express     any      no        actual loss up to the product's uninsured cap
  70  loss    any         any      no        actual loss up to a multiple of the postage          3
  80  damage  any         any      no        actual loss up to a multiple of the postage          3
  90  delay   any         any      any       the postage refunded
====  ======  ==========  =======  ========  ===============================================  =========

A later version is added as new rows (a new policy with a later ``effective_on``); claims keep the
policy and rule they were decided under.
"""

import datetime

from django.db import migrations

EFFECTIVE_ON = datetime.date(2026, 1, 1)
NOTE = (
    "首版：保价邮件按声明价值赔偿（部分损毁按比例）；挂号信函未保价固定赔三倍邮费；"
    "特快专递未保价按实际损失、以产品条款上限为限；其他未保价邮件按实际损失、以三倍邮费为限；延误退还邮费。"
)

# priority, claim kind, product code, is_letter, is_insured, basis, postage multiple
RULES = [
    (10, "loss", None, None, True, "declared_value_pro_rata", 0),
    (20, "damage", None, None, True, "declared_value_pro_rata", 0),
    (30, "loss", None, True, False, "postage_multiple", 3),
    (40, "damage", None, True, False, "postage_multiple", 3),
    (50, "loss", "express", None, False, "actual_loss_product_cap", 0),
    (60, "damage", "express", None, False, "actual_loss_product_cap", 0),
    (70, "loss", None, None, False, "actual_loss_capped", 3),
    (80, "damage", None, None, False, "actual_loss_capped", 3),
    (90, "delay", None, None, None, "postage_refund", 0),
]


def create_policy(apps, schema_editor):
    CompensationPolicy = apps.get_model("logistics", "CompensationPolicy")
    CompensationRule = apps.get_model("logistics", "CompensationRule")
    Product = apps.get_model("logistics", "Product")
    policy = CompensationPolicy.objects.create(version=1, effective_on=EFFECTIVE_ON, note=NOTE)
    for priority, kind, product_code, is_letter, is_insured, basis, multiple in RULES:
        CompensationRule.objects.create(
            policy=policy,
            priority=priority,
            claim_kind=kind,
            product=Product.objects.get(code=product_code) if product_code else None,
            is_letter=is_letter,
            is_insured=is_insured,
            basis=basis,
            postage_multiple=multiple,
        )


def delete_policy(apps, schema_editor):
    apps.get_model("logistics", "CompensationPolicy").objects.filter(version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("logistics", "0002_products_and_tariffs")]

    operations = [migrations.RunPython(create_policy, delete_policy)]
