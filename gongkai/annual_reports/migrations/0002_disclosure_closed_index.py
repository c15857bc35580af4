"""Index for the annual report's table 3: requests of an organisation by closing date, then
receipt date (``selectors.table3`` reads the requests received before the year that were closed
in it or later, or are still open: a range on ``closed_on`` filtered on ``received_on`` inside
the index).

Created with raw SQL so the disclosure app's models stay untouched (the index is an
implementation detail of the report query); both SQLite and PostgreSQL accept the statements.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("annual_reports", "0001_annual_reports"),
        ("disclosure", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(
            sql="CREATE INDEX IF NOT EXISTS annual_report_dreq_org_closed "
                "ON disclosure_disclosurerequest (organisation_id, closed_on, received_on)",
            reverse_sql="DROP INDEX IF EXISTS annual_report_dreq_org_closed",
        ),
    ]
