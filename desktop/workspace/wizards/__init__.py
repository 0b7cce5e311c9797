"""The cases room's import and export wizards over ``forms.importing`` and ``forms.exporting``."""
