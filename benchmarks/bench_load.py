"""Load benchmark: before/ on a threaded WSGI server vs after/ on uvicorn (ASGI, one worker).

    .venv/bin/python benchmarks/bench_load.py                      # defaults, ~5 minutes
    .venv/bin/python benchmarks/bench_load.py --concurrency 16 64 --duration 5 --repeat 3 \\
        --threads 16 --plot benchmarks/bench_load.png --json /tmp/bench.json

For every endpoint and concurrency level a fresh server process is started on 127.0.0.1 (a free
port) against a temporary copy of the project (fresh SQLite DB, migrated and seeded; nothing in
the repository is written), warmed up, then loaded by an asyncio client with a fixed number of
in-flight requests (one connection per request: the stdlib WSGI server speaks HTTP/1.0) until
--max-requests or --duration is reached. Reported: requests/s, p50 and p99 latency, non-200
answers, the server process's CPU time per request (user + system, from /proc/<pid>/stat: less
sensitive to other load on the machine than requests/s) and its peak RSS (VmHWM from /proc/<pid>/status). Each point is run
--repeat times, before/after interleaved, and the median run (by requests/s) is reported.

Endpoints (shop example):
  io:  /books/1/price/  price_in_currency calls the rates service with urllib; a local stub on
                        127.0.0.1 answers after --delay seconds (RATES_SERVICE_URL points at it)
  io:  /ping/           slow_ping: time.sleep(0.01) before, asyncio.sleep(0.01) after
  db:  /api/books/      api_book_list (SQLite, --rows books)
  db:  /api/books/1/    api_book_detail

The plot needs matplotlib, imported only here (pip install matplotlib); without it the plot is
skipped with a message. Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks import serving  # noqa: E402

ENDPOINTS = [
    # (label, kind, path)
    ("price_in_currency", "io", "/books/1/price/?currency=EUR"),
    ("slow_ping", "io", "/ping/"),
    ("api_book_list", "db", "/api/books/"),
    ("api_book_detail", "db", "/api/books/1/"),
]
SIDES = [("before", "wsgi"), ("after", "asgi")]
SHORT = {"price_in_currency": "price\nI/O", "slow_ping": "ping\nsleep", "api_book_list": "list\nDB",
         "api_book_detail": "detail\nDB"}


async def one_request(port: int, path: str, timeout: float) -> tuple[float, int]:
    request = (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n"
               "Accept: */*\r\n\r\n").encode()
    start = time.perf_counter()
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection(serving.HOST, port)
            try:
                writer.write(request)
                await writer.drain()
                data = await reader.read()
            finally:
                writer.close()
        status = int(data[9:12]) if data.startswith(b"HTTP/") else 0
    except (OSError, TimeoutError, ValueError):
        status = 0
    return time.perf_counter() - start, status


async def load(port: int, path: str, concurrency: int, max_requests: int, duration: float,
               timeout: float = 30.0) -> dict:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    issued = 0
    deadline = time.perf_counter() + duration

    async def worker():
        nonlocal issued
        while issued < max_requests and time.perf_counter() < deadline:
            issued += 1
            elapsed, status = await one_request(port, path, timeout)
            latencies.append(elapsed)
            statuses[status] = statuses.get(status, 0) + 1

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall = time.perf_counter() - start
    latencies.sort()

    def pct(p):
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] if latencies else float("nan")

    return {"requests": len(latencies), "seconds": wall, "rps": len(latencies) / wall if wall else 0.0,
            "p50_ms": pct(50) * 1000, "p99_ms": pct(99) * 1000,
            "errors": sum(n for s, n in statuses.items() if s != 200), "statuses": statuses}


def run_one(side: str, kind: str, app_dir: Path, label: str, path: str, concurrency: int, args,
            rates_url: str) -> dict:
    server = serving.Server.start(kind, "shop", app_dir, threads=args.threads,
                                  env={"RATES_SERVICE_URL": rates_url}, python=args.python,
                                  ready_path="/health/")
    try:
        asyncio.run(load(server.port, path, min(concurrency, 8), args.warmup, 30.0))
        cpu_before = server.cpu()
        result = asyncio.run(load(server.port, path, concurrency, args.max_requests, args.duration))
        cpu = server.cpu() - cpu_before
        memory = server.memory()
    finally:
        server.stop()
    result.update(side=side, server=kind, endpoint=label, path=path, concurrency=concurrency,
                  cpu_ms_per_request=1000 * cpu / result["requests"] if result["requests"] else float("nan"),
                  peak_rss_mib=memory.get("VmHWM", 0) / 1024, threads=memory.get("Threads", 0))
    if result["errors"]:
        print(f"  ! {side} {label} c={concurrency}: non-200 answers {result['statuses']}\n"
              f"{server.output()[-1500:]}", file=sys.stderr)
    return result


def table(results: list[dict]) -> str:
    lines = ["| endpoint | conc. | server | req/s | p50 ms | p99 ms | server CPU ms/req | errors | peak RSS MiB |",
             "|---|---:|---|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        server = "before: WSGI" if r["side"] == "before" else "after: ASGI"
        lines.append(f"| {r['endpoint']} | {r['concurrency']} | {server} | {r['rps']:.0f} | {r['p50_ms']:.1f} "
                     f"| {r['p99_ms']:.1f} | {r['cpu_ms_per_request']:.2f} | {r['errors']} | {r['peak_rss_mib']:.1f} |")
    return "\n".join(lines)


def plot(results: list[dict], out: Path, title: str) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("plot skipped: matplotlib is not installed (pip install matplotlib)", file=sys.stderr)
        return
    groups = sorted({(r["endpoint"], r["concurrency"]) for r in results},
                    key=lambda g: ([e[0] for e in ENDPOINTS].index(g[0]), g[1]))
    labels = [f"{SHORT.get(e, e)}\nc={c}" for e, c in groups]
    fig, axes = plt.subplots(1, 3, figsize=(15, 3.9), dpi=80)
    width = 0.38
    for ax, key, ylabel in ((axes[0], "rps", "requests/s (higher is better)"),
                            (axes[1], "p99_ms", "p99 latency, ms (lower is better)"),
                            (axes[2], "cpu_ms_per_request", "server CPU ms per request (lower is better)")):
        for i, (side, colour) in enumerate((("before", "#8c8c8c"), ("after", "#2a7ab0"))):
            values = [next((r[key] for r in results if r["side"] == side and (r["endpoint"], r["concurrency"]) == g),
                           0) for g in groups]
            name = "before/ WSGI (threads)" if side == "before" else "after/ ASGI (uvicorn)"
            ax.bar([x + (i - 0.5) * width for x in range(len(groups))], values, width, label=name, color=colour)
        ax.set_xticks(range(len(groups)), labels, fontsize=7)
        ax.set_ylabel(ylabel, fontsize=8)
        ax.tick_params(axis="y", labelsize=7)
        ax.grid(axis="y", alpha=0.3)
    axes[0].legend(fontsize=7)
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(out)
    plt.close(fig)
    print(f"plot written to {out}")


def machine() -> str:
    cpus = os.cpu_count()
    model = ""
    try:
        model = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    import django

    try:
        import uvicorn

        uv = uvicorn.__version__
    except ImportError:
        uv = "?"
    return (f"{cpus} CPU(s) {model}; Python {platform.python_version()}, Django {django.get_version()}, "
            f"uvicorn {uv}; load average at start {load:.2f}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, nargs="+", default=[16, 64],
                        help="in-flight requests (each value is one run per endpoint and side)")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per run, at most")
    parser.add_argument("--repeat", type=int, default=3, help="runs per point; the median (by req/s) is kept")
    parser.add_argument("--max-requests", type=int, default=4000, help="requests per run, at most")
    parser.add_argument("--warmup", type=int, default=50, help="requests before each measured run")
    parser.add_argument("--threads", type=int, default=16, help="WSGI server threads (before/)")
    parser.add_argument("--delay", type=float, default=0.05, help="rates stub delay, seconds")
    parser.add_argument("--rows", type=int, default=20, help="books seeded")
    parser.add_argument("--endpoints", nargs="+", choices=[e[0] for e in ENDPOINTS],
                        default=[e[0] for e in ENDPOINTS])
    parser.add_argument("--python", default=sys.executable, help="interpreter that runs the servers")
    parser.add_argument("--plot", type=Path, default=None, help="write a PNG plot here")
    parser.add_argument("--json", type=Path, default=None, help="write the raw results here")
    parser.add_argument("--from-json", type=Path, default=None,
                        help="load results written by --json: print the table and plot, run nothing")
    args = parser.parse_args(argv)
    if args.from_json:
        saved = json.loads(args.from_json.read_text())
        print(f"machine: {saved['machine']}")
        print(table(saved["results"]))
        if args.plot:
            threads = saved.get("args", {}).get("threads", args.threads)
            plot(saved["results"], args.plot, saved.get("title") or (
                f"async-migrate shop example: before/ on WSGI ({threads} threads) vs after/ on uvicorn "
                f"(1 worker); {saved['machine'].split(' CPU')[0]} CPUs"))
        return 0
    if not (1 <= min(args.concurrency) and max(args.concurrency) <= 256):
        parser.error("--concurrency must be between 1 and 256")

    about = machine()
    print(f"machine: {about}")
    print(f"WSGI: wsgiref + {args.threads} threads; ASGI: uvicorn, 1 worker; rates stub delay "
          f"{args.delay * 1000:.0f} ms; {args.rows} books; <= {args.duration:g} s or {args.max_requests} "
          f"requests per run, median of {args.repeat} runs", flush=True)
    workdir = Path(tempfile.mkdtemp(prefix="bench-load-"))
    stub = subprocess.Popen([args.python, str(Path(serving.__file__)), "rates", "--delay", str(args.delay)],
                            stdout=subprocess.PIPE, text=True, env=serving.server_env())
    results = []
    try:
        rates_url = stub.stdout.readline().strip()
        assert rates_url.startswith(f"http://{serving.HOST}:"), rates_url
        dirs = {side: serving.prepare("shop", side, workdir, rows=args.rows, python=args.python)
                for side, _ in SIDES}
        for label, _, path in [e for e in ENDPOINTS if e[0] in args.endpoints]:
            for concurrency in args.concurrency:
                runs: dict = {side: [] for side, _ in SIDES}
                for _ in range(args.repeat):  # interleaved, so background load hits both sides alike
                    for side, kind in SIDES:
                        runs[side].append(run_one(side, kind, dirs[side], label, path, concurrency, args,
                                                  rates_url))
                for side, _ in SIDES:
                    ordered = sorted(runs[side], key=lambda r: r["rps"])
                    r = dict(ordered[len(ordered) // 2])  # the median run, by requests/s
                    r["rps_runs"] = [round(x["rps"], 1) for x in runs[side]]
                    results.append(r)
                    print(f"  {label:18} c={concurrency:<3} {side:6} {r['server']}: {r['rps']:7.1f} req/s  "
                          f"p50 {r['p50_ms']:7.1f} ms  p99 {r['p99_ms']:7.1f} ms  CPU {r['cpu_ms_per_request']:.2f} ms/req  "
                          f"errors {r['errors']}  "
                          f"peak RSS {r['peak_rss_mib']:.1f} MiB  (runs: {r['rps_runs']} req/s)", flush=True)
    finally:
        stub.terminate()
        stub.wait(10)
        shutil.rmtree(workdir, ignore_errors=True)
    print()
    print(table(results))
    title = (f"async-migrate shop example: before/ on WSGI ({args.threads} threads) vs after/ on uvicorn "
             f"(1 worker); {os.cpu_count()} CPUs")
    if args.json:
        args.json.write_text(json.dumps({"machine": about, "title": title,
                                         "args": {k: str(v) for k, v in vars(args).items()},
                                         "results": results}, indent=1))
    if args.plot:
        plot(results, args.plot, title)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
