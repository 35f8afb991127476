"""A ticket's messages or history as a sequence that reads its stored part only on use.

A stored ticket carries its current state; its thread stays where the adapter keeps it.
:class:`Thread` is the sequence a restored ticket's ``messages`` and ``history`` are: it
knows how many items the store holds for the version it was loaded at, reads them (once,
through the adapter's loader) only when something looks at them, and keeps the items an
operation adds since in memory. Its length, its newest items and appending never read
the store, so operating on a ticket costs the same at any length.

A thread compares equal to a thread or tuple with the same items, like a tuple.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Generic, TypeVar, overload

_T = TypeVar("_T")

#: Reads the stored items of a thread, oldest first (the adapter's own query).
Loader = Callable[[], Sequence[_T]]


class Thread(Sequence[_T], Generic[_T]):
    """``stored`` items the ``load`` callable reads when needed, then ``tail`` in memory.

    ``public`` is the same thread as someone who may not read notes sees it, when the
    adapter can read that view by itself: ``(count, loader)``.
    """

    __slots__ = ("_cache", "_load", "_public", "_stored", "_tail")

    def __init__(
        self,
        stored: int,
        load: Loader[_T],
        tail: tuple[_T, ...] = (),
        *,
        public: tuple[int, Loader[_T]] | None = None,
        cache: list[tuple[_T, ...]] | None = None,
    ) -> None:
        self._stored = stored
        self._load = load
        self._tail = tail
        self._public = public
        # one shared box per stored prefix: every thread derived from this one reads the
        # store at most once between them
        self._cache: list[tuple[_T, ...]] = [] if cache is None else cache

    # -- what never reads the store ----------------------------------------------------

    def __len__(self) -> int:
        return self._stored + len(self._tail)

    @property
    def stored(self) -> int:
        """How many items come from the store (the rest were added in memory)."""
        return self._stored

    @property
    def added(self) -> tuple[_T, ...]:
        """The items added in memory since the thread was loaded."""
        return self._tail

    @property
    def loaded(self) -> bool:
        """Whether the stored items have been read."""
        return bool(self._cache) or self._stored == 0

    def appended(self, *items: _T) -> Thread[_T]:
        """This thread with ``items`` added at its end."""
        return Thread(self._stored, self._load, self._tail + items, public=None, cache=self._cache)

    def newest(self) -> _T | None:
        """The last item, read from the store only if nothing was added in memory."""
        if self._tail:
            return self._tail[-1]
        return self[-1] if self._stored else None

    def public_view(
        self, keep: Callable[[_T], bool], show: Callable[[_T], _T] | None = None
    ) -> Thread[_T] | tuple[_T, ...]:
        """The items ``keep`` accepts, each as ``show`` renders it: read through the
        adapter's public view when it has one (filtered in its query), else filtered
        here. ``keep`` and ``show`` are applied either way."""
        if self._public is None or self._cache:
            return tuple(_shown(self, keep, show))
        count, load = self._public

        def load_public() -> tuple[_T, ...]:
            return tuple(item if show is None else show(item) for item in load() if keep(item))

        tail = tuple(item if show is None else show(item) for item in self._tail if keep(item))
        return Thread(count, load_public, tail)

    # -- what reads the store ----------------------------------------------------------

    def _prefix(self) -> tuple[_T, ...]:
        if not self._cache:
            if self._stored == 0:
                return ()
            items = tuple(self._load())
            if len(items) != self._stored:
                from ticketcore.errors import ErrorCode, StorageError  # noqa: PLC0415

                raise StorageError(
                    ErrorCode.RECORD_UNREADABLE,
                    f"the store holds {len(items)} items of a thread it counted {self._stored} of",
                    params={"problem": "thread length", "stored": self._stored},
                )
            self._cache.append(items)
        return self._cache[0]

    @overload
    def __getitem__(self, index: int) -> _T: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[_T, ...]: ...
    def __getitem__(self, index: int | slice) -> _T | tuple[_T, ...]:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step == 1 and start >= self._stored:  # only what was added in memory
                return self._tail[start - self._stored : max(start, stop) - self._stored]
            return (*self._prefix(), *self._tail)[index]
        size = len(self)
        position = index + size if index < 0 else index
        if not 0 <= position < size:
            raise IndexError("thread index out of range")
        if position >= self._stored:
            return self._tail[position - self._stored]
        return self._prefix()[position]

    def __iter__(self) -> Iterator[_T]:
        yield from self._prefix()
        yield from self._tail

    def __reversed__(self) -> Iterator[_T]:
        yield from reversed(self._tail)
        yield from reversed(self._prefix())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Thread | tuple):
            return len(self) == len(other) and tuple(self) == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return repr(tuple(self))

    def __reduce__(self) -> tuple[type[tuple[_T, ...]], tuple[tuple[_T, ...]]]:
        # a pickled thread is its items: the loader belongs to this process's store
        return (tuple, (tuple(self),))


def _shown(
    items: Sequence[_T], keep: Callable[[_T], bool], show: Callable[[_T], _T] | None
) -> Iterator[_T]:
    for item in items:
        if keep(item):
            yield item if show is None else show(item)


def appended(items: Sequence[_T], *more: _T) -> Sequence[_T]:
    """``items`` with ``more`` at the end: a thread stays a thread, a tuple a tuple."""
    if isinstance(items, Thread):
        return items.appended(*more)
    return (*items, *more)
