"""The chat's screens, one per module."""
