"""A small immutable, hashable, picklable str-to-str mapping for value objects."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

__all__ = ["FrozenMap"]


class FrozenMap(Mapping[str, str]):
    """An immutable mapping that compares equal to any mapping with the same items."""

    __slots__ = ("_data", "_hash")

    _data: dict[str, str]
    _hash: int | None

    def __init__(self, items: Mapping[str, str] | None = None) -> None:
        object.__setattr__(self, "_data", dict(items or {}))
        object.__setattr__(self, "_hash", None)

    def __getitem__(self, key: str) -> str:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        if self._hash is None:
            object.__setattr__(self, "_hash", hash(frozenset(self._data.items())))
        return self._hash  # type: ignore[return-value]

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __repr__(self) -> str:
        return f"FrozenMap({self._data!r})"

    def __reduce__(self) -> tuple[type[FrozenMap], tuple[dict[str, str]]]:
        return (FrozenMap, (self._data,))
