"""The Jinja2 environment for every email and page: strict, and autoescaped for HTML."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2

from outreach.resources import bundled


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str | None


class TemplateProblem(Exception):
    """A template that cannot be rendered: names the file and, where known, the line."""

    def __init__(self, template: str, message: str, line: int | None = None) -> None:
        self.template = template
        self.line = line
        self.message = message
        where = f"{template}:{line}" if line else template
        super().__init__(f"{where}: {message}")


def _autoescape(name: str | None) -> bool:
    return name is not None and name.endswith((".html.j2", ".html"))


def _date(value: datetime, fmt: str = "%A %-d %B %Y", zone: str | None = None) -> str:
    if zone:
        value = value.astimezone(ZoneInfo(zone))
    return value.strftime(fmt)


def make_environment(search_path: Sequence[Path]) -> jinja2.Environment:
    """Templates are looked up in `search_path` first, then in the bundled `templates/`."""
    paths = [str(p) for p in search_path] + [str(bundled("templates"))]
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(paths),
        undefined=jinja2.StrictUndefined,
        autoescape=_autoescape,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["date"] = _date
    return env


def render_set(env: jinja2.Environment, name: str, context: dict[str, Any]) -> Rendered:
    """Render `name.subject.j2`, `name.txt.j2` and (when present) `name.html.j2`."""
    subject = _render(env, f"{name}.subject.j2", context)
    text = _render(env, f"{name}.txt.j2", context)
    html: str | None = None
    try:
        env.get_template(f"{name}.html.j2")
    except jinja2.TemplateNotFound:
        pass
    else:
        html = _render(env, f"{name}.html.j2", context)
    return Rendered(subject=subject, text=text, html=html)


def _render(env: jinja2.Environment, template_name: str, context: dict[str, Any]) -> str:
    try:
        return env.get_template(template_name).render(context)
    except jinja2.TemplateNotFound:
        raise TemplateProblem(template_name, "template not found in "
                              f"{getattr(env.loader, 'searchpath', '?')}") from None
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateProblem(exc.filename or template_name, f"syntax error: {exc.message}",
                              exc.lineno) from None
    except jinja2.UndefinedError as exc:
        raise TemplateProblem(template_name, f"{exc.message}") from None
    except Exception as exc:  # any other error inside a template is the template's problem
        raise TemplateProblem(template_name, f"{type(exc).__name__}: {exc}") from None
