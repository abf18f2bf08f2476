"""Geography every stage shares: plane geometry in WGS84 (points, rings, polygons),
SCB's RegSO areas of every municipality with their boundaries and neighbours, and the
place names the areas' names are made of. Källa: SCB (RegSO 2025, CC BY 4.0)."""
