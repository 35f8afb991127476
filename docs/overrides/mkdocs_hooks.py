"""MkDocs hooks for this site (mkdocs.yml, ``hooks``).

Every ```python block in these docs is a doctest: ``>>>`` lines and their output. This
highlights such a block as a console session (Pygments' ``pycon``), so that prompts and
output are styled apart from the code, and the copy button copies only the code (see
``stylesheets/extra.css``). The Markdown files themselves are not changed.
"""

from __future__ import annotations

from typing import Any


def as_console_sessions(markdown: str) -> str:
    """``markdown`` with each ```python block that holds a ``>>>`` line tagged ```pycon."""
    lines = markdown.split("\n")
    opening: int | None = None
    for index, line in enumerate(lines):
        stripped = line.strip()
        if opening is None:
            if stripped == "```python":
                opening = index
        elif stripped.startswith("```"):
            block = lines[opening + 1 : index]
            if any(item.lstrip().startswith(">>>") for item in block):
                lines[opening] = lines[opening].replace("```python", "```pycon", 1)
            opening = None
    return "\n".join(lines)


def on_page_markdown(markdown: str, **_kwargs: Any) -> str:  # noqa: ANN401 - MkDocs' objects
    return as_console_sessions(markdown)
