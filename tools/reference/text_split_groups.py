"""Independent check of the near-duplicate grouping of TextSplits (decision 0710).

Groups the distinct HaluEval summarization documents that share a run of K whitespace-separated words
(union-find), assigns groups to splits by the minimum salted FNV-1a hash of their documents, and prints the
number of groups, the largest groups and how many N-word runs the two splits still share.
Usage: python3 tools/reference/text_split_groups.py [path/to/dataset_halueval_summarization.jsonl] [K ...]
(The split assignment here uses the minimum hash directly; the Swift code mixes it once more, which changes which
groups land where but not the grouping.)
"""
import collections
import json
import sys


def fnv(s):
    h = 0xCBF29CE484222325
    for b in s.encode():
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "assets/data/halueval/dataset_halueval_summarization.jsonl"
    ks = [int(a) for a in sys.argv[2:]] or [16, 12, 10]
    seen, docs = set(), []
    for line in open(path):
        if line.strip():
            d = json.loads(line)["document"]
            if d and d not in seen:
                seen.add(d)
                docs.append(d)
    words = [d.split() for d in docs]
    for k in ks:
        parent = list(range(len(docs)))

        def find(x):
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        first = {}
        for i, w in enumerate(words):
            for j in range(len(w) - k + 1):
                g = " ".join(w[j:j + k])
                if g in first:
                    a, b = find(first[g]), find(i)
                    if a != b:
                        parent[a] = b
                else:
                    first[g] = i
        comps = collections.defaultdict(list)
        for i in range(len(docs)):
            comps[find(i)].append(i)
        sizes = sorted((len(c) for c in comps.values()), reverse=True)
        cal = set()
        for c in comps.values():
            if min(fnv("edgelab-split-v1\x1f" + docs[i]) for i in c) % 10000 < 5000:
                cal.update(c)
        n = 20

        def grams(ix):
            out = set()
            for i in ix:
                w = words[i]
                for j in range(len(w) - n + 1):
                    out.add(" ".join(w[j:j + n]))
            return out

        shared = len(grams(cal) & grams(set(range(len(docs))) - cal))
        print(f"K={k}: {len(docs)} documents, {len(comps)} groups, largest {sizes[:5]}, "
              f"calibration {len(cal)}, held-out {len(docs) - len(cal)}, shared {n}-word runs {shared}")


if __name__ == "__main__":
    main()
