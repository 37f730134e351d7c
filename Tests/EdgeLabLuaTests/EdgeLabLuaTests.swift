// Tests for EdgeLabLua: filled by its issue.
