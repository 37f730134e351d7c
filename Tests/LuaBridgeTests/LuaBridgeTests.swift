// Tests for LuaBridge: filled by its issue.
