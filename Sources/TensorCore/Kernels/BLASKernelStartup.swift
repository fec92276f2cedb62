import Foundation

/// How the running kernel was decided; printed with every run's provenance.
public struct KernelChoice: Codable, Equatable, Sendable {
    public let coreName: String
    /// "user" (OPENBLAS_CORETYPE was set), "augbench" (measured on this machine) or "openblas" (its own).
    public let chosenBy: String
    /// Why this kernel runs, in words.
    public let reason: String
    /// What OpenBLAS loads on its own, when known.
    public let openBLASDefault: String?
    public let selfCheckPassed: Bool

    public var summary: String {
        var text = "\(coreName) (chosen by \(chosenBy)"
        if let openBLASDefault, !BLASKernel.sameCore(openBLASDefault, coreName) { text += "; OpenBLAS alone picks \(openBLASDefault)" }
        return text + (selfCheckPassed ? ")" : "; SELF-CHECK FAILED)")
    }
}

extension BLASKernel {
    /// Set in a process that augbench restarted with its chosen kernel: the JSON of the choice's reason and default.
    static let choiceVariable = "AUGBENCH_BLAS_CHOICE"

    private struct Handover: Codable {
        let reason: String
        let openBLASDefault: String
    }

    /// Makes this process run a correct kernel, as fast as measured: keeps OpenBLAS's own choice unless it is
    /// generic or fails the self-check, and otherwise re-executes the process with `OPENBLAS_CORETYPE` set to
    /// the fastest correct kernel of the measured table (measuring it first when no table is cached).
    /// A user-set `OPENBLAS_CORETYPE` is always honoured. Call it first thing in `main` of an executable:
    /// it may re-execute the process, and in a probe process it measures and exits.
    public static func ensureBestKernel() -> KernelChoice {
        Allocator.configureForTensors()
        BLASKernelProbe.runIfAsked()
        if let handedOver = current() { return handedOver }
        let environment = ProcessInfo.processInfo.environment
        let passed = selfCheck(), loaded = coreName, flags = cpuFlags()
        func decide(_ table: KernelTable?) -> KernelDecision {
            BLASKernelPolicy.decide(loaded: loaded, loadedPassed: passed, userCoreType: environment["OPENBLAS_CORETYPE"],
                                    cpuFlags: flags, measurements: table?.measurements)
        }
        var decision = decide(KernelTableCache.read())
        if decision == .measure {
            let table = BLASKernelProbe.measureAll(cpuFlags: flags)
            KernelTableCache.write(table)
            decision = decide(table)
        }
        switch decision {
        case .replace(let core, let reason):
            let handover = Handover(reason: reason, openBLASDefault: loaded)
            setenv("OPENBLAS_CORETYPE", core, 1)
            setenv(choiceVariable, String(decoding: (try? JSONEncoder().encode(handover)) ?? Data(), as: UTF8.self), 1)
            reexecute()
            return KernelChoice(coreName: loaded, chosenBy: "openblas", reason: "restarting with \(core) failed", openBLASDefault: loaded,
                                selfCheckPassed: passed)
        case .keep(let reason):
            let user = environment["OPENBLAS_CORETYPE"] != nil
            return KernelChoice(coreName: loaded, chosenBy: user ? "user" : "openblas", reason: reason,
                                openBLASDefault: user ? nil : loaded, selfCheckPassed: passed)
        case .measure:
            preconditionFailure("a decision with measurements never asks for more")
        }
    }

    /// The running kernel and who chose it, without measuring or restarting (for libraries and tests).
    public static func current() -> KernelChoice? {
        let environment = ProcessInfo.processInfo.environment
        guard let text = environment[choiceVariable], environment["OPENBLAS_CORETYPE"] != nil,
              let handover = try? JSONDecoder().decode(Handover.self, from: Data(text.utf8)) else { return nil }
        return KernelChoice(coreName: coreName, chosenBy: "augbench", reason: handover.reason, openBLASDefault: handover.openBLASDefault,
                            selfCheckPassed: selfCheck())
    }

    /// What runs in a process that did not (or could not) choose: OpenBLAS's or the user's kernel as loaded.
    public static func describeRunning() -> KernelChoice {
        if let chosen = current() { return chosen }
        let user = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"]
        return KernelChoice(coreName: coreName, chosenBy: user != nil ? "user" : "openblas",
                            reason: user.map { "OPENBLAS_CORETYPE=\($0) is set" } ?? "loaded by OpenBLAS",
                            openBLASDefault: user == nil ? coreName : nil, selfCheckPassed: selfCheck())
    }

    private static func reexecute() {
        var arguments = CommandLine.arguments.map { strdup($0) } + [nil]
        execv("/proc/self/exe", &arguments)
    }
}
