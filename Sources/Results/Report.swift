import Foundation
import Storage
import Metrics

/// One self-contained HTML page for a grid (no network: images are embedded as data URIs): the tables,
/// the plots, each run's samples and metrics, provenance and failures.
public enum Report {
    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    static func image(_ png: Data, alt: String) -> String {
        "<img alt=\"\(escape(alt))\" src=\"data:image/png;base64,\(png.base64EncodedString())\">"
    }

    static func table(_ t: ResultsTable) -> String {
        let rows = t.render(.md, layout: t.columns.count > 1 ? .long : .wide).split(separator: "\n").filter { $0.hasPrefix("|") && !$0.hasPrefix("|---") }
        var html = "<h3>\(escape(t.title))</h3><p class=\"protocol\">Protocol: \(escape(t.protocolText))</p><table>"
        for (index, row) in rows.enumerated() {
            let cells = row.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast().map { $0.trimmingCharacters(in: .whitespaces) }
            let tag = index == 0 ? "th" : "td"
            html += "<tr>" + cells.map { "<\(tag)>\(escape($0))</\(tag)>" }.joined() + "</tr>"
        }
        return html + "</table>"
    }

    public static func html(_ set: ResultSet) throws -> String {
        let name = set.grid?.name ?? URL(fileURLWithPath: set.folder).lastPathComponent
        var body = "<h1>AugBench report: \(escape(name))</h1>"
        body += "<p>\(set.runs.count) run(s) in <code>\(escape(set.folder))</code>; generated \(ISO8601DateFormatter().string(from: Date())).</p>"
        body += "<h2>Tables</h2>" + ResultsTable.build(set).map(table).joined()
        body += "<h2>Curves</h2>"
        body += "<div class=\"chart\">" + Plots.fidSVG(set).render(standalone: false) + "</div>"
        for panel in Plots.discriminatorAccuracyPanels(set) { body += "<div class=\"chart\">" + panel.render(standalone: false) + "</div>" }
        let failed = set.runs.filter { $0.status != "finished" }
        body += "<h2>Failures</h2>" + (failed.isEmpty ? "<p>None.</p>" : "<ul>" + failed.map {
            "<li><b>\(escape($0.label))</b> (\($0.id)): \(escape($0.reason ?? "unknown"))</li>" }.joined() + "</ul>")
        body += "<h2>Runs</h2>"
        for run in set.runs {
            let directory = set.directory(for: run.id)
            body += "<div class=\"run\"><h3>\(escape(run.label)) <small>\(run.id) · \(run.status)</small></h3>"
            if let final = run.final, let best = run.best {
                body += String(format: "<p>final (it %d): FID %.2f, IS %.2f ± %.2f, KID %.4f, D acc. %.3f train / %.3f held-out · best FID %.2f at it %d · trained in %@</p>",
                               final.iteration, final.fid, final.isMean, final.isStd, final.kidMean, final.dAccuracyTrain,
                               final.dAccuracyHeldOut, best.fid, best.iteration, DurationText.format(run.seconds))
            }
            if let samples = FileManager.default.contents(atPath: directory.path("samples.png")) { body += image(samples, alt: "samples of \(run.label)") }
            if let e = run.explanations {
                body += String(format: "<p>why (it %d): precision %.3f, recall %.3f, density %.3f, coverage %.3f · memorised %.3f in features, %.3f in pixels (median distance to training / held-out's: %.2f) · cutout artefacts in %.1f%% of samples (training data %.1f%%), translation %.1f%% (%.1f%%)</p>",
                               e.iteration, e.precisionRecall.precision, e.precisionRecall.recall, e.precisionRecall.density,
                               e.precisionRecall.coverage, e.memorisationFeatures.share, e.memorisationPixels.share, e.memorisationFeatures.ratio,
                               100 * e.leakageGenerated.cutout, 100 * e.leakageTraining.cutout, 100 * e.leakageGenerated.translation,
                               100 * e.leakageTraining.translation)
                if let own = e.orientationGenerated, let heldOut = e.orientationHeldOut {
                    body += "<p>orientation: " + Self.orientationText(own, heldOut) + "</p>"
                }
            }
            if let strip = FileManager.default.contents(atPath: directory.path("neighbours.png")) {
                body += "<p>samples (top) over their nearest training images in feature space (bottom):</p>" + image(strip, alt: "nearest training images of \(run.label)")
            }
            if let provenance = directory.read(Provenance.self, from: "provenance.json") {
                body += "<p class=\"provenance\">commit \(escape(provenance.gitCommit.prefix(12).description))\(provenance.gitDirty ? " (dirty)" : ""), Swift \(escape(provenance.swiftVersion)), OpenBLAS \(escape(provenance.openBLAS)) \(escape(provenance.blasKernel)), \(provenance.blasThreads) BLAS threads, \(escape(provenance.cpu)) × \(provenance.cores), host \(escape(provenance.host)), started \(escape(provenance.started))</p>"
            }
            body += "</div>"
        }
        let style = "body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}table{border-collapse:collapse;margin:0.5em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#f3f3f3}td:first-child{text-align:left}img{max-width:100%;margin:0.5em 0;display:block;image-rendering:pixelated}.chart svg{max-width:100%;height:auto;margin:0.5em 0}.chart circle:hover{r:6}.protocol,.provenance{color:#666;font-size:0.9em}.run{border-top:1px solid #ddd;margin-top:1em}"
        // Records on <body> how many images decoded, so a headless browser can check the page rendered them.
        let check = "<script>window.addEventListener('load',function(){var n=0;for(var i=0;i<document.images.length;i++){if(document.images[i].complete&&document.images[i].naturalWidth>0)n++;}document.body.setAttribute('data-images-loaded',n+'/'+document.images.length);});</script>"
        return "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>AugBench: \(escape(name))</title><style>\(style)</style>\(check)</head><body>\(body)</body></html>\n"
    }

    /// Writes report.html in the grid folder; returns its path.
    public static func write(_ set: ResultSet) throws -> String {
        let path = set.folder + "/report.html"
        try AtomicFile.write(Data(try html(set).utf8), to: path)
        return path
    }

    /// "fits the training set better turned in 4.0% of samples (held-out reals 5.7%), better mirrored in …".
    static func orientationText(_ own: OrientationLeakage.Shares, _ heldOut: OrientationLeakage.Shares) -> String {
        var parts: [String] = []
        if let turned = own.turned, let reference = heldOut.turned {
            parts.append(String(format: "fits the training set better turned in %.1f%% of samples (held-out reals %.1f%%)", 100 * turned, 100 * reference))
        }
        parts.append(String(format: "better mirrored in %.1f%% (%.1f%%)", 100 * own.mirrored, 100 * heldOut.mirrored))
        return parts.joined(separator: ", ")
    }
}
