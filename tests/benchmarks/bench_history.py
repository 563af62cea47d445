"""Benchmark: a big history (10,000 conversations, 1,000,000 messages) stays fast.

Run: ``python tests/benchmarks/bench_history.py [--db PATH] [--conversations N]
[--messages N] [--repeat 5]``.

The database is generated once with the store's bulk API (English prose, Chinese
prose, code; 50-800 characters; timestamps over two years) and cached at ``--db``
(default: ``<tmp>/chatdesk-bench-history.sqlite3``); later runs reuse it when it
has the requested size (``--regenerate`` forces a new one). A database written by an
older ChatDesk is migrated when opened, and the time that takes is printed.

Measured inside this process, on a freshly opened ``Store``:

* first page (50 hits) of ``search`` for common/rare/absent words, 2-char Chinese,
  2-letter English, ``GPT-4o``, a quoted phrase, with filters and relevance sort:
  target p50 and max < 50 ms;
* ``count_search`` for the same queries (capped at ``Store.SEARCH_COUNT_CAP``,
  when the store has one);
* ``list_conversations(limit=200)``: target < 100 ms;
* opening conversations (``list_messages`` + ``active_path``), the largest
  included: target < 150 ms;
* the process RSS (current and peak) with the store open: target < 250 MB.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from chatdesk.store import Store  # noqa: E402
from chatdesk.store.rows import ConversationRow, MessageRow  # noqa: E402

SEARCH_TARGET_MS = 50.0
LIST_TARGET_MS = 100.0
OPEN_TARGET_MS = 150.0
RSS_TARGET_MB = 250.0

RARE_WORD = "zephyrine"  # put in exactly RARE_COUNT messages
RARE_COUNT = 25
RARE_CJK = "麒麟"  # 2-char Chinese in exactly RARE_COUNT messages
ABSENT_WORD = "qwxyzzyv"
MODELS = ("gpt-4o", "gpt-4o-mini", "claude-3-5-sonnet", "deepseek-chat", "qwen2.5-72b")
T0 = 1_672_531_200.0  # 2023-01-01
SPAN = 2 * 365 * 86400.0

# -- text generation ----------------------------------------------------------------

COMMON_EN = (
    "the be to of and a in that have it for not on with he as you do at this but his by "
    "from they we say her she or an will my one all would there their what so up out if "
    "about who get which go me when make can like time no just him know take people into "
    "year your good some could them see other than then now look only come its over think "
    "also back after use two how our work first well way even new want because any these "
    "give day most us is are was were been has had did does should must might may very"
).split()
TOPIC_EN = (
    "machine learning model data training network python function database index query "
    "server client request response error memory performance thread process cache file "
    "string list dictionary class object method variable loop value result test deploy "
    "container kubernetes docker cloud API token prompt context window embedding vector "
    "gradient neural transformer attention layer weight batch epoch accuracy loss "
    "optimizer learning rate inference latency throughput benchmark algorithm sort search "
    "tree graph hash table pointer compiler runtime garbage collector async await event "
    "schema migration transaction commit rollback backup restore encryption certificate"
).split()
EXTRA_EN = (
    "AI",
    "AI",
    "GPT-4o",
    "LLM",
    "GPU",
    "SQL",
    "JSON",
    "HTTP",
    "machine learning",
    "deep learning",
)
CJK_WORDS = (
    "我们 你 他 这个 那个 问题 可以 需要 使用 数据 模型 学习 机器学习 深度学习 训练 "
    "神经网络 算法 函数 变量 数据库 索引 查询 服务器 客户端 请求 响应 错误 内存 性能 "
    "线程 进程 缓存 文件 字符串 列表 字典 对象 方法 循环 结果 测试 部署 容器 云 "
    "接口 上下文 向量 梯度 注意力 准确率 损失 优化器 推理 延迟 吞吐量 排序 搜索 "
    "树 图 哈希表 指针 编译器 运行时 垃圾回收 异步 事件 事务 提交 回滚 备份 恢复 "
    "加密 证书 如何 为什么 什么 怎么 已经 应该 因为 所以 但是 如果 然后 非常 比较 "
    "简单 复杂 重要 例如 首先 其次 最后 总之 方面 情况 时候 工作 人工智能 自然语言 "
    "处理 图像 识别 分类 回归 聚类 特征 参数 配置 环境 安装 版本 更新 文档 代码 "
    "的 了 是 在 和 有 也 就 都 而 及 与 着 或 一个 没有 我们的 这样 那么"
).split()
CODE_SNIPPETS = (
    "```python\ndef {f}(items: list[int]) -> int:\n    total = 0\n    for x in items:\n"
    "        total += x * {n}\n    return total\n```",
    "```python\nimport sqlite3\n\nconn = sqlite3.connect('{f}.db')\n"
    "rows = conn.execute('SELECT id, name FROM {f} WHERE id > ?', ({n},)).fetchall()\n```",
    "```js\nasync function {f}(url) {{\n  const res = await fetch(url);\n"
    "  if (!res.ok) throw new Error(`HTTP ${{res.status}}`);\n  return res.json();\n}}\n```",
    "```sql\nCREATE INDEX idx_{f} ON {f} (created_at DESC);\n"
    "SELECT count(*) FROM {f} WHERE status = 'done' LIMIT {n};\n```",
    '```bash\nfor f in *.log; do\n  grep -c ERROR "$f" >> {f}_{n}.txt\ndone\n```',
    "```python\nclass {F}:\n    def __init__(self, size={n}):\n        self.size = size\n"
    "        self.cache = {{}}\n\n    def get(self, key):\n        return self.cache.get(key)\n```",
)


def _pseudo_words(rng: random.Random, n: int) -> list[str]:
    cons = "b c d f g h j k l m n p r s t v w z br cr dr fl gr pl st tr ch sh th".split()
    vows = "a e i o u ai ea ou io".split()
    out = set()
    while len(out) < n:
        out.add("".join(rng.choice(cons) + rng.choice(vows) for _ in range(rng.randint(1, 3))))
    return sorted(out)


class TextFactory:
    """Pools of sentences glued into messages: fast enough for a million of them."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        rare = [w for w in _pseudo_words(rng, 4000) if len(w) >= 4 and w not in ABSENT_WORD]
        # Zipf-ish: common words dominate, topic words next, a long tail of rare ones.
        vocab = COMMON_EN + TOPIC_EN + list(EXTRA_EN) + rare
        weights = ([40.0] * len(COMMON_EN) + [8.0] * len(TOPIC_EN) + [6.0] * len(EXTRA_EN)) + [
            1.0 / (1 + i / 50) for i in range(len(rare))
        ]
        self.en = [self._en_sentence(vocab, weights) for _ in range(20000)]
        self.en.append("Tell me more about machine learning and how AI models are trained.")
        self.zh = [self._zh_sentence() for _ in range(12000)]
        self.code = []
        names = TOPIC_EN + rare[:500]
        for _ in range(3000):
            f = rng.choice(names).lower() + "_" + rng.choice(names).lower()
            tpl = rng.choice(CODE_SNIPPETS)
            self.code.append(tpl.format(f=f, F=f.title().replace("_", ""), n=rng.randint(1, 999)))

    def _en_sentence(self, vocab: list[str], weights: list[float]) -> str:
        words = self.rng.choices(vocab, weights, k=self.rng.randint(6, 18))
        text = " ".join(words)
        return text[0].upper() + text[1:] + self.rng.choice(".?!.")

    def _zh_sentence(self) -> str:
        words = self.rng.choices(CJK_WORDS, k=self.rng.randint(5, 14))
        if self.rng.random() < 0.05:
            words.insert(self.rng.randrange(len(words)), self.rng.choice(("AI", "GPT-4o")))
        return "".join(words) + self.rng.choice("。？！，")

    def message(self, kind: str, role: str) -> str:
        rng = self.rng
        target = rng.randint(50, 300) if role == "user" else rng.randint(150, 800)
        pool = self.zh if kind == "zh" else self.en
        parts: list[str] = []
        size = 0
        if kind == "code" and role == "assistant":
            snippet = rng.choice(self.code)
            parts.append(snippet)
            size += len(snippet)
        while size < target:
            s = rng.choice(pool)
            parts.append(s)
            size += len(s) + 1
        sep = "" if kind == "zh" else " "
        text = sep.join(parts) if kind != "code" else "\n\n".join(parts)
        return text[: max(target, 50)]


def _sizes(rng: random.Random, conversations: int, messages: int) -> list[int]:
    """Messages per conversation: mostly 20-150, ~1 % long ones (1,000-2,000)."""
    sizes = [
        rng.randint(1000, 2000) if rng.random() < 0.01 else rng.randint(20, 150)
        for _ in range(conversations)
    ]
    scale = messages / sum(sizes)
    sizes = [max(2, int(s * scale)) for s in sizes]
    diff = messages - sum(sizes)
    i = 0
    while diff:
        step = 1 if diff > 0 else -1
        if sizes[i % conversations] + step >= 2:
            sizes[i % conversations] += step
            diff -= step
        i += 1
    sizes[0] = max(sizes[0], 2000) if messages >= 10 * 2000 else sizes[0]
    diff = messages - sum(sizes)
    j = 1
    while diff < 0:
        take = min(-diff, sizes[j] - 2)
        sizes[j] -= take
        diff += take
        j += 1
    return sizes


def generate(path: Path, conversations: int, messages: int, seed: int = 20240601) -> None:
    rng = random.Random(seed)
    texts = TextFactory(rng)
    sizes = _sizes(rng, conversations, messages)
    rare_at = set(rng.sample(range(messages), RARE_COUNT))
    rare_cjk_at = set(rng.sample(range(messages), RARE_COUNT))
    starts = sorted(rng.uniform(T0, T0 + SPAN) for _ in range(conversations))
    start = time.perf_counter()
    done = 0
    batch: list[MessageRow] = []
    with Store(path) as store:
        conn = store.conn
        conn.execute("PRAGMA cache_size = -65536")  # 64 MB while building only
        store_tx = store.transaction()
        store_tx.__enter__()
        next_id = store.next_message_id()
        for c in range(conversations):
            n = sizes[c]
            kind = rng.choices(("en", "zh", "code"), (5, 3, 2))[0]
            model = rng.choice(MODELS)
            created = starts[c]
            t = created
            first = next_id
            rows: list[MessageRow] = []
            parent: int | None = None
            for i in range(n):
                role = "user" if i % 2 == 0 else "assistant"
                text = texts.message(kind, role)
                gidx = done + i
                if gidx in rare_at:
                    text = f"{text[:40]} {RARE_WORD} {text[40:]}"
                if gidx in rare_cjk_at:
                    text = f"{text[:20]}{RARE_CJK}{text[20:]}"
                t += rng.uniform(5, 120)
                mid = first + i
                # ~3 % of user turns are edits: a sibling of the previous user turn,
                # leaving the old turn and its answer as a side branch.
                par = parent
                if role == "user" and i >= 2 and rng.random() < 0.03:
                    par = rows[-2].parent_id
                rows.append(
                    MessageRow(
                        id=mid,
                        conversation_id=0,
                        parent_id=par,
                        role=role,
                        content=text,
                        model_requested=model if role == "assistant" else None,
                        model=model if role == "assistant" else None,
                        finish_reason="stop" if role == "assistant" else None,
                        created=t,
                        updated=t,
                    )
                )
                parent = mid
            cid = store.insert_conversation_row(
                ConversationRow(
                    id=0,
                    title=texts.message(kind, "user")[:40],
                    created=created,
                    updated=t,
                    pinned=rng.random() < 0.01,
                    model=model,
                    current_leaf_id=first + n - 1,
                ),
                source_id=None,
            )
            for r in rows:
                r.conversation_id = cid
            batch += rows
            next_id += n
            done += n
            if len(batch) >= 20000 or c == conversations - 1:
                store.bulk_add_messages(batch)
                batch = []
                store_tx.__exit__(None, None, None)
                elapsed = time.perf_counter() - start
                print(
                    f"\r  generated {done:>9,} / {messages:,} messages"
                    f" ({c + 1:,} conversations) in {elapsed:5.0f} s",
                    end="",
                    flush=True,
                )
                if c != conversations - 1:
                    store_tx = store.transaction()
                    store_tx.__enter__()
        print()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _has_size(path: Path, conversations: int, messages: int) -> bool:
    if not path.exists():
        return False
    import sqlite3

    try:
        conn = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
        try:
            nc = conn.execute("SELECT count(*) FROM conversations").fetchone()[0]
            nm = conn.execute("SELECT max(id) FROM messages").fetchone()[0] or 0
        finally:
            conn.close()
    except sqlite3.Error:
        return False
    return nc == conversations and nm == messages


# -- measuring ------------------------------------------------------------------------


def rss_mb() -> tuple[float, float]:
    """(current, peak) resident set size of this process in MB (Linux)."""
    cur = peak = 0.0
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    cur = int(line.split()[1]) / 1024
                elif line.startswith("VmHWM:"):
                    peak = int(line.split()[1]) / 1024
    except OSError:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return cur, peak


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """(p50 ms, max ms, last result)."""
    times: list[float] = []
    result: Any = None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), max(times), result


def verdict(value: float, target: float, *, known: bool = False) -> str:
    if value < target:
        return "ok"
    return "slow (known limit)" if known else "SLOW"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", type=Path, default=None)
    ap.add_argument("--conversations", type=int, default=10_000)
    ap.add_argument("--messages", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--regenerate", action="store_true")
    args = ap.parse_args()
    path: Path = args.db or Path(tempfile.gettempdir()) / "chatdesk-bench-history.sqlite3"
    if args.regenerate or not _has_size(path, args.conversations, args.messages):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        print(f"generating {path} ...")
        t = time.perf_counter()
        generate(path, args.conversations, args.messages)
        print(f"generated in {time.perf_counter() - t:.0f} s")
    size = sum(
        Path(f"{path}{s}").stat().st_size for s in ("", "-wal") if Path(f"{path}{s}").exists()
    )
    print(f"database: {path} ({size / 1e6:,.0f} MB)")

    rss0, _ = rss_mb()
    t = time.perf_counter()
    store = Store(path)
    open_ms = (time.perf_counter() - t) * 1000
    print(f"open (incl. pending migrations): {open_ms:,.0f} ms")
    failures = 0
    repeat = args.repeat

    queries: list[tuple[str, str, dict[str, Any]]] = [
        ("common word", "the", {}),
        ("common topic word", "learning", {}),
        ("rare word", RARE_WORD, {}),
        ("absent word", ABSENT_WORD, {}),
        ("2-char Chinese", "学习", {}),
        ("rare 2-char Chinese", RARE_CJK, {}),
        ("absent 2-char Chinese", "鼹鼠", {}),
        ("4-char Chinese", "机器学习", {}),
        ("2-letter AI", "AI", {}),
        ("absent 2-letter", "qx", {}),
        ("1-char", "的", {}),
        ("GPT-4o", "GPT-4o", {}),
        ("phrase", '"machine learning"', {}),
        ("two words", "python database", {}),
        ("mixed short+long", "AI 机器学习", {}),
        ("absent short + common", "qx the", {}),
        ("model filter", "learning", {"model": "deepseek-chat"}),
        ("role filter", "学习", {"role": "user"}),
        ("rare + role filter", RARE_WORD, {"role": "assistant"}),
        # Known limits, shown but not counted: a very selective filter makes the count
        # check every match's row; an old date range makes newest-first skip the
        # newer matches first.
        ("pinned filter*", "learning", {"pinned": True}),
        ("until 1 year ago*", "learning", {"until": T0 + SPAN / 2}),
        ("relevance common", "the", {"sort": "relevance"}),
        ("relevance phrase", '"machine learning"', {"sort": "relevance"}),
        ("relevance 学习", "学习", {"sort": "relevance"}),
        ("page 5 common", "learning", {"offset": 200}),
    ]
    print(f"\nsearch, first page of 50 (x{repeat})          p50 ms   max ms  hits")
    for label, q, kw in queries:
        p50, mx, hits = timed(lambda q=q, kw=kw: store.search(q, limit=50, **kw), repeat)
        v = verdict(mx, SEARCH_TARGET_MS, known=label.endswith("*"))
        failures += v == "SLOW"
        print(f"  {label:<24} {q!r:<22} {p50:7.1f}  {mx:7.1f}  {len(hits):4d}  {v}")
    print(f"\ncount_search (x{repeat})                        p50 ms   max ms  count")
    for label, q, kw in queries:
        kw = {k: v for k, v in kw.items() if k not in ("sort", "offset")}
        p50, mx, n = timed(lambda q=q, kw=kw: store.count_search(q, **kw), repeat)
        v = verdict(mx, SEARCH_TARGET_MS, known=label.endswith("*"))
        failures += v == "SLOW"
        print(f"  {label:<24} {q!r:<22} {p50:7.1f}  {mx:7.1f}  {n:>6,}  {v}")

    p50, mx, convs = timed(lambda: store.list_conversations(limit=200), repeat)
    v = verdict(mx, LIST_TARGET_MS)
    failures += v != "ok"
    print(f"\nlist_conversations(limit=200): p50 {p50:.1f} ms, max {mx:.1f} ms ({len(convs)}) {v}")

    rng = random.Random(1)
    ids = [r[0] for r in store.conn.execute("SELECT id FROM conversations")]
    biggest = store.conn.execute(
        "SELECT id, message_count FROM conversations ORDER BY message_count DESC LIMIT 1"
    ).fetchone()[0]
    print("\nopen conversation (list_messages + active_path)      ms   messages  path")
    for cid in [biggest, *rng.sample(ids, 5)]:

        def open_conv(cid: int = cid) -> tuple[int, int]:
            return len(store.list_messages(cid)), len(store.active_path(cid))

        p50, mx, (n, plen) = timed(open_conv, repeat)
        v = verdict(mx, OPEN_TARGET_MS)
        failures += v != "ok"
        print(f"  conversation {cid:>6}    p50 {p50:6.1f}  max {mx:6.1f}  {n:6,}  {plen:5,}  {v}")

    cur, peak = rss_mb()
    v = verdict(peak, RSS_TARGET_MB)
    failures += v != "ok"
    print(f"\nRSS: {cur:.0f} MB now, {peak:.0f} MB peak (was {rss0:.0f} MB before opening) {v}")
    store.close()
    print(f"\n{'all targets met' if not failures else f'{failures} figure(s) over target'}")
    return 0 if not failures else 1


if __name__ == "__main__":
    raise SystemExit(main())
