"""The Jinja2 environment for every email and page: strict, and autoescaped for HTML."""

from __future__ import annotations

import functools
import sys
import traceback
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import FrameType
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


@functools.lru_cache(maxsize=256)  # the same few deadlines, in every message of a drain
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


@functools.lru_cache(maxsize=32)
def cached_environment(search_path: tuple[str, ...]) -> jinja2.Environment:
    """`make_environment`, made once per search path in a process (a composing process
    writes many messages with few template sets)."""
    return make_environment([Path(path) for path in search_path])


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
        raise _raised_in(exc, template_name, f"{exc.message}") from None
    except Exception as exc:  # any other error inside a template is the template's problem
        raise _raised_in(exc, template_name, f"{type(exc).__name__}: {exc}") from None


def _raised_in(exc: Exception, template_name: str, message: str) -> TemplateProblem:
    """`message`, at the template file and line `exc` was raised at (Jinja puts them in the
    traceback)."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith(".j2")]
    if not frames:
        return TemplateProblem(template_name, message)
    return TemplateProblem(frames[-1].filename, message, frames[-1].lineno)


PARTS = ("subject", "txt", "html")  # the files of one mail template; html is optional
_OPERATORS = ("__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__",
              "__truediv__", "__rtruediv__", "__floordiv__", "__rfloordiv__", "__mod__",
              "__rmod__", "__pos__", "__neg__", "__pow__", "__rpow__", "__call__",
              "__getitem__", "__lt__", "__le__", "__gt__", "__ge__")


def syntax_problems(env: jinja2.Environment, name: str) -> list[TemplateProblem]:
    """What keeps the files of template `name` from compiling, every file at once."""
    problems = []
    for part in PARTS:
        template_name = f"{name}.{part}.j2"
        try:
            env.get_template(template_name)
        except jinja2.TemplateNotFound:
            if part != "html":
                problems.append(TemplateProblem(template_name, "template not found in "
                                                f"{getattr(env.loader, 'searchpath', '?')}"))
        except jinja2.TemplateSyntaxError as exc:
            problems.append(TemplateProblem(exc.filename or template_name,
                                            f"syntax error: {exc.message}", exc.lineno))
    return problems


class UndefinedRecorder:
    """`env` for `outreach check`: an undefined variable renders as nothing and is noted,
    with its template file and line, so that one run reports every one of them (a render
    with `env` itself stops at the first)."""

    def __init__(self, env: jinja2.Environment) -> None:
        self.noted: dict[str, TemplateProblem] = {}
        noted = self.noted

        class Noted(jinja2.Undefined):
            def _noted(self, *args: object, **kwargs: object) -> Noted:
                template, line = _rendering_at()
                problem = TemplateProblem(template, self._undefined_message, line)
                noted.setdefault(str(problem), problem)
                return self

            def __getattr__(self, name: str) -> Noted:
                if name[:2] == "__" and name[-2:] == "__":
                    raise AttributeError(name)
                return self._noted()


            def __str__(self) -> str:
                self._noted()
                return ""

            def __iter__(self) -> Iterator[object]:
                self._noted()
                return iter(())

            def __bool__(self) -> bool:
                self._noted()
                return False

            def __len__(self) -> int:
                self._noted()
                return 0

        for operator in _OPERATORS:  # each fails at once in `jinja2.Undefined`
            setattr(Noted, operator, Noted._noted)
        # A cache of its own: templates compiled for `env` would render with its undefined.
        self.environment = env.overlay(undefined=Noted, cache_size=400)

    def take(self) -> list[TemplateProblem]:
        """The undefined variables noted since the last call, each once."""
        taken = list(self.noted.values())
        self.noted.clear()
        return taken


def _rendering_at() -> tuple[str, int | None]:
    """The template file and line being rendered, from the innermost template frame."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        template = frame.f_globals.get("__jinja_template__")
        if isinstance(template, jinja2.Template):
            return (template.filename or template.name or "?",
                    template.get_corresponding_lineno(frame.f_lineno))
        frame = frame.f_back
    return "?", None
