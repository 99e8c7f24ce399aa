/// Text made safe for HTML: the one escaping every HTML page of CityGeo (sampling plans, the OGC API pages) uses.
public enum HTMLText {
    /// `text` with `<`, `>`, `&`, `"` and `'` replaced by their entities, safe both between tags and inside a quoted
    /// attribute value.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
