"""Serve a WSGI application with the stdlib's wsgiref and a fixed pool of worker threads.

    python benchmarks/wsgi_server.py --app-dir DIR --port 8000 --threads 8 bookshop.wsgi:application

wsgiref.simple_server is single-threaded; this runs each accepted connection in a
ThreadPoolExecutor of --threads workers (a bounded version of socketserver.ThreadingMixIn),
which is how a threaded WSGI server (gunicorn --threads, mod_wsgi) behaves. It binds to
127.0.0.1 only, answers HTTP/1.0 (one request per connection) and logs nothing per request.
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - signature of the base class
        pass


class PooledWSGIServer(WSGIServer):
    daemon_threads = True
    request_queue_size = 256

    def __init__(self, address, handler, threads: int):
        super().__init__(address, handler)
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="wsgi")

    def process_request(self, request, client_address):
        self.pool.submit(self._work, request, client_address)

    def _work(self, request, client_address):
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)


def load(target: str):
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr or "application")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("app", help="module:attribute, e.g. bookshop.wsgi:application")
    parser.add_argument("--app-dir", default=".")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args(argv)

    sys.path.insert(0, os.path.abspath(args.app_dir))
    application = load(args.app)
    server = PooledWSGIServer(("127.0.0.1", args.port), QuietHandler, args.threads)
    server.set_app(application)

    def stop(signum, frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"wsgi: serving {args.app} on 127.0.0.1:{args.port} with {args.threads} threads", flush=True)
    try:
        server.serve_forever(poll_interval=0.1)
    finally:
        server.pool.shutdown(wait=False, cancel_futures=True)
        server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
