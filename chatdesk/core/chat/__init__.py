"""A turn of a conversation: building the request, running it, saving it as it streams."""
