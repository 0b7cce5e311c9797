"""One window or view per module. Views take plain data and their dependencies in the constructor
and have a ``retranslate`` method connected to the language change."""
