"""Shared helpers used across Lentera blueprints (formatting, etc.)."""
