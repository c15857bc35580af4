"""Load the GB/T 4754-2017 industry table (data/gbt4754_2017.csv); idempotent."""

from django.db import migrations


def load(apps, schema_editor):
    from gongkai.enterprise.industries import load_industries

    load_industries(apps.get_model("enterprise", "Industry"))


class Migration(migrations.Migration):

    dependencies = [
        ("enterprise", "0002_claims_import_jobs"),
    ]

    operations = [
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
