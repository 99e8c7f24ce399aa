"""Writes Tests/GeoAnalysisTests/Fixtures/gistar.json: Getis-Ord Gi* computed by PySAL (esda.G_Local, binary
weights with self-weight 1: transform="B", star=True) on two small data sets, so that the Swift implementation is
checked against an independent one. Run once with esda and libpysal installed; the output is committed.

    python3 tools/analysis/gistar_fixture.py Tests/GeoAnalysisTests/Fixtures/gistar.json
"""
import json
import sys

import numpy as np
import esda
import libpysal


def case(name, points, values, weights, description):
    w = weights.copy() if hasattr(weights, "copy") else weights
    g = esda.G_Local(np.array(values, dtype=float), w, transform="B", star=True, permutations=0)
    neighbours = [sorted(int(j) for j in w.neighbors[i]) for i in range(len(points))]
    return {
        "name": name,
        "description": description,
        "points": [[float(x), float(y)] for x, y in points],
        "values": [float(v) for v in values],
        "neighbours": neighbours,
        "g": [float(v) for v in g.Gs],
        "z": [float(v) for v in g.Zs],
        "p": [float(v) for v in g.p_norm],
    }


def main(path):
    cases = []
    # A 6 x 6 lattice 100 m apart with a cluster of high counts in one corner; a 150 m band holds the 8 around.
    lattice = [(100.0 * (k % 6), 100.0 * (k // 6)) for k in range(36)]
    counts = [9, 8, 7, 2, 1, 0, 8, 9, 6, 1, 0, 0, 7, 5, 3, 1, 1, 0, 2, 1, 1, 0, 0, 1, 0, 0, 1, 0, 2, 0, 1, 0, 0, 1, 0, 0]
    band = libpysal.weights.DistanceBand(np.array(lattice), threshold=150.0, binary=True, silence_warnings=True)
    cases.append(case("distance_band", lattice, counts, band, "6 x 6 lattice, 100 m apart, band 150 m"))
    # 40 scattered points (no two at the same distance from a third) and 4 nearest neighbours.
    rng = np.random.default_rng(320904)
    scattered = rng.uniform(0, 2000, size=(40, 2))
    values = rng.poisson(3, size=40) + (scattered[:, 0] < 600) * rng.poisson(6, size=40)
    knn = libpysal.weights.KNN.from_array(scattered, k=4)
    cases.append(case("knn", scattered.tolist(), values.tolist(), knn, "40 random points in 2 km, 4 nearest"))
    with open(path, "w") as out:
        json.dump({"source": f"esda {esda.__version__}, libpysal {libpysal.__version__}", "cases": cases}, out, indent=1)
        out.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
