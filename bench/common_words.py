"""Generate ``gongkai/policies/search/commonwords.txt``: the very common words whose adjacent
pairs the search index also holds as single terms ("common grams", as Lucene's CommonGrams), so a
quoted phrase of common words (“融资贷款”) is a term lookup instead of a positional intersection of
two posting lists that cover most documents.

Representative corpus (document frequency, accurate-mode tokens as the index has them):
- the 378 national laws of ../shared/data/china-law/laws.db, one document per law (legal text);
- the publication the platform implements (《政务公开工作交流》, ../shared/reference/000_…txt),
  one document per paragraph (policy and open-government text).
The list is the union of the ``--laws`` most frequent words of the first and the ``--policy`` most
frequent of the second, so neither kind of text crowds out the other.

    python bench/common_words.py            # rewrites the data file
    python bench/common_words.py --check    # exit 1 if the data file is out of date

A deployment whose documents differ (a 复工复产 policy library, where 融资 and 贷款 are in most
documents) can use its own list instead, from a sample of its public documents, then rebuild:

    GONGKAI_SEARCH_COMMON_WORDS=/srv/gongkai/commonwords.txt python bench/common_words.py --from-database
    gongkai search rebuild

The index records a digest of the list it was built with (``index.index_version``): an index built
with another list is rebuilt on its own.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gongkai.policies.search.tokenize import COMMON_WORDS_FILE, exact_terms  # noqa: E402

LAWS_DB = Path("/work/shared/data/china-law/laws.db")
PUBLICATION = Path("/work/shared/reference/000_9b547ee085050803.txt")
HEADER_LINE = "# 高频词表（common grams）：两个高频词相邻时，索引另存二者拼接的词对，使由高频词组成的引号短语成为一次词项查找。"
HEADER = (HEADER_LINE + "\n"
          "# 由 bench/common_words.py 依据 laws.db（378 部法律）与《政务公开工作交流》按文档频率生成；索引记录词表摘要，词表变更后自动重建。\n")


def _is_word(term: str) -> bool:
    # Words only: numbers (条文序号, years) are not what phrases are made of.
    return not term.isdigit() and not term.isascii()


def document_frequency(documents: list[str]) -> Counter[str]:
    df: Counter[str] = Counter()
    for text in documents:
        df.update({t for t in exact_terms(text) if _is_word(t)})
    return df


def law_documents(path: Path) -> list[str]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        texts: dict[str, list[str]] = {}
        for law_id, text in connection.execute("SELECT law_id, article_text FROM articles ORDER BY law_id, id"):
            texts.setdefault(law_id, []).append(text or "")
    finally:
        connection.close()
    return ["\n".join(parts) for parts in texts.values()]


def policy_documents(path: Path) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").splitlines() if len(line.strip()) >= 20]


def common_words(laws: int, policy: int) -> list[str]:
    words: list[str] = []
    for documents, top in ((law_documents(LAWS_DB), laws), (policy_documents(PUBLICATION), policy)):
        ranked = sorted(document_frequency(documents).items(), key=lambda item: (-item[1], item[0]))
        words.extend(word for word, _ in ranked[:top])
    return list(dict.fromkeys(words))


def database_common_words(top: int = 300, sample: int = 5_000) -> list[str]:
    """The ``top`` words by document frequency in an evenly spaced sample of the configured
    database's public documents (title and body). Needs Django set up."""
    from gongkai.policies.search.index import NO_DATE
    from gongkai.policies.selectors import public_documents

    ids = list(public_documents(now=NO_DATE).order_by("pk").values_list("pk", flat=True))
    step = max(1, len(ids) // sample)
    picked = ids[::step][:sample]
    documents: list[str] = []
    model = public_documents(now=NO_DATE).model
    for i in range(0, len(picked), 500):
        documents.extend(f"{title}\n{body}" for title, body in model.objects.filter(pk__in=picked[i:i + 500])
                         .values_list("title", "body_text"))
    ranked = sorted(document_frequency(documents).items(), key=lambda item: (-item[1], item[0]))
    return [word for word, _ in ranked[:top]]


def write_list(path: Path, words: list[str], source: str) -> None:
    path.write_text(f"{HEADER_LINE}\n# 来源：{source}\n" + "\n".join(words) + "\n", encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--laws", type=int, default=200, help="most frequent words taken from the laws")
    parser.add_argument("--policy", type=int, default=150, help="most frequent words taken from the publication")
    parser.add_argument("--check", action="store_true", help="compare with the data file instead of writing it")
    parser.add_argument("--from-database", action="store_true",
                        help="from the configured database's public documents, into $GONGKAI_SEARCH_COMMON_WORDS")
    args = parser.parse_args()
    if args.from_database:
        import os

        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongkai.settings")
        target = os.environ.get("GONGKAI_SEARCH_COMMON_WORDS")
        if not target:
            print("set GONGKAI_SEARCH_COMMON_WORDS to the file to write")
            return 2
        django.setup()
        words = database_common_words()
        write_list(Path(target), words, "本库公开文件抽样（按文档频率）")
        print(f"{target}: {len(words)} words; now run: gongkai search rebuild")
        return 0
    text = HEADER + "\n".join(common_words(args.laws, args.policy)) + "\n"
    if args.check:
        current = COMMON_WORDS_FILE.read_text(encoding="utf-8") if COMMON_WORDS_FILE.exists() else ""
        if current != text:
            print(f"{COMMON_WORDS_FILE} is out of date: run python bench/common_words.py")
            return 1
        return 0
    COMMON_WORDS_FILE.write_text(text, encoding="utf-8")
    print(f"{COMMON_WORDS_FILE}: {text.count(chr(10)) - 2} words")
    return 0


if __name__ == "__main__":
    sys.exit(main())
