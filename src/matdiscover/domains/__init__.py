"""domains domain."""
