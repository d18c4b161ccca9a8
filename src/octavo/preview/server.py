"""``octavo serve``: the reading view over HTTP on 127.0.0.1, rebuilt and pushed on each save.

On a change the preview pages are rendered again first (the model comes from the chapter cache,
so only the edited chapter is parsed), every open page hears a ``reload`` event with each page's
version over server-sent events and reloads only if its own changed; then the EPUB and the PDF
are built by ``build()`` in a worker process, so the layout never holds up the preview.

A build error is pushed as an ``error`` event (``file:line: message``) and printed; the pages of
the last good build stay served until a save fixes it.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Self
from urllib.parse import parse_qs, urlsplit

from ..build import CACHE_DIR, DEFAULT_FORMATS
from ..errors import OctavoError
from ..model import Book
from ..project import load_book
from .site import (
    EVENTS_PATH,
    INDEX,
    MISSING,
    Resource,
    Site,
    digest,
    error_page,
    missing_page,
    render_site,
    static_file,
    static_resource,
)
from .watch import ProjectWatcher, book_inputs

Log = Callable[[str, str], None]  # (kind: "info" | "ok" | "warning" | "error", message)

KEEPALIVE_SECONDS = 15.0
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def _stderr_log(kind: str, message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {kind}: {message}", file=sys.stderr, flush=True)


def sse(event: str, data: str) -> bytes:
    """One server-sent event; a line break in the data becomes another ``data:`` line."""
    lines = "".join(f"data: {line}\n" for line in data.split("\n"))
    return f"event: {event}\n{lines}\n".encode()


class EventHub:
    """The open event streams: one queue per browser tab."""

    def __init__(self):
        self._clients: set[queue.SimpleQueue] = set()
        self._lock = threading.Lock()
        self.closed = False

    def subscribe(self) -> queue.SimpleQueue:
        client: queue.SimpleQueue = queue.SimpleQueue()
        with self._lock:
            if self.closed:
                client.put(None)
            self._clients.add(client)
        return client

    def unsubscribe(self, client: queue.SimpleQueue) -> None:
        with self._lock:
            self._clients.discard(client)

    def publish(self, event: str, data: str) -> None:
        message = sse(event, data)
        with self._lock:
            for client in self._clients:
                client.put(message)

    def close(self) -> None:
        with self._lock:
            self.closed = True
            for client in self._clients:
                client.put(None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._clients)


def _size(size: int) -> str:
    return f"{size / 1024:.0f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"


def describe_outputs(outputs: list[dict], root: Path) -> str:
    described = []
    for output in outputs:
        path = Path(output["path"])
        shown = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
        pages = f"{output['pages']} pages, " if output.get("pages") is not None else ""
        described.append(f"{shown} ({pages}{_size(output['size'])})")
    return ", ".join(described)


class PreviewServer:
    """The preview of the book in ``root``: ``start()``, then ``url``; ``close()`` stops it all."""

    def __init__(self, root: Path, *, host: str = "127.0.0.1", port: int = 8000, watch: bool = True,
                 build_outputs: bool = True, formats: tuple[str, ...] = DEFAULT_FORMATS,
                 profile: str | None = None, jobs: int | None = None, log: Log = _stderr_log):
        self.root = Path(root).resolve()
        self.output_dir = self.root / "build"
        self.cache_dir = self.root / CACHE_DIR / "chapters"
        self.watch, self.build_outputs, self.formats = watch, build_outputs, formats
        self.profile, self.jobs, self.log = profile, jobs, log
        self.hub = EventHub()
        self.book: Book | None = None
        self.site: Site | None = None
        self.error: str | None = None  # the preview's: the last save does not load or render
        self.build_error: str | None = None  # the EPUB's or the PDF's
        self.status = ""  # the outputs' state, shown in each page's bar
        self.builds = 0  # finished EPUB/PDF builds, good or bad
        self._warnings: set[str] = set()
        self._lock = threading.Lock()  # the state above
        self._refresh_lock = threading.Lock()  # one render at a time
        self._stop = threading.Event()
        self._build_wanted = threading.Condition()
        self._build_pending = False
        self._worker: subprocess.Popen | None = None
        self._threads: list[threading.Thread] = []
        self._watcher = ProjectWatcher(self.root, self.output_dir)
        self._watcher.on_error = lambda message: self.log("warning", message)
        self.httpd = ThreadingHTTPServer((host, port), PreviewHandler)
        self.httpd.daemon_threads = True
        self.httpd.preview = self  # type: ignore[attr-defined]
        self.host = host
        self.port = self.httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    # -- life cycle ------------------------------------------------------------------------
    def start(self) -> PreviewServer:
        if self.watch:
            self._watcher.watch_also(book_inputs(self.root))  # watched from the start: no restart after it
            self._watcher.start(self._stop)  # in place before the first render: no save is missed
        self.refresh([])
        self._spawn("http", lambda: self.httpd.serve_forever(poll_interval=0.2))
        if self.watch:
            self._spawn("watch", self._watch_loop)
        if self.build_outputs:
            self._spawn("build", self._build_loop)
        return self

    def _spawn(self, name: str, target: Callable[[], None]) -> None:
        thread = threading.Thread(target=target, name=f"octavo-{name}", daemon=True)
        thread.start()
        self._threads.append(thread)

    def wait(self) -> None:
        """Until ``close()`` (or Ctrl-C in the main thread)."""
        while not self._stop.wait(0.5):
            pass

    def close(self) -> None:
        self._stop.set()
        with self._build_wanted:
            self._build_wanted.notify_all()
        self._stop_worker()
        self.hub.close()
        self.httpd.shutdown()
        self.httpd.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._watcher.join()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    # -- the preview -----------------------------------------------------------------------
    def refresh(self, changed: list[str], *, outputs: bool = True) -> bool:
        """Render the pages again from the project as it is now; push a reload, or the error.
        With ``outputs``, then ask for the EPUB and PDF in the background."""
        with self._refresh_lock:
            started = time.monotonic()
            warnings: list[str] = []
            try:
                book = load_book(self.root, warnings.append, self.cache_dir)
                site = render_site(book, self.output_dir, self.profile)
            except OctavoError as error:
                self._fail(str(error))
                return False
            except Exception as error:  # noqa: BLE001 - a bug, not the book's fault: keep serving, say so
                traceback.print_exc()
                self._fail(f"internal error: {error!r}")
                return False
            with self._lock:
                before = self.site.versions() if self.site else {}
                self.book, self.site, self.error = book, site, None
                versions = site.versions()
            self.hub.publish("reload", json.dumps(versions))
            for message in warnings:
                if message not in self._warnings:
                    self.log("warning", message)
            self._warnings = set(warnings)
            if changed:
                pages = sum(before.get(path) != version for path, version in versions.items())
                self.log("info", f"{', '.join(changed)}: preview updated in "
                                 f"{(time.monotonic() - started) * 1000:.0f} ms ({pages} page(s) changed)")
            elif outputs:
                self.log("info", f"preview of '{book.metadata.title}': {len(book.chapters)} chapter(s)")
            self._watcher.watch_also([book.root / image.path for image in book.images]
                                     + list(book.stylesheet_assets)
                                     + ([Path(book.metadata.cover)] if book.metadata.cover else []))
        if outputs:
            self.request_build()
        return True

    def _fail(self, message: str) -> None:
        with self._lock:
            self.error = message
        self.hub.publish("error", message)
        kept = " (the last good pages stay served)" if self.site is not None else ""
        self.log("error", f"{message}{kept}")

    def lookup(self, path: str) -> Resource | None:
        with self._lock:
            site, error = self.site, self.error
        if path == "/index.html":
            path = INDEX
        if site is None:
            return error_page(error or "the book is loading…") if path == INDEX else None
        return site.resources.get(path)

    def state(self) -> tuple[dict[str, str] | None, str | None, str]:
        """Each page's version (None before a first good render), the error to show, the status."""
        with self._lock:
            versions = self.site.versions() if self.site else None
            return versions, self.error or self.build_error, self.status

    def _watch_loop(self) -> None:
        for changed in self._watcher.changes(self._stop):
            if self._stop.is_set():
                break
            self.refresh(sorted(changed))

    # -- the EPUB and the PDF --------------------------------------------------------------
    def request_build(self) -> None:
        if not self.build_outputs:
            return
        with self._build_wanted:
            self._build_pending = True
            self._build_wanted.notify()

    def _set_status(self, status: str) -> None:
        with self._lock:
            self.status = status
        self.hub.publish("status", status)

    def _build_loop(self) -> None:
        label = " & ".join(name.upper() for name in self.formats)
        while True:
            with self._build_wanted:
                while not self._build_pending and not self._stop.is_set():
                    self._build_wanted.wait()
                if self._stop.is_set():
                    return
                self._build_pending = False
            with self._lock:
                if self.error is not None:  # the build would stop on the same error
                    continue
            self._set_status(f"{label}: building…")
            started = time.monotonic()
            outcome = self._run_worker()
            if self._stop.is_set() or outcome is None:
                return
            seconds = time.monotonic() - started
            if outcome.get("error"):
                message = outcome["error"]
                with self._lock:
                    self.build_error = message
                    self.builds += 1
                self.hub.publish("error", message)
                self._set_status(f"{label}: failed")
                self.log("error", f"{label} not rebuilt: {message}")
                continue
            with self._lock:
                self.build_error = None
                self.builds += 1
            findings = outcome.get("findings", [])
            errors = sum(finding["severity"] == "error" for finding in findings)
            preflight = f"; preflight: {errors} error(s), {len(findings) - errors} warning(s)" if findings else ""
            self.log("ok", f"{describe_outputs(outcome['outputs'], self.root)} in {seconds:.1f} s{preflight}")
            self._set_status(f"{label}: up to date ({time.strftime('%H:%M:%S')})")
            with self._lock:
                broken = self.error is not None  # a save broke the book meanwhile: it said so already
            if not broken:
                self.refresh([], outputs=False)  # the index shows the new sizes and times

    def _run_worker(self) -> dict | None:
        """``build()`` in a process of its own: the layout's CPU and memory stay out of the server."""
        command = [sys.executable, "-m", "octavo.preview", str(self.root), "--formats", ",".join(self.formats)]
        if self.profile:
            command += ["--profile", self.profile]
        if self.jobs:
            command += ["--jobs", str(self.jobs)]
        env = dict(os.environ)
        package_parent = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_parent, env.get("PYTHONPATH")]))
        with self._lock:
            if self._stop.is_set():
                return None
            self._worker = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                            stderr=subprocess.PIPE, env=env, start_new_session=True)
            worker = self._worker
        stdout, stderr = worker.communicate()
        with self._lock:
            self._worker = None
        if self._stop.is_set():
            return None
        try:
            return json.loads(stdout.decode("utf-8").strip().splitlines()[-1])
        except (ValueError, IndexError):
            lines = stderr.decode("utf-8", "replace").strip().splitlines()
            return {"error": f"internal error: the build stopped ({lines[-1] if lines else worker.returncode})"}

    def _stop_worker(self) -> None:
        with self._lock:
            worker = self._worker
        if worker is None or worker.poll() is not None:
            return
        for sig, grace in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
            try:
                os.killpg(worker.pid, sig)  # the worker and its layout processes
            except ProcessLookupError:
                return
            try:
                worker.wait(grace)
                return
            except subprocess.TimeoutExpired:
                continue


class PreviewHandler(BaseHTTPRequestHandler):
    server_version = "Octavo"
    sys_version = ""

    @property
    def preview(self) -> PreviewServer:
        return self.server.preview  # type: ignore[attr-defined]

    def log_message(self, format, *args) -> None:
        pass  # the terminal shows builds, not requests

    def do_GET(self) -> None:
        self._respond(head=False)

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def _host_allowed(self) -> bool:
        """Only requests addressed to this machine: a page elsewhere that gets its name resolved
        to 127.0.0.1 (DNS rebinding) reads nothing."""
        host = self.headers.get("Host", "")
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        return name.strip("[]").lower() in LOCAL_HOSTS

    def _respond(self, head: bool) -> None:
        if not self._host_allowed():
            self.send_error(HTTPStatus.FORBIDDEN, "not a local request")
            return
        split = urlsplit(self.path)
        path = split.path
        if path == EVENTS_PATH and not head:
            self._events(parse_qs(split.query))
            return
        resource = self.preview.lookup(path)
        if resource is not None:
            self._send(HTTPStatus.OK, resource.body, resource.content_type, resource.version, head)
            return
        file = static_file(path, self.preview.root)
        if file is not None:
            try:
                stat = file.stat()
                tag = f"{stat.st_mtime_ns:x}-{stat.st_size:x}"
                if self._not_modified(tag):
                    return
                body, kind = static_resource(file)
            except Exception:  # noqa: BLE001 - unreadable, or an SVG that does not parse
                self.send_error(HTTPStatus.NOT_FOUND)
                return
            self._send(HTTPStatus.OK, body, kind, tag, head)
            return
        if path.endswith(".html"):
            missing = missing_page(path)
            self._send(HTTPStatus.NOT_FOUND, missing.body, missing.content_type, None, head)
            return
        self.send_error(HTTPStatus.NOT_FOUND)

    def _not_modified(self, tag: str) -> bool:
        if self.headers.get("If-None-Match") == f'"{tag}"':
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self.send_header("ETag", f'"{tag}"')
            self.end_headers()
            return True
        return False

    def _send(self, status: HTTPStatus, body: bytes, kind: str, tag: str | None, head: bool) -> None:
        if tag is not None and status == HTTPStatus.OK and self._not_modified(tag):
            return
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        self.send_header("X-Content-Type-Options", "nosniff")
        if tag is not None:
            self.send_header("ETag", f'"{tag}"')
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _events(self, query: dict[str, list[str]]) -> None:
        page = query.get("page", [""])[0]
        version = query.get("version", [""])[0]
        client = self.preview.hub.subscribe()  # before the state is read: nothing falls between
        try:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            self.wfile.write(b"retry: 1000\n\n")  # reconnect after a second, not sooner
            versions, error, status = self.preview.state()
            if versions is not None and page and versions.get(page, MISSING) != version:
                self.wfile.write(sse("reload", json.dumps(versions)))  # changed before it listened
            if error:
                self.wfile.write(sse("error", error))
            if status:
                self.wfile.write(sse("status", status))
            self.wfile.flush()
            while True:
                try:
                    message = client.get(timeout=KEEPALIVE_SECONDS)
                except queue.Empty:
                    message = b": keep-alive\n\n"
                if message is None:
                    break
                self.wfile.write(message)
                self.wfile.flush()
        except OSError:  # the tab was closed or reloaded
            pass
        finally:
            self.preview.hub.unsubscribe(client)
            self.close_connection = True


__all__ = ["EventHub", "PreviewServer", "digest", "sse"]
