"""Learning services, one module per sub-domain: import from the module that owns a function."""
