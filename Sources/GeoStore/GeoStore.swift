// GeoStore: see the module's other files.
