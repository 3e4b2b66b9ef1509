"""Conversation flows: definitions (a versioned JSON format), the pure engine, its cards, and the
runs that apply the engine's actions through the conversation layer."""
