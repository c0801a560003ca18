"""State changes of the accounts app, one module per sub-domain."""
