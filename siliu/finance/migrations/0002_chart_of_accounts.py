from django.db import migrations

# A copy of siliu.finance.chart.SYSTEM_ACCOUNTS as it stood when this migration was written:
# migrations must not change when the code does. (code, name, type, allows_negative)
CHART = [
    ("escrow", "订单担保（代收待结）", "liability", False),
    ("seller_payables", "应付卖家货款", "liability", False),
    ("income:platform_commission", "平台佣金收入", "income", True),
    ("income:postage", "邮费收入", "income", True),
    ("income:agency_commission", "代理业务佣金收入", "income", True),
    ("income:interest", "利息收入", "income", True),
    ("expense:compensation", "赔偿支出", "expense", True),
    ("cash_over_short", "现金长短款", "expense", True),
    ("equity:capital", "实收资本（备用金来源）", "equity", True),
]


def create_chart(apps, schema_editor):
    Account = apps.get_model("finance", "Account")
    for code, name, type_, allows_negative in CHART:
        Account.objects.get_or_create(
            code=code, defaults={"name": name, "type": type_, "allows_negative": allows_negative}
        )


class Migration(migrations.Migration):
    dependencies = [("finance", "0001_ledger")]

    operations = [migrations.RunPython(create_chart, migrations.RunPython.noop)]
