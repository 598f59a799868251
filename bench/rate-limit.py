"""Requests/s of one cached public page through the per-address limiter (see rate-limit.sh).

Usage: rate-limit.py PORT SECONDS THREADS
Each thread keeps one connection alive and speaks as its own forwarded address."""
import http.client
import sys
import threading
import time

port, seconds, threads = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
counts = [0] * threads
statuses = {}
lock = threading.Lock()
stop = time.monotonic() + seconds


def run(i):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Host": "sinarjaya.localhost", "X-Forwarded-For": f"198.18.{i // 250}.{i % 250 + 1}"}
    seen = {}
    while time.monotonic() < stop:
        conn.request("GET", "/", headers=headers)
        resp = conn.getresponse()
        resp.read()
        seen[resp.status] = seen.get(resp.status, 0) + 1
        counts[i] += 1
    with lock:
        for k, v in seen.items():
            statuses[k] = statuses.get(k, 0) + v


workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
for w in workers:
    w.start()
for w in workers:
    w.join()
total = sum(counts)
print(f"{total / seconds:.0f} req/s ({total} in {seconds:.0f} s, {threads} threads) statuses {dict(sorted(statuses.items()))}")
