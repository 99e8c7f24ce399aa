import FuzzChecks

FuzzDriver.run(fuzzWKB)
