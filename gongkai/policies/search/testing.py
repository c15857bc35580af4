"""Pytest fixtures for the search index (registered in the root ``conftest.py``).

Every test gets its own index directory, so no test reads another's index or writes to
``var/``. Tests using the plain ``db`` fixture run inside a transaction that never commits, so
the after-commit nudge does not run: call ``search_index.apply()`` (or
``apply_pending_changes()``) before searching.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


class SearchIndexHelper:
    def __init__(self, path: Path) -> None:
        self.path = path

    def apply(self) -> int:
        from gongkai.policies.search.indexer import apply_pending_changes

        return apply_pending_changes()

    def rebuild(self) -> int:
        from gongkai.policies.search.indexer import rebuild

        return rebuild()


@pytest.fixture(autouse=True)
def _search_index_dir(tmp_path_factory: pytest.TempPathFactory, settings: Any) -> Path:
    from gongkai.policies.search import api

    path = tmp_path_factory.mktemp("search-index")
    settings.GONGKAI_SEARCH_INDEX_DIR = path
    api._label_cache.clear()  # taxonomy ids change when transactional tests re-seed it
    return path


@pytest.fixture
def search_index(_search_index_dir: Path) -> SearchIndexHelper:
    return SearchIndexHelper(_search_index_dir)
