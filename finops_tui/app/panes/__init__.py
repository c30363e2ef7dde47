"""One pane per tab; each loads its data through the reader in a worker thread."""
