// GeoEngine: see the module's other files.
