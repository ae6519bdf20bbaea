"""Drives a Python list-dragons handler warm, in a loop, as a Lambda container
would between invocations, and prints one JSON object:
{"latencies_ms": [...], "status": ..., "records": ..., "peak_rss_kib": ...}.

The handler module is imported first (clients created at module level, not
timed), then --warmup calls, then up to --requests timed calls, stopping early
once --budget-seconds have passed.
"""

import argparse
import importlib
import json
import os
import resource
import sys
import time


def peak_rss_kib():
    """This process's peak RSS in KiB: VmHWM from /proc (getrusage's ru_maxrss
    would also count the parent's peak, which Linux carries across exec)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--handler", required=True, help="module in this folder, e.g. list_dragons_select")
    parser.add_argument("--event", required=True, help="the API Gateway proxy event, as JSON")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--budget-seconds", type=float, default=60.0)
    args = parser.parse_args()

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    handler = importlib.import_module(args.handler).lambda_handler
    event = json.loads(args.event)

    response = None
    for _ in range(args.warmup):
        response = handler(event, None)
    latencies = []
    started = time.perf_counter()
    for _ in range(args.requests):
        start = time.perf_counter()
        response = handler(event, None)
        latencies.append((time.perf_counter() - start) * 1e3)
        if time.perf_counter() - started > args.budget_seconds:
            break
    records = len(json.loads(response["body"])) if response and response.get("statusCode") == 200 else None
    print(json.dumps({
        "latencies_ms": latencies,
        "status": response and response.get("statusCode"),
        "records": records,
        "peak_rss_kib": peak_rss_kib(),
    }))


if __name__ == "__main__":
    main()
