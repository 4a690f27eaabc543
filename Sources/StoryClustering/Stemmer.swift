internal import CStemmer

/// The Snowball English stemmer (libstemmer), with a cache: news vocabulary repeats, stemming does not need to.
/// Not thread-safe: one per clusterer.
final class Stemmer {
    private let stemmer: OpaquePointer
    private var cache: [String: String] = [:]

    init() {
        guard let stemmer = sb_stemmer_new("english", "UTF_8") else {
            fatalError("libstemmer has no English UTF-8 stemmer")
        }
        self.stemmer = stemmer
    }

    deinit {
        sb_stemmer_delete(stemmer)
    }

    /// The stem of a lower-cased word.
    func stem(_ word: String) -> String {
        if let cached = cache[word] { return cached }
        var utf8 = Array(word.utf8)
        let stemmed: String = utf8.withUnsafeMutableBufferPointer { buffer in
            guard let result = sb_stemmer_stem(stemmer, buffer.baseAddress, Int32(buffer.count)) else { return word }
            let length = Int(sb_stemmer_length(stemmer))
            return String(decoding: UnsafeBufferPointer(start: result, count: length), as: UTF8.self)
        }
        if cache.count > 200_000 { cache.removeAll(keepingCapacity: true) }
        cache[word] = stemmed
        return stemmed
    }
}
