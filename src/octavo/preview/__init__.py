"""The author's loop: ``octavo serve`` (a live reading view in the browser) and
``octavo build --watch`` (the same rebuilds, without the server)."""

from __future__ import annotations

from .server import PreviewServer
from .site import render_site
from .watch import ProjectWatcher, Rebuild, watch_build

__all__ = ["PreviewServer", "ProjectWatcher", "Rebuild", "render_site", "watch_build"]
