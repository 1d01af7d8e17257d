"""The tablet app: local store and outbox, sync engine, local web UI."""
