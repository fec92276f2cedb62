import Foundation
import Metrics
import Models
import Results
import Storage
import TensorCore

/// `evaluation.explain` and `augbench explain`: a generator's samples (the evaluations' latents) against the
/// reference (precision/recall, density/coverage), the training subset and held-out reals (memorisation in
/// features and pixels), for augmentation artefacts beside the training subset, and for orientations (samples
/// and held-out reals matched turned and mirrored against at most `orientationReferenceLimit` training images);
/// writes neighbours.png (eight samples over their nearest training images in feature space) into the run folder.
enum RunExplanation {
    /// Training images the orientation statistics match against (the first of the subset): bounds their cost
    /// at full data (five nearest-neighbour searches of every sample).
    static let orientationReferenceLimit = 10_000

    static func explain(_ generator: any Generator, iteration: Int, evaluator: Evaluator, inputs: RunInputs,
                        directory: RunDirectory) throws -> Explanations {
        let start = Date()
        let extractor = evaluator.extractor
        let shape = inputs.train.imageShape, size = shape.reduce(1, *)
        let samples = evaluator.samples(generator)
        let count = samples.shape[0]
        let trainingImages = inputs.train.selecting(inputs.manifest.indices).images
        let trainingCount = trainingImages.count / size
        let heldOut = inputs.heldOutReals.images, heldOutCount = heldOut.count / size
        func features(_ images: [Float], _ n: Int) -> FeatureSet {
            let (f, _) = extractor.extract(images, count: n, imageShape: shape)
            return FeatureSet(features: f, logits: nil, count: n, dimension: extractor.featureDimension, classes: 0,
                              extractor: extractor.extractorName, extractorHash: extractor.hash, source: "explain")
        }
        let generated = features(samples.scalars, count), training = features(trainingImages, trainingCount)
        let heldOutFeatures = features(heldOut, heldOutCount)
        let precisionRecall = try PrecisionRecall.scores(real: evaluator.referenceFeatures, fake: generated)
        let inFeatures = try Memorisation.scores(generated: generated.features, generatedCount: count, training: training.features,
                                                 trainingCount: trainingCount, heldOut: heldOutFeatures.features,
                                                 heldOutCount: heldOutCount, dimension: generated.dimension)
        let inPixels = try Memorisation.scores(generated: samples.scalars, generatedCount: count, training: trainingImages,
                                               trainingCount: trainingCount, heldOut: heldOut, heldOutCount: heldOutCount, dimension: size)
        let (c, h, w) = (shape[0], shape[1], shape[2])
        let referenceCount = min(trainingCount, orientationReferenceLimit)
        func orientation(_ images: [Float], _ n: Int) -> OrientationLeakage.Shares {
            OrientationLeakage.shares(images, count: n, channels: c, height: h, width: w,
                                      reference: Array(trainingImages.prefix(referenceCount * size)), referenceCount: referenceCount)
        }
        try writeNeighbours(samples: samples.scalars, generated: generated, training: training, trainingImages: trainingImages,
                            shape: shape, directory: directory)
        return Explanations(iteration: iteration, precisionRecall: precisionRecall, memorisationFeatures: inFeatures,
                            memorisationPixels: inPixels,
                            leakageGenerated: AugmentationLeakage.shares(samples.scalars, count: count, channels: c, height: h, width: w),
                            leakageTraining: AugmentationLeakage.shares(trainingImages, count: trainingCount, channels: c, height: h, width: w),
                            orientationGenerated: orientation(samples.scalars, count), orientationHeldOut: orientation(heldOut, heldOutCount),
                            seconds: Date().timeIntervalSince(start))
    }

    /// neighbours.png: a row of eight samples over a row of their nearest training images (features).
    private static func writeNeighbours(samples: [Float], generated: FeatureSet, training: FeatureSet, trainingImages: [Float],
                                        shape: [Int], directory: RunDirectory) throws {
        let size = shape.reduce(1, *), shown = min(8, generated.count)
        let nearest = Memorisation.nearest(Array(generated.features.prefix(shown * generated.dimension)), count: shown,
                                           in: training.features, trainingCount: training.count, dimension: training.dimension)
        var pixels = Array(samples.prefix(shown * size))
        for (index, _) in nearest { pixels += trainingImages[(index * size)..<((index + 1) * size)] }
        let grid = ImageGrid.make(pixels, count: 2 * shown, channels: shape[0], height: shape[1], width: shape[2], columns: shown)
        try grid.write(to: directory.path("neighbours.png"))
    }
}

extension TrainingLoop {
    func explanations(with evaluator: Evaluator) throws -> Explanations {
        try RunExplanation.explain(run.evaluatedGenerator, iteration: run.iteration, evaluator: evaluator, inputs: inputs, directory: directory)
    }
}

extension GridRunner {
    /// `augbench explain`: explanations for the grid's finished runs that lack them (all finished runs when
    /// `replacing`), from their latest checkpoint (the final generator), written into their result.json.
    /// Returns the ids explained and those skipped (no checkpoint here: runs cloned without checkpoints) with
    /// the reason.
    public func explainFinishedRuns(replacing: Bool = false) throws -> (explained: [String], skipped: [(id: String, reason: String)]) {
        var explained: [String] = [], skipped: [(String, String)] = []
        for (id, experiment) in try plannedRuns() {
            let directory = RunDirectory(folder(for: id))
            guard var result = directory.result, result.status == "finished" else { continue }
            if result.explanations != nil && !replacing { continue }
            guard FileManager.default.fileExists(atPath: directory.path("checkpoint.h5")) else {
                skipped.append((id, "no checkpoint.h5 (stored runs carry none): rerun it with evaluation.explain"))
                continue
            }
            let c = experiment.config
            let inputs = try data.inputs(c)
            let evaluator = try data.evaluator(c, inputs)
            let (generator, _) = try RunGenerator.load(runFolder: directory.url.path, checkpoint: "checkpoint.h5")
            result.explanations = try RunExplanation.explain(generator, iteration: result.final?.iteration ?? c.training.iterations,
                                                             evaluator: evaluator, inputs: inputs, directory: directory)
            try directory.write(result, to: "result.json")
            explained.append(id)
        }
        return (explained, skipped)
    }
}
