// Tests for RL: filled by its issue.
