"""The briefing as one self-contained HTML page, from jinja2 templates.

Templates are looked up in a configured folder first, then in the copy shipped
inside the wheel, then in the source checkout, so an install can override one
template and keep the rest. Escaping is on for every template whatever its
name (jinja's select_autoescape looks only at the last suffix, and ours end in
.j2), and every href goes through `safe_url`.
"""

from __future__ import annotations

import functools
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from briefing.models import Briefing
from briefing.render.svg import pictures
from briefing.render.view import build, safe_url

PAGE_TEMPLATE = "page.html.j2"
CSP = (
    "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; "
    "base-uri 'none'; form-action 'none'"
)
_PACKAGE = Path(__file__).resolve().parent.parent


def template_search_path(template_dir: Path | None = None) -> list[Path]:
    """Folders to look for templates in, most specific first.

    The checkout's top-level `templates/` only counts when it sits next to a
    pyproject.toml, so an installed package never picks up an unrelated
    `site-packages/templates`.
    """
    packaged = _PACKAGE / "templates"
    checkout = _PACKAGE.parent / "templates"
    candidates = [template_dir] if template_dir is not None else []
    candidates.append(packaged)
    if (_PACKAGE.parent / "pyproject.toml").is_file():
        candidates.append(checkout)
    return [folder for folder in candidates if folder.is_dir()]


@functools.cache
def html_environment(template_dir: Path | None = None) -> Environment:
    """The jinja2 environment for HTML: autoescape always on, typos fail loudly.

    One per template folder and process, so a template is compiled once (jinja2
    still reloads one whose file changed)."""
    environment = Environment(
        loader=FileSystemLoader(template_search_path(template_dir)),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["safe_url"] = safe_url
    return environment


def render_html(
    briefing: Briefing, template_dir: Path | None = None, *, site: object | None = None
) -> str:
    """The page; `site` is the intranet site's nav (a `briefing.deliver.site.Nav`, shown by
    site-index.html.j2)."""
    template = html_environment(template_dir).get_template(PAGE_TEMPLATE)
    return template.render(
        view=build(briefing),
        csp=CSP,
        pictures=pictures(briefing),
        site=site,
    )
