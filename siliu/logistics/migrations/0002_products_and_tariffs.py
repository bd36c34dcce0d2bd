import datetime

from django.db import migrations

# code, name, letter, registered, max g, volumetric divisor, insurance bp/min, COD bp/min,
# consolidated discount bp, handling min, delivery buffer min, no-scan alert h, uninsured cap fen, S10 range
PRODUCTS = [
    ("express", "特快专递", False, True, 40_000, 6000, 100, 100, 100, 300, 1000, 30, 240, 24, 50_000, "EA"),
    ("ecommerce", "电商包裹", False, True, 30_000, 8000, 100, 100, 80, 200, 2000, 30, 480, 24, 0, "HA"),
    ("parcel", "普通包裹", False, True, 40_000, 0, 100, 100, 100, 300, 1500, 60, 1440, 48, 0, "CA"),
    ("registered", "挂号信函", True, True, 2_000, 0, 0, 0, 0, 0, 0, 60, 1440, 72, 0, "RA"),
]

# first weight g, first fee fen, step g, step fee fen — by zone
TARIFFS = {
    "express": {
        "same_township": (1000, 800, 1000, 200),
        "same_county": (1000, 1000, 1000, 300),
        "same_province": (1000, 1500, 1000, 500),
        "other_province": (1000, 2200, 1000, 1000),
    },
    "ecommerce": {
        "same_township": (1000, 500, 1000, 100),
        "same_county": (1000, 600, 1000, 150),
        "same_province": (1000, 800, 1000, 300),
        "other_province": (1000, 1200, 1000, 600),
    },
    "parcel": {
        "same_township": (1000, 500, 1000, 100),
        "same_county": (1000, 600, 1000, 150),
        "same_province": (1000, 900, 1000, 300),
        "other_province": (1000, 1200, 1000, 600),
    },
    "registered": {
        "same_township": (20, 380, 20, 80),
        "same_county": (20, 380, 20, 80),
        "same_province": (20, 420, 20, 120),
        "other_province": (20, 420, 20, 120),
    },
}

EFFECTIVE_ON = datetime.date(2026, 1, 1)


def create_products(apps, schema_editor):
    Product = apps.get_model("logistics", "Product")
    Tariff = apps.get_model("logistics", "Tariff")
    TrackingRange = apps.get_model("logistics", "TrackingRange")
    for (
        code,
        name,
        is_letter,
        is_registered,
        max_weight_g,
        divisor,
        insurance_bp,
        insurance_min,
        cod_bp,
        cod_min,
        discount_bp,
        handling,
        buffer,
        alert_hours,
        cap,
        indicator,
    ) in PRODUCTS:
        product = Product.objects.create(
            code=code,
            name=name,
            is_letter=is_letter,
            is_registered=is_registered,
            max_weight_g=max_weight_g,
            volumetric_divisor=divisor,
            insurance_rate_bp=insurance_bp,
            insurance_min_fen=insurance_min,
            cod_rate_bp=cod_bp,
            cod_min_fen=cod_min,
            consolidated_discount_bp=discount_bp,
            handling_minutes=handling,
            delivery_buffer_minutes=buffer,
            no_scan_alert_hours=alert_hours,
            uninsured_cap_fen=cap,
        )
        TrackingRange.objects.create(
            product=product,
            service_indicator=indicator,
            first_serial=10_000_000,
            last_serial=99_999_999,
            next_serial=10_000_000,
        )
        for zone, (first_g, first_fen, step_g, step_fen) in TARIFFS[code].items():
            Tariff.objects.create(
                product=product,
                zone=zone,
                effective_on=EFFECTIVE_ON,
                first_weight_g=first_g,
                first_fee_fen=first_fen,
                step_weight_g=step_g,
                step_fee_fen=step_fen,
            )


class Migration(migrations.Migration):
    dependencies = [("logistics", "0001_parcels")]

    operations = [migrations.RunPython(create_products, migrations.RunPython.noop)]
