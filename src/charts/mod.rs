//! Chart data (pure) and drawing (generic over the plotters backend).
