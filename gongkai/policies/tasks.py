"""Background tasks of the policy library."""

from __future__ import annotations

from django_tasks import task


@task()
def apply_search_changes() -> int:
    """检索索引补偿: the worker's safety net for the search index — applies whatever part of the
    search change log this node has not applied yet (a nudge after commit may have been skipped
    while the index was busy). Returns the number of changes applied."""
    from gongkai.policies.search.indexer import apply_pending_changes

    return apply_pending_changes()
