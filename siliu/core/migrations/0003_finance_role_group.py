from django.db import migrations


def create_finance_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.get_or_create(name="finance")


class Migration(migrations.Migration):
    dependencies = [("core", "0002_user_preference")]

    operations = [migrations.RunPython(create_finance_group, migrations.RunPython.noop)]
