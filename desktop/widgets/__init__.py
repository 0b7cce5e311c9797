"""Small reusable widgets: plain-text labels, the passphrase meter, the fingerprint view, the
sync status and the busy indicator."""
