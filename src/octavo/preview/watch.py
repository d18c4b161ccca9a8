"""Watching a project for saves (``watchfiles``: inotify on Linux, no polling), and the loop of
``octavo build --watch``.

Two watchers feed one queue: the project root, not recursively (``book.toml``, and the
creation or removal of a watched folder), and the folders the book is read from, recursively
(``manuscript/``, ``styles/``, ``templates/`` and any other top-level folder its images live
in). Nothing else under the root is watched, so a ``.venv`` or ``node_modules`` beside the
book costs nothing, and the output folder (``build/``) is ignored wherever it is.

When the set of folders changes, the recursive watch is set up again. A save made meanwhile is
not seen by any watch (and ``watchfiles`` drops what the old one had not yet reported), so what
caused the restart is reported only once the new watch is in place: the rebuild it triggers
reads the project after that, and every later save is seen.
"""

from __future__ import annotations

import queue
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import watchfiles

from ..build import DEFAULT_FORMATS, BuildResult, build
from ..errors import OctavoError

TREE_DIRS = ("manuscript", "styles", "templates")
ROOT_FILES = ("book.toml",)
STEP_MS = 50  # a batch is yielded once the folder has been quiet this long…
DEBOUNCE_MS = 1600  # …or after this long at most
POLL_MS = 300  # only where inotify cannot be had
MERGE_SECONDS = 0.02  # both watchers' batches that arrive this close together make one change


class _Either:
    """``is_set`` when either event is: what ``watchfiles`` polls to stop a watch."""

    def __init__(self, *events: threading.Event):
        self.events = events

    def is_set(self) -> bool:
        return any(event.is_set() for event in self.events)


class ProjectWatcher:
    """Yields the set of project-relative paths changed by each save, debounced."""

    def __init__(self, root: Path, output_dir: Path | None = None):
        self.root = root.resolve()
        self.output_dir = (output_dir or self.root / "build").resolve()
        self._extra_dirs: set[str] = set()
        self._extra_files: set[str] = set()
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._restart = threading.Event()
        self._held: set[tuple[watchfiles.Change, str]] = set()  # why the tree watch restarts
        self._held_lock = threading.Lock()
        self._filter = watchfiles.DefaultFilter()
        self._threads: list[threading.Thread] = []
        self._watching: set[str] = set()
        self.ready = threading.Event()  # both watchers are in place: a save from now on is seen
        self.polling = False  # set when the system refuses more inotify watches
        self.on_error: Callable[[str], None] = lambda message: print(f"warning: {message}", file=sys.stderr)

    # -- what is watched -------------------------------------------------------------------
    def watch_also(self, paths: Iterable[Path]) -> None:
        """Also watch these project files (images, a cover, a stylesheet's fonts) where they are."""
        dirs, files = set(), set()
        for path in paths:
            try:
                parts = path.resolve().relative_to(self.root).parts
            except ValueError:
                continue
            if not parts or parts[0].startswith(".") or (self.root / parts[0]).resolve() == self.output_dir:
                continue
            if len(parts) == 1:
                files.add(parts[0])
            elif parts[0] not in TREE_DIRS:
                dirs.add(parts[0])
        self._extra_files = files
        if dirs != self._extra_dirs:
            changed = {(watchfiles.Change.modified, str(self.root / name)) for name in dirs ^ self._extra_dirs}
            self._extra_dirs = dirs
            if self._threads:  # before start() the first watch simply includes them
                self._restart_for(changed)

    def tree_names(self) -> list[str]:
        return [*TREE_DIRS, *sorted(self._extra_dirs)]

    def _ignored(self, change: watchfiles.Change, path: str) -> bool:
        resolved = Path(path)
        if resolved == self.output_dir or resolved.is_relative_to(self.output_dir):
            return True
        return not self._filter(change, path)

    def _root_filter(self, change: watchfiles.Change, path: str) -> bool:
        name = Path(path).name
        if Path(path).parent != self.root or self._ignored(change, path):
            return False
        if name in self.tree_names():  # a watched folder appeared, went or was replaced
            self._restart_for({(change, path)})
            return False
        return name in ROOT_FILES or name in self._extra_files

    def _tree_filter(self, change: watchfiles.Change, path: str) -> bool:
        return not self._ignored(change, path)

    def _restart_for(self, changes: set[tuple[watchfiles.Change, str]]) -> None:
        with self._held_lock:
            self._held |= changes
            self._restart.set()

    # -- the watchers ----------------------------------------------------------------------
    def _watch(self, name: str, paths: list[Path], stop: _Either, *, recursive: bool, watch_filter) -> None:
        # A short timeout that yields nothing tells when the watch is in place (it is, once
        # watchfiles has set it up and waited once).
        for changes in watchfiles.watch(*paths, watch_filter=watch_filter, stop_event=stop, step=STEP_MS,
                                        debounce=DEBOUNCE_MS, recursive=recursive, raise_interrupt=False,
                                        rust_timeout=100, yield_on_timeout=True, force_polling=self.polling,
                                        poll_delay_ms=POLL_MS):
            if changes:
                self._queue.put(changes)
            else:
                self._in_place(name)

    def _in_place(self, name: str) -> None:
        if name == "tree":
            with self._held_lock:
                # A restart asked for since this watch was set up is held until the next one is.
                if self._held and not self._restart.is_set():
                    self._queue.put(self._held)
                    self._held = set()
        if name not in self._watching:
            self._watching.add(name)
            if self._watching >= {"root", "tree"}:
                self.ready.set()

    def _failed(self, paths: list[Path], error: Exception, stop: threading.Event) -> None:
        """A watch that could not start: a folder went away meanwhile (try again), or the system
        refuses more watches (inotify's limit): then poll, which always works, only slower."""
        if all(path.exists() for path in paths) and not self.polling:
            self.polling = True
            self.on_error(f"watching for changes by polling every {POLL_MS} ms: {error}")
        stop.wait(0.1)

    def _root_thread(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                self._watch("root", [self.root], _Either(stop), recursive=False, watch_filter=self._root_filter)
            except Exception as error:  # noqa: BLE001 - OSError, or watchfiles' own on a refusal
                self._failed([self.root], error, stop)

    def _tree_thread(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self._restart.clear()
            dirs = [self.root / name for name in self.tree_names() if (self.root / name).is_dir()]
            if not dirs:
                self._in_place("tree")
                while not (stop.is_set() or self._restart.is_set()):
                    stop.wait(0.1)
                continue
            try:
                self._watch("tree", dirs, _Either(stop, self._restart), recursive=True,
                            watch_filter=self._tree_filter)
            except Exception as error:  # noqa: BLE001 - as above
                self._failed(dirs, error, stop)

    def start(self, stop: threading.Event, timeout: float = 5.0) -> ProjectWatcher:
        """Start watching (until ``stop`` is set); return once the watches are in place."""
        if not self._threads:
            self._threads = [threading.Thread(target=target, args=(stop,), name=f"octavo-watch-{name}", daemon=True)
                             for name, target in (("root", self._root_thread), ("tree", self._tree_thread))]
            for thread in self._threads:
                thread.start()
        self.ready.wait(timeout)
        return self

    def join(self, timeout: float = 2.0) -> None:
        for thread in self._threads:
            thread.join(timeout)

    def changes(self, stop: threading.Event) -> Iterator[set[str]]:
        """Project-relative POSIX paths changed since the last batch, until ``stop`` is set."""
        self.start(stop)
        while not stop.is_set():
            try:
                batch = self._queue.get(timeout=0.2)
            except queue.Empty:
                continue
            changed = set(batch)
            deadline = time.monotonic() + MERGE_SECONDS
            while True:  # the other watcher's part of the same save, and anything queued meanwhile
                try:
                    changed |= self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    break
            yield {self.relative(path) for _, path in changed}

    def relative(self, path: str) -> str:
        try:
            return Path(path).relative_to(self.root).as_posix()
        except ValueError:
            return path


@dataclass
class Rebuild:
    """One build of ``octavo build --watch``: what triggered it and what came of it."""

    changed: list[str]  # empty for the first build
    seconds: float
    result: BuildResult | None = None
    error: str | None = None  # "file:line: message"
    warnings: list[str] = field(default_factory=list)


def book_inputs(root: Path) -> list[Path]:
    """The project files outside the usual folders that the book reads (images, cover, fonts
    of the project's CSS), for the watcher; empty while the project does not load."""
    from ..build import CACHE_DIR
    from ..project import load_book

    try:
        book = load_book(root, cache_dir=root.resolve() / CACHE_DIR / "chapters")
    except OctavoError:
        return []
    paths = [book.root / image.path for image in book.images] + list(book.stylesheet_assets)
    if book.metadata.cover is not None:
        paths.append(Path(book.metadata.cover))
    return paths


def watch_build(root: Path, report: Callable[[Rebuild], None], *, stop: threading.Event | None = None,
                formats: tuple[str, ...] = DEFAULT_FORMATS, output_dir: Path | None = None,
                jobs: int | None = None, profile: str | None = None) -> None:
    """Build now, then again after each change, until ``stop`` is set (or Ctrl-C)."""
    stop = stop or threading.Event()
    watcher = ProjectWatcher(root, output_dir or root / "build")

    def run(changed: list[str]) -> None:
        warnings: list[str] = []
        started = time.monotonic()
        try:
            result = build(root, formats, output_dir, warn=warnings.append, jobs=jobs, profile=profile)
            report(Rebuild(changed, time.monotonic() - started, result=result, warnings=warnings))
        except OctavoError as error:
            report(Rebuild(changed, time.monotonic() - started, error=str(error), warnings=warnings))
        except Exception as error:  # noqa: BLE001 - a bug, not the book's fault: say so, and keep watching
            traceback.print_exc()
            report(Rebuild(changed, time.monotonic() - started, error=f"internal error: {error!r}"))
        watcher.watch_also(book_inputs(root))

    watcher.watch_also(book_inputs(root))  # watched from the start: no restart after the first build
    watcher.start(stop)  # before the first build: a save during it is built next
    try:
        run([])
        for changed in watcher.changes(stop):
            run(sorted(changed))
    finally:
        stop.set()
        watcher.join()
