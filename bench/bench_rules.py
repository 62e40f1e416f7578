"""Rules engine throughput: one Aho-Corasick pass for every lexicon term vs one regex per rule.

Run: ``.venv/bin/python bench/bench_rules.py [--mb 4] [--terms-per-rule 10]``

Corpus: the demo web's text banks (French and English paragraphs) mixed into ~10 KB documents
(a typical article's visible text) and repeated to the requested size, or generated text when
the demo is not importable. At each rule count the shipped packs are loaded plus synthetic rules
(``terms-per-rule`` made-up phrases each, plus the same 100 real corpus words at every rule count,
so that matches happen and stay the same). The engine figure is the full ``score_page``
(folding, matching, negation, scoring, evidence); the baseline is a loop of one compiled,
case-insensitive ``\\b(?:t1|t2|...)\\b`` regex per rule over the same documents (on a slice when
it would take too long; MB/s is per byte either way). Single process, single core; times are
CPU seconds of the process (``time.process_time``), fastest of ``--repeat`` runs (other load
only ever adds time); the load average and a calibration loop are printed since a busy machine
still slows a process down (shared caches, frequency)."""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rules.engine import Engine, PageFacts
from rules.packs import Pack, Rule, load_packs

SYLL = ["ka", "ri", "mo", "te", "lu", "sa", "ne", "po", "vi", "da", "zo", "qu", "an", "el", "ou", "tr", "bl"]


def corpus_pages(doc_bytes: int = 10_000) -> tuple[list[tuple[str, str, str]], str]:
    """(title, text, lang) per document and a description of where they come from. Documents are
    ~10 KB of demo page text (a typical article's visible text), same language throughout."""
    try:
        from demo.content import BANKS

        rng = random.Random(7)
        docs = []
        for lang in ("fr", "en"):
            paras = [(t, p) for (_topic, lg), bank in sorted(BANKS.items()) if lg == lang
                     for t in bank["titles"][:1] for p in bank["paras"]]
            for _ in range(60):
                rng.shuffle(paras)
                body, n = [], 0
                for _t, p in paras:
                    body.append(p)
                    n += len(p.encode())
                    if n >= doc_bytes:
                        break
                docs.append((paras[0][0], "\n".join(body), lang))
        return docs, f"demo web text banks, mixed into {len(docs)} distinct ~{doc_bytes // 1000} KB documents (FR+EN)"
    except ImportError:
        rng = random.Random(3)
        words = ["".join(rng.choice(SYLL) for _ in range(rng.randint(1, 4))) for _ in range(5000)]
        pages = [(" ".join(rng.choices(words, k=8)), " ".join(rng.choices(words, k=2000)), "en") for _ in range(120)]
        return pages, "generated text (demo not importable)"


def synthetic_rules(n: int, per_rule: int, real_words: list[str], n_real: int = 100,
                    seed: int = 11) -> list[Rule]:
    """``n`` rules of ``per_rule`` made-up phrases, plus ``n_real`` real corpus words spread over
    them: the same matches at every rule count, so only the number of rules changes."""
    rng = random.Random(seed)
    real = rng.sample(real_words, min(n_real, len(real_words)))
    seen: set[str] = set(real)
    rules = []
    for i in range(n):
        phrases: list[str] = [w for j, w in enumerate(real) if j % n == i]
        while len(phrases) < per_rule:
            w = "".join(rng.choice(SYLL) for _ in range(rng.randint(3, 5)))
            if rng.random() < 0.2:
                w += " " + "".join(rng.choice(SYLL) for _ in range(rng.randint(2, 4)))
            if w not in seen:
                seen.add(w)
                phrases.append(w)
        rules.append(Rule(id=f"bench.{i}", file="bench", line=i, category="spam_harmful", tier="low",
                          min_terms=2, phrases=phrases))
    return rules


def regex_baseline(rules: list[Rule]) -> list[re.Pattern[str]]:
    return [re.compile(r"\b(?:" + "|".join(re.escape(p) for p in sorted(r.phrases, key=len, reverse=True)) + r")\b",
                       re.IGNORECASE) for r in rules]


def time_engine(engine: Engine, pages: list[tuple[str, str, str]]) -> float:
    """CPU seconds of this process (not wall time, so that other load on the machine does not count)."""
    t = time.process_time()
    for title, text, lang in pages:
        engine.score_page(PageFacts(url="http://bench.example/", title=title, text=text, lang=lang))
    return time.process_time() - t


def time_regex(patterns: list[re.Pattern[str]], pages: list[tuple[str, str, str]]) -> float:
    t = time.process_time()
    for title, text, _lang in pages:
        for p in patterns:
            p.findall(title)
            p.findall(text)
    return time.process_time() - t


def size(pages: list[tuple[str, str, str]]) -> int:
    return sum(len(t.encode()) + len(x.encode()) for t, x, _ in pages)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=float, default=4.0, help="corpus size in MB for the engine (default 4)")
    ap.add_argument("--terms-per-rule", type=int, default=10)
    ap.add_argument("--rules", default="100,1000,10000", help="rule counts (comma-separated)")
    ap.add_argument("--baseline-seconds", type=float, default=2.0, help="time budget per baseline run")
    ap.add_argument("--repeat", type=int, default=5, help="engine runs per rule count; the fastest counts")
    args = ap.parse_args()

    base_pages, source = corpus_pages()
    pages: list[tuple[str, str, str]] = []
    while size(pages) < args.mb * 1e6:
        pages.extend(base_pages)
    mb = size(pages) / 1e6
    real_words = sorted({w for _, text, _ in base_pages for w in re.findall(r"\w{5,}", text.lower())})
    shipped = load_packs()
    n_shipped = sum(len(r.phrases) for p in shipped for r in p.rules)
    import os

    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    t, acc = time.process_time(), 0
    for i in range(10_000_000):
        acc += i
    print(f"calibration: a 10M-iteration Python `acc += i` loop took {time.process_time() - t:.2f} CPU s here")
    print(f"corpus: {source}, repeated to {mb:.2f} MB ({len(pages)} pages)")
    print(f"shipped packs: {sum(len(p.rules) for p in shipped)} rules, {n_shipped} phrases (included in every run)")
    print()
    print(f"{'rules':>7} {'terms':>8} {'engine MB/s':>12} {'regex-loop MB/s':>16} {'ratio':>8}")
    for n in [int(x) for x in args.rules.split(",")]:
        extra = synthetic_rules(n, args.terms_per_rule, real_words)
        engine = Engine([*shipped, Pack("bench", "bench", "1", {}, extra, f"bench-{n}")])
        all_rules = [r for r in engine.rules if r.phrases]
        time_engine(engine, base_pages[:20])  # warm-up
        runs = [time_engine(engine, pages) for _ in range(args.repeat)]
        eng_mbs = mb / min(runs)  # the least disturbed run (other load only ever adds time)
        patterns = regex_baseline(all_rules)
        # size the baseline slice from a probe so that it fits the time budget
        probe = base_pages[:2]
        t_probe = max(time_regex(patterns, probe), 1e-6)
        per_byte = t_probe / size(probe)
        want = max(1, int(args.baseline_seconds / per_byte / (size(base_pages) / len(base_pages))))
        slice_pages = pages[: min(len(pages), want)]
        rx_mbs = size(slice_pages) / 1e6 / min(time_regex(patterns, slice_pages) for _ in range(2))
        print(f"{len(all_rules):>7} {engine.n_terms:>8} {eng_mbs:>12.1f} {rx_mbs:>16.3f} {eng_mbs / rx_mbs:>7.0f}x")


if __name__ == "__main__":
    main()
