// Tests for Compression: filled by its issue.
