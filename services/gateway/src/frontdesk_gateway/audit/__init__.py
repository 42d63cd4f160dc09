"""The audit log: who on a shop's staff did what to what, and when."""
