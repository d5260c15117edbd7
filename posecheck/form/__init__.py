"""Form: one pose against one reference gives a verdict (`checks`), and over a
stream a windowed verdict (`temporal`). Pure: no camera, no clock, no printing."""
