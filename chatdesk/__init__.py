"""ChatDesk: a native desktop chat client for OpenAI-compatible relays."""

__version__ = "0.1.0"
