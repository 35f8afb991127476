"""Public helpers for testing code that uses ticketcore (and ticketcore itself).

- :mod:`ticketcore.testing.strategies`: hypothesis strategies (``actors()``,
  ``tickets()``, ``operations()``...). Needs the ``ticketcore[testing]`` extra.

Importing :mod:`ticketcore.testing` itself imports nothing heavy; each submodule
imports the test tools it needs.
"""

__all__: list[str] = []
