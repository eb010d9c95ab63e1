"""Field data: reading survey exports and checking them against their instrument."""
