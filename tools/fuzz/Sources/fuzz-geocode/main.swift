import FuzzChecks

FuzzDriver.run(fuzzGeocode)
