import FuzzChecks

FuzzDriver.run(fuzzWKT)
