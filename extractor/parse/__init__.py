"""The template parser."""
