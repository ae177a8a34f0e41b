"""Open-text answers grouped by their most frequent words, for staff to see at a glance what people ask for.

jieba segments Chinese text into words. Loading its dictionary takes a second or two and tens of MB,
so it happens on first use (then stays loaded in the process), never at import: pages and workers
that never show open-text results do not pay for it.
"""

import functools
import logging
import re
from collections import Counter
from dataclasses import dataclass, field

# Words that carry no topic: particles, pronouns, and the filler of survey answers.
STOP_WORDS = frozenset("""
的 了 和 是 在 我 我们 你 你们 他 她 它 他们 有 也 就 都 而 及 与 或 一个 没有 希望 可以 能 能够 应该 需要
建议 还 很 更 多 些 一些 这 那 这个 那个 这些 那些 要 会 对 把 被 让 给 从 到 为 以 上 下 中 等 吧 啊 呢 吗 嗯
非常 比较 一下 现在 还是 如果 因为 所以 但是 然后 已经 不 没 好 大家 自己 什么 怎么 可能 方面 问题 情况
the a an and or of to in on for is are be we i it this that with please more
""".split())  # noqa: SIM905 (a word list reads better as text)
WORD_RE = re.compile(r"[\w]+", re.UNICODE)


@functools.cache
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def words(text: str) -> list[str]:
    """The topic words of one answer: segmented, lower-cased, without stop words, numbers or single
    characters (a single Chinese character is rarely a topic on its own), each counted once."""
    seen: list[str] = []
    for word in _jieba().lcut(text or ""):
        word = word.strip().lower()
        if len(word) < 2 or word in STOP_WORDS or word.isdigit() or not WORD_RE.fullmatch(word):
            continue
        if word not in seen:
            seen.append(word)
    return seen


@dataclass
class KeywordGroup:
    word: str
    count: int  # how many answers mention it
    answers: list[str] = field(default_factory=list)  # a few of them, to read


def group(texts: list[str], *, top: int = 12, examples: int = 3) -> list[KeywordGroup]:
    """The `top` words mentioned by the most answers (ties: the word first met wins, so the order is
    stable), each with the first few answers that mention it."""
    counts: Counter[str] = Counter()
    per_answer = [(text, words(text)) for text in texts]
    for _text, found in per_answer:
        counts.update(found)
    groups = []
    for word, count in counts.most_common(top):
        sample = [text for text, found in per_answer if word in found][:examples]
        groups.append(KeywordGroup(word=word, count=count, answers=sample))
    return groups
