"""Schema of the chat area."""
