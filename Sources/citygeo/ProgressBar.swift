import Foundation

/// A one-line progress bar on standard error, redrawn in place on a terminal and printed every 10 % otherwise
/// (so that logs of piped runs stay short). Safe to call from any thread.
final class ProgressBar: @unchecked Sendable {
    private let label: String
    private let isTerminal = isatty(STDERR_FILENO) != 0
    private let lock = NSLock()
    private var lastDecile = -1
    private var lastDraw = Date.distantPast

    init(label: String) { self.label = label }

    func update(done: Int, total: Int) {
        lock.lock()
        defer { lock.unlock() }
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 1
        if isTerminal {
            // Redraw at most 20 times a second, and always at the end.
            guard done >= total || Date().timeIntervalSince(lastDraw) > 0.05 else { return }
            lastDraw = Date()
            let width = 30
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            let text = "\r\(label) \(bar) \(Int(fraction * 100))% \(done)/\(total)" + (done >= total ? "\n" : "")
            FileHandle.standardError.write(Data(text.utf8))
        } else {
            let decile = Int(fraction * 10)
            guard decile != lastDecile else { return }
            lastDecile = decile
            FileHandle.standardError.write(Data("\(label) \(decile * 10)% (\(done)/\(total))\n".utf8))
        }
    }
}
