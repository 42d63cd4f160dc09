"""Provider adapters: one per way a notification leaves the system (push services, SMS).

Each adapter speaks its provider's HTTP API and turns the answer into an `Outcome`, so
the delivery loop never needs to know a provider's error codes.
"""

from .base import Message, Outcome, Provider

__all__ = ["Message", "Outcome", "Provider"]
