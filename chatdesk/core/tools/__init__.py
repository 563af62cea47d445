"""MCP tool servers and the tool loop that lets a model call them."""
