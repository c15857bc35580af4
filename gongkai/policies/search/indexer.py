"""Placeholder nudge until the search indexer lands (the search work replaces this module)."""


def apply_pending_changes_soon() -> None:
    return None
