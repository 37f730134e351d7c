// Tests for Lab: filled by its issue.
