"""Phase diagrams and stability of materials against the reference hull."""
