// Tests for LLM: filled by its issue.
