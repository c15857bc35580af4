"""Create the audit chain head row up front, so two first writers on a new database never race
to insert it (the head is then only ever locked and updated)."""

from django.db import migrations


def create_head(apps, schema_editor):
    AuditChainHead = apps.get_model("core", "AuditChainHead")
    AuditChainHead.objects.get_or_create(id=1, defaults={"last_seq": 0, "last_hash": "0" * 64})


class Migration(migrations.Migration):
    dependencies = [("core", "0002_audit_append_only_triggers")]
    operations = [migrations.RunPython(create_head, migrations.RunPython.noop)]
