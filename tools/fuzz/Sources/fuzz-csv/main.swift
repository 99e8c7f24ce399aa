import FuzzChecks

FuzzDriver.run(fuzzCSV)
