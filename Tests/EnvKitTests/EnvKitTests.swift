// Tests for EnvKit: filled by its issue.
