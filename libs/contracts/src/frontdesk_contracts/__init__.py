"""Frontdesk contracts: the envelope and every versioned event, command and reply."""

from . import assistant, booking, booking_v2, booking_v3, calls, identity, messaging, messaging_shop, notify
from .envelope import Envelope
from .registry import Contract, ContractType, all_contracts, contract, contract_type, type_name

__all__ = [
    "Contract",
    "ContractType",
    "Envelope",
    "all_contracts",
    "assistant",
    "booking",
    "booking_v2",
    "booking_v3",
    "calls",
    "contract",
    "contract_type",
    "identity",
    "messaging",
    "messaging_shop",
    "notify",
    "type_name",
]
