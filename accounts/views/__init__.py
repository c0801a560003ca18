"""The accounts app's pages, one module per group of pages."""
