import Foundation

/// The training curve of a model card as an SVG: held-out teacher-forced and sampling accuracy (top panel) and
/// held-out KL in nats (bottom panel) against training examples seen.
public enum CurvePlot {
    /// Width and height of the picture; each panel's height.
    static let width = 720.0, height = 460.0, panel = 160.0
    /// Left and right margins.
    static let left = 64.0, right = 24.0

    /// The SVG text, or nil when the curve has fewer than two points.
    public static func svg(_ history: TrainingHistory, title: String) -> String? {
        let points = history.curve
        guard points.count >= 2 else { return nil }
        let maxX = Double(points.map(\.examples).max()!), minX = Double(points.map(\.examples).min()!)
        let spanX = max(1, maxX - minX)
        func x(_ e: Int) -> Double { left + (Double(e) - minX) / spanX * (width - left - right) }
        let accs = points.flatMap { [$0.evaluation.teacherForcedAccuracy, $0.evaluation.samplingAccuracy] }
        let accLo = max(0, (accs.min()! * 10).rounded(.down) / 10), accHi = 1.0
        let kls = points.map(\.evaluation.kl)
        let klHi = max(1, kls.max()! * 1.1)
        let top1 = 40.0, top2 = top1 + panel + 50
        func yAcc(_ a: Double) -> Double { top1 + (accHi - a) / (accHi - accLo) * panel }
        func yKL(_ k: Double) -> Double { top2 + (klHi - k) / klHi * panel }
        func line(_ ys: [Double], _ color: String) -> String {
            let d = zip(points, ys).map { String(format: "%.1f,%.1f", x($0.0.examples), $0.1) }.joined(separator: " ")
            return "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(d)\"/>"
        }
        var s = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(left)" y="20" font-size="14">\(escape(title)): held-out figures against training examples seen</text>

            """
        for (top, lo, hi, label) in [(top1, accLo, accHi, "accuracy"), (top2, 0.0, klHi, "KL (nats)")] {
            s += "<rect x=\"\(left)\" y=\"\(top)\" width=\"\(width - left - right)\" height=\"\(panel)\" fill=\"none\" stroke=\"#999\"/>\n"
            for k in 0...4 {
                let v = lo + (hi - lo) * Double(k) / 4, y = top + panel - panel * Double(k) / 4
                s += String(format: "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%@</text>\n", left - 6, y + 4,
                            hi <= 1 ? String(format: "%.2f", v) : String(format: "%.0f", v))
            }
            s += "<text x=\"12\" y=\"\(top + panel / 2)\" transform=\"rotate(-90 12 \(top + panel / 2))\" text-anchor=\"middle\">\(label)</text>\n"
        }
        for k in 0...4 {
            let e = minX + spanX * Double(k) / 4
            s += String(format: "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">%.2fM</text>\n", x(Int(e)), top2 + panel + 16, e / 1e6)
        }
        s += line(points.map { yAcc($0.evaluation.teacherForcedAccuracy) }, "#1f77b4") + "\n"
        s += line(points.map { yAcc($0.evaluation.samplingAccuracy) }, "#d62728") + "\n"
        s += line(points.map { yKL($0.evaluation.kl) }, "#2ca02c") + "\n"
        s += """
            <text x="\(left + 10)" y="\(top1 + 16)" fill="#1f77b4">teacher-forced</text>
            <text x="\(left + 120)" y="\(top1 + 16)" fill="#d62728">sampling</text>
            <text x="\(left + 10)" y="\(top2 + 16)" fill="#2ca02c">KL</text>
            <text x="\(width / 2)" y="\(height - 6)" text-anchor="middle">examples seen (millions)</text>
            </svg>

            """
        return s
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
    }
}
