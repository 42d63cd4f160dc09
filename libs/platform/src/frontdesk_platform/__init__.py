"""Frontdesk service kit: event store, outbox, idempotent consumers, observability."""
