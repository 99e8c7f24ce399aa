import GeoCore
import GeoGrids
import GeoStore

/// The geocoders of the current address book, built together so that forward and reverse answers agree. A class:
/// every request takes the current one, and copying the two structs' dozens of tables cost a retain each.
@MemberwiseInit
public final class AddressServices: Sendable {
    /// Forward matching, autocomplete and batches.
    public let geocoder: Geocoder
    /// Reverse geocoding over the same book.
    public let reverse: ReverseGeocoder

    /// The layers the address book and its reverse geocoder are built from.
    public static let layerNames: [String] = {
        let names = AddressBook.LayerNames()
        return names.regions + [names.roads, names.places, names.plates, names.buildings, names.pois, names.components, GridLocator.layerNames.responsibilityGrids]
    }()

    /// Both geocoders from the book in `store`.
    public static func load(
        from store: some FeatureStore, divisions: AdminDivisions, pinyin: PinyinTable = PinyinTable(), options: GeocoderOptions = GeocoderOptions()
    ) async throws -> AddressServices {
        let geocoder = Geocoder(book: try await AddressBook.load(from: store), divisions: divisions, pinyin: pinyin, options: options)
        return AddressServices(geocoder: geocoder, reverse: ReverseGeocoder(geocoder: geocoder, locator: try await GridLocator.load(from: store)))
    }
}
