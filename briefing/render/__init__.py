"""Renderers: one `Briefing` in, one format out.

Every format shows the same content in the same order (worded once in
`briefing.render.view`): heading and window, sources with failures first, a
summary line, serious incidents by district, other local incidents, then the
neighbouring municipalities.
"""

from __future__ import annotations

from pathlib import Path

from briefing.errors import UsageError
from briefing.models import Briefing
from briefing.render.html import html_environment, render_html, template_search_path
from briefing.render.json import chunks as json_chunks
from briefing.render.json import dumps as render_json
from briefing.render.json import to_json
from briefing.render.terminal import make_console, print_sources, print_terminal, render_terminal
from briefing.render.text import render_markdown, render_text
from briefing.render.view import safe_url

FORMATS = ("terminal", "text", "markdown", "html", "json")

__all__ = [
    "FORMATS",
    "html_environment",
    "json_chunks",
    "make_console",
    "print_sources",
    "print_terminal",
    "render",
    "safe_url",
    "template_search_path",
    "to_json",
]


def render(briefing: Briefing, fmt: str, *, template_dir: Path | None = None) -> str:
    """The briefing as a string in `fmt` ("terminal" gives the rich layout without colour)."""
    if fmt == "terminal":
        return render_terminal(briefing)
    if fmt == "text":
        return render_text(briefing)
    if fmt == "markdown":
        return render_markdown(briefing)
    if fmt == "html":
        return render_html(briefing, template_dir)
    if fmt == "json":
        return render_json(briefing)
    raise UsageError(f"unknown format {fmt!r}", hint=f"use one of: {', '.join(FORMATS)}")
