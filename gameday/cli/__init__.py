"""Command-line front end: one module per command, loaded on first use."""
