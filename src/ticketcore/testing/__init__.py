"""Public helpers for testing code that uses ticketcore (and ticketcore itself).

Install them with the ``ticketcore[testing]`` extra (hypothesis and pytest).

- :mod:`ticketcore.testing.strategies`: hypothesis strategies for every public type
  (``actors()``, ``tickets()``, ``operations()``, ``calendars()``, ``policies()``...),
  also registered so that ``st.from_type(ticketcore.Ticket)`` works.
- :mod:`ticketcore.testing.workflow_machine`: a ``RuleBasedStateMachine`` a host
  subclasses with its own :class:`~ticketcore.Workflow` to property-check its rules.
- :mod:`ticketcore.testing.contract`: the contract suite every storage adapter, ours or
  a host's, runs to prove itself (``TicketRepositoryContract``,
  ``AttachmentStoreContract``); :mod:`ticketcore.testing.stateful`: the same promises
  checked by a state machine against a plain dict model.
- :mod:`ticketcore.testing.pytest_plugin`: the fixtures ``frozen_clock``, ``helpdesk``
  and ``sqlite_helpdesk``, loaded by pytest automatically.

These module paths are stable public API. Importing :mod:`ticketcore.testing` itself
imports nothing heavy; each submodule imports the test tools it needs.
"""

__all__: list[str] = []
