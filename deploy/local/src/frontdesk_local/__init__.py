"""Runs Frontdesk's services as processes on this machine."""
