// Tests for MEC: filled by its issue.
