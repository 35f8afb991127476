"""A griffe extension for the API reference: ticketcore's docstrings, made Markdown.

The docstrings are written in reStructuredText, which mkdocstrings renders as Markdown.
Three things would read badly, so this converts them, in memory, at build time:

- doctest blocks (``>>>`` up to the next blank line) become fenced ``pycon`` blocks;
- literal blocks (a paragraph ending in ``::``, then an indented block) become fenced
  code blocks;
- roles such as :class:`~ticketcore.Ticket` and :meth:`SLAPolicy.evaluate` become
  links to the object's entry, resolved in the docstring's own scope, or plain code
  when the object is not on the page.

mkdocs.yml loads it (``plugins.mkdocstrings.handlers.python.options.extensions``).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from typing import Any

try:
    import griffe
except ImportError:  # pytest imports every .py under docs/; the docs extra may be absent
    griffe = None

_ROLE = re.compile(r":(?:class|meth|func|mod|data|attr|exc|obj):`(?P<tilde>~?)(?P<target>[^`]+)`")

Resolver = Callable[[str], "str | None"]


def to_markdown(text: str, resolve: Resolver) -> str:
    """``text`` (a docstring) with doctests and literal blocks fenced and roles linked.

    ``resolve`` turns a role's target into the identifier of its entry, or ``None``.
    """
    lines = text.splitlines()
    out: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        stripped = line.lstrip()
        indent = line[: len(line) - len(stripped)]
        if stripped.startswith(">>>"):
            end = index
            while end < len(lines) and lines[end].strip():
                end += 1
            _fence(out, indent, "pycon", [item[len(indent) :] for item in lines[index:end]])
            index = end
            continue
        if stripped.endswith("::") and not stripped.startswith(".."):
            end, block = _literal_block(lines, index + 1, len(indent))
            if block:
                # reST: "text::" reads "text:"; "text ::" reads "text"; "::" alone, nothing.
                head = stripped[:-2]
                head = head.rstrip() if head.endswith(" ") or not head else head + ":"
                if head:
                    out.append(indent + _roles(head, resolve))
                _fence(out, indent, "toml" if "toml" in head else "python", block)
                index = end
                continue
        out.append(_roles(line, resolve))
        index += 1
    return "\n".join(out)


def _literal_block(lines: list[str], start: int, parent: int) -> tuple[int, list[str]]:
    """The indented block after a ``::`` paragraph: (index after it, its dedented lines)."""
    end = start
    while end < len(lines) and not lines[end].strip():
        end += 1
    first = end
    while end < len(lines) and (
        not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip()) > parent
    ):
        end += 1
    while end > first and not lines[end - 1].strip():
        end -= 1
    block = textwrap.dedent("\n".join(lines[first:end])).splitlines()
    return end, block


def _fence(out: list[str], indent: str, language: str, block: list[str]) -> None:
    if out and out[-1].strip():
        out.append("")
    out.append(f"{indent}```{language}")
    out.extend(f"{indent}{item}" if item else "" for item in block)
    out.append(f"{indent}```")
    out.append("")


def _roles(line: str, resolve: Resolver) -> str:
    def link(match: re.Match[str]) -> str:
        target = match["target"].strip().removesuffix("()")
        shown = target.rsplit(".", 1)[-1] if match["tilde"] else target
        if match.group(0).startswith((":meth:", ":func:")):
            shown += "()"
        identifier = resolve(target)
        code = f"<code>{shown}</code>"
        if identifier is None:
            return code
        # "optional": a name that is not on the page stays plain code, without a warning.
        return f'<autoref identifier="{identifier}" optional>{code}</autoref>'

    return _ROLE.sub(link, line)


def _resolver(obj: Any) -> Resolver:  # noqa: ANN401 - a griffe Object, when griffe is there
    """Resolve a role's target the way a reader would: in the docstring's scope first."""

    def resolve(target: str) -> str | None:
        head, _, rest = target.partition(".")
        try:
            base = obj.resolve(head)
        except Exception:  # noqa: BLE001 - griffe raises several kinds; any means "not here"
            base = None
        candidates = [f"{base}.{rest}" if rest else base] if base else []
        candidates.append(target)
        for candidate in candidates:
            try:
                found = obj.modules_collection[candidate]
            except Exception:  # noqa: BLE001, S112 - not this one; try the next
                continue
            try:
                return str(found.canonical_path)
            except Exception:  # noqa: BLE001 - an alias that does not resolve
                return str(candidate)
        return None

    return resolve


if griffe is not None:

    class RestructuredTextDocstrings(griffe.Extension):
        """Rewrite every docstring once the package is loaded (so names resolve)."""

        def on_package(self, *, pkg: griffe.Module, **_kwargs: Any) -> None:  # noqa: ANN401
            self._convert(pkg, seen=set())

        def _convert(self, obj: griffe.Object, seen: set[str]) -> None:
            if obj.path in seen:
                return
            seen.add(obj.path)
            if obj.docstring is not None:
                obj.docstring.value = to_markdown(obj.docstring.value, _resolver(obj))
            for member in obj.members.values():
                if not member.is_alias:
                    self._convert(member, seen)  # type: ignore[arg-type]
