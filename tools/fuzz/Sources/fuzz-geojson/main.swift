import FuzzChecks

FuzzDriver.run(fuzzGeoJSON)
