import FuzzChecks

FuzzDriver.run(fuzzAddress)
