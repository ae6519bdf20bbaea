"""Client-side filter throughput in Python: json.loads per line, then compare.

Reads the first --bytes bytes of --path (JSON Lines) into memory (not timed), then
times only the filtering, best of --runs, and prints one JSON object:
{"best_seconds": ..., "records": ..., "matched": ...}.
"""

import argparse
import json
import time


def filter_lines(data, field, value):
    """The usual client-side filter: every line parsed, one field compared."""
    matched = []
    records = 0
    for line in data.split(b"\n"):
        if not line.strip():
            continue
        records += 1
        record = json.loads(line)
        if record[field] == value:
            matched.append(line)
    return records, matched


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--path", required=True)
    parser.add_argument("--bytes", type=int, required=True)
    parser.add_argument("--field", required=True)
    parser.add_argument("--value", required=True)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with open(args.path, "rb") as file:
        data = file.read(args.bytes)
    best = None
    for _ in range(max(1, args.runs)):
        start = time.perf_counter()
        records, matched = filter_lines(data, args.field, args.value)
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    print(json.dumps({"best_seconds": best, "records": records, "matched": len(matched)}))


if __name__ == "__main__":
    main()
