import Testing

@testable import GeoCore

@Suite struct BucketGridTests {
    /// 4 columns × 3 rows of 10-unit cells from (100, 200).
    static let grid = BucketGrid(covering: BoundingBox(minX: 100, minY: 200, maxX: 135, maxY: 230), cellSize: 10)

    @Test func aGridCoversItsBoxWithWholeCells() {
        #expect(Self.grid.columns == 4 && Self.grid.rows == 3 && Self.grid.bucketCount == 12)
        let point = BucketGrid(covering: BoundingBox(minX: 5, minY: 5, maxX: 5, maxY: 5), cellSize: 10)
        #expect(point.columns == 1 && point.rows == 1)
    }

    @Test func cellsAreFlooredAndMayLieOutside() {
        #expect(Self.grid.cell(of: Coordinate(x: 100, y: 200)) == (0, 0))
        #expect(Self.grid.cell(of: Coordinate(x: 119.99, y: 229.99)) == (1, 2))
        #expect(Self.grid.cell(of: Coordinate(x: 99.99, y: 185)) == (-1, -2))
        // Far away or not a number: clamped, never a trap.
        #expect(Self.grid.cell(of: Coordinate(x: 1e300, y: -1e300)) == (1_000_000_000, -1_000_000_000))
        #expect(Self.grid.cell(ofX: .nan, y: 0).row == -20)
    }

    @Test func coveredCellsIncludeBothEndsAndRefuseInvertedBoxes() throws {
        let covered = try #require(Self.grid.cells(covering: BoundingBox(minX: 95, minY: 210, maxX: 120, maxY: 210)))
        #expect(covered.columns == -1...2 && covered.rows == 1...1)
        #expect(Self.grid.cells(covering: BoundingBox(minX: 120, minY: 210, maxX: 95, maxY: 210)) == nil)
    }

    @Test func bucketsInsideTheExtent() {
        #expect(Self.grid.clampedBucket(ofX: 100, y: 200) == 0)
        #expect(Self.grid.clampedBucket(ofX: 125, y: 215) == 1 * 4 + 2)
        // The east and north edges of the extent (140, 230) belong to the last column and row...
        #expect(Self.grid.clampedBucket(ofX: 140, y: 230) == 11)
        // ...but a bucket looked up without clamping stops short of them.
        #expect(Self.grid.bucket(ofX: 140, y: 215) == nil && Self.grid.bucket(ofX: 125, y: 230) == nil)
        #expect(Self.grid.bucket(ofX: 139.9, y: 229.9) == 11 && Self.grid.bucket(ofX: 99.9, y: 215) == nil)
        #expect(Self.grid.bucket(column: 3, row: 2) == 11)
    }

    @Test func bucketsOverlappingABoxAreClippedToTheExtent() {
        func buckets(_ box: BoundingBox) -> [Int] {
            var found: [Int] = []
            Self.grid.forEachBucket(overlapping: box) { found.append($0) }
            return found
        }
        #expect(buckets(BoundingBox(minX: 105, minY: 205, maxX: 115, maxY: 215)) == [0, 1, 4, 5])
        #expect(buckets(BoundingBox(minX: 50, minY: 50, maxX: 105, maxY: 205)) == [0])
        #expect(buckets(BoundingBox(minX: 130, minY: 225, maxX: 500, maxY: 500)) == [11])
        // Touching the extent's east edge from outside still touches its last column.
        #expect(buckets(BoundingBox(minX: 140, minY: 200, maxX: 150, maxY: 205)) == [3])
        #expect(buckets(BoundingBox(minX: 141, minY: 200, maxX: 150, maxY: 205)).isEmpty)
        #expect(buckets(BoundingBox(minX: 0, minY: 0, maxX: 99, maxY: 199)).isEmpty)
    }

    @Test func bucketCellsAreTheColumnsAndRowsForEachBucketVisits() throws {
        let cells = try #require(Self.grid.bucketCells(overlapping: BoundingBox(minX: 105, minY: 205, maxX: 115, maxY: 215)))
        #expect(cells.columns == 0...1 && cells.rows == 0...1)
        let clipped = try #require(Self.grid.bucketCells(overlapping: BoundingBox(minX: 130, minY: 225, maxX: 500, maxY: 500)))
        #expect(clipped.columns == 3...3 && clipped.rows == 2...2)
        #expect(Self.grid.bucketCells(overlapping: BoundingBox(minX: 141, minY: 200, maxX: 150, maxY: 205)) == nil)
    }

    @Test func aClampedBucketComesWithItsPositionInTheCell() {
        let (bucket, x, y) = Self.grid.clampedBucketAndOffset(ofX: 125, y: 202.5)
        #expect(bucket == Self.grid.clampedBucket(ofX: 125, y: 202.5) && x == 0.5 && y == 0.25)
        // On the extent's north-east corner: the last bucket, one whole cell in each way.
        let corner = Self.grid.clampedBucketAndOffset(ofX: 140, y: 230)
        #expect(corner.bucket == 11 && corner.x == 1 && corner.y == 1)
    }

    @Test(arguments: [(1, 1), (-3, 1), (7, -5), (2, 9)])
    func ringsWalkEveryBucketOnceOutwardFromAnyCell(column: Int, row: Int) {
        let grid = Self.grid
        var visits: [(bucket: Int, ring: Int)] = []
        let first = grid.firstRing(around: column, row)
        for ring in 0...(first + max(grid.columns, grid.rows)) {
            grid.forEachBucket(inRing: ring, around: column, row) { visits.append(($0, ring)) }
        }
        #expect(visits.count == grid.bucketCount && Set(visits.map(\.bucket)).count == grid.bucketCount)
        for (bucket, ring) in visits {
            let (c, r) = (bucket % grid.columns, bucket / grid.columns)
            #expect(max(abs(c - column), abs(r - row)) == ring && ring >= first)
        }
    }

    @Test func theFirstRingIsTheDistanceToTheExtent() {
        #expect(Self.grid.firstRing(around: 2, 1) == 0)
        #expect(Self.grid.firstRing(around: -3, 1) == 3)
        #expect(Self.grid.firstRing(around: 7, -5) == 5)
    }

    @Test func sparseKeysAreDistinctForNegativeCells() {
        #expect(BucketGrid.sparseKey(column: 1, row: -1) == 1 << 32 | 0xFFFF_FFFF)
        #expect(BucketGrid.sparseKey(column: 0, row: 0) == 0)
        let keys = Set((-2...2).flatMap { c in (-2...2).map { BucketGrid.sparseKey(column: c, row: $0) } })
        #expect(keys.count == 25)
    }

    @Test func bucketListsKeepItemsInTheOrderAdded() {
        let pairs: [(Int32, Int)] = [(0, 2), (1, 0), (2, 2), (3, 3), (4, 0)]
        let lists = BucketLists(bucketCount: 4) { add in
            for (item, bucket) in pairs { add(item, bucket) }
        }
        #expect(lists.starts == [0, 2, 2, 4, 5])
        #expect(lists.items == [1, 4, 0, 2, 3])
        let empty = BucketLists(bucketCount: 0) { _ in }
        #expect(empty.starts == [0] && empty.items.isEmpty)
    }

    @Test func boxesShareInteriorOnlyWhenTheyOverlapByMoreThanATouch() {
        let a = BoundingBox(minX: 0, minY: 0, maxX: 2, maxY: 2)
        // Along an edge, at a corner: they intersect (closed boxes) but share no interior point.
        for touching in [BoundingBox(minX: 2, minY: 0, maxX: 3, maxY: 2), BoundingBox(minX: 2, minY: 2, maxX: 3, maxY: 3)] {
            #expect(a.intersects(touching))
            #expect(!a.sharesInterior(with: touching))
            #expect(!touching.sharesInterior(with: a))
        }
        #expect(a.sharesInterior(with: BoundingBox(minX: 1.999, minY: 1, maxX: 3, maxY: 3)))
        #expect(a.sharesInterior(with: BoundingBox(minX: 0.5, minY: 0.5, maxX: 1, maxY: 1)))
        #expect(!a.sharesInterior(with: BoundingBox(minX: 3, minY: 0, maxX: 4, maxY: 2)))
        // A point box strictly inside counts; one on the edge does not.
        #expect(a.sharesInterior(with: BoundingBox(minX: 1, minY: 1, maxX: 1, maxY: 1)))
        #expect(!a.sharesInterior(with: BoundingBox(minX: 2, minY: 1, maxX: 2, maxY: 1)))
    }
}
