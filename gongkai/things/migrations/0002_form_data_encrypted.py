"""申请表 answers hold personal data (contact person, phone …): move them from a plain JSON column
to an SM4-GCM encrypted text column."""

import json

from django.db import migrations, models


def encrypt_existing(apps, schema_editor):
    from gongkai.disclosure import crypto

    Application = apps.get_model("things", "Application")
    for app in Application.objects.exclude(form_data={}).only("pk", "form_data").iterator():
        if app.form_data:
            Application.objects.filter(pk=app.pk).update(
                form_data_cipher=crypto.encrypt(json.dumps(app.form_data, ensure_ascii=False, sort_keys=True)))


def decrypt_existing(apps, schema_editor):
    from gongkai.disclosure import crypto

    Application = apps.get_model("things", "Application")
    for app in Application.objects.exclude(form_data_cipher="").only("pk", "form_data_cipher").iterator():
        Application.objects.filter(pk=app.pk).update(form_data=json.loads(crypto.decrypt(app.form_data_cipher)))


class Migration(migrations.Migration):
    dependencies = [("things", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="application", name="form_data_cipher",
            field=models.TextField(blank=True, default="", verbose_name="申请表（密文）"),
        ),
        migrations.RunPython(encrypt_existing, decrypt_existing),
        migrations.RemoveField(model_name="application", name="form_data"),
    ]
