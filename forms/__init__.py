"""Templates and everything about structured data: the template model, the templates
themselves, validation and quality checks, reference lists, import and export.
Imports neither ``sync`` nor ``desktop`` (nor Qt)."""
