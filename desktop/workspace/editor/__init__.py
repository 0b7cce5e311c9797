"""The record editor: any template rendered from its definition (form.py), its field widgets
(fields.py, compound.py), reference-list type-ahead (completion.py) and the window (dialog.py)."""
