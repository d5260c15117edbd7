"""pytest configuration. Shared helpers live in tests/helpers.py."""
