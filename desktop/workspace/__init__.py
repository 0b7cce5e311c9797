"""The operation workspace: the rooms where an operation's work is done (cases, messages,
library, operation picture), shown as tabs for one operation inside the main window.

Every room is a ``QWidget`` built as ``Room(session, operation, parent)`` with a
``retranslate()`` method; it reads and writes only through :class:`desktop.session.Session`
and refreshes itself on ``session.changed`` for its operation.
"""
