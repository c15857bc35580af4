"""Background tasks of the enterprise app (django-tasks, run by ``gongkai worker``)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_import_job(job_id: int) -> str:
    """Run one enterprise-list import (``services.imports.import_job_run``); safe to run twice."""
    from gongkai.enterprise.services.imports import import_job_run

    return import_job_run(job_id)
