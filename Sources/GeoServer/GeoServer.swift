// GeoServer: see the module's other files.
