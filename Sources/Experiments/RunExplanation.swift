import Foundation
import Metrics
import Results
import Storage
import TensorCore

extension TrainingLoop {
    /// `evaluation.explain`: the final generator's samples (the evaluations' latents) against the reference
    /// (precision/recall, density/coverage), the training subset and held-out reals (memorisation in features
    /// and pixels), and for augmentation artefacts beside the training subset; writes neighbours.png (eight
    /// samples over their nearest training images in feature space).
    func explanations(with evaluator: Evaluator) throws -> Explanations {
        let start = Date()
        let extractor = evaluator.extractor
        let shape = inputs.train.imageShape, size = shape.reduce(1, *)
        let samples = evaluator.samples(run.evaluatedGenerator)
        let count = samples.shape[0]
        let trainingImages = inputs.train.selecting(run.sampler.indices).images
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
        try writeNeighbours(samples: samples.scalars, generated: generated, training: training, trainingImages: trainingImages)
        return Explanations(iteration: run.iteration, precisionRecall: precisionRecall, memorisationFeatures: inFeatures,
                            memorisationPixels: inPixels,
                            leakageGenerated: AugmentationLeakage.shares(samples.scalars, count: count, channels: c, height: h, width: w),
                            leakageTraining: AugmentationLeakage.shares(trainingImages, count: trainingCount, channels: c, height: h, width: w),
                            seconds: Date().timeIntervalSince(start))
    }

    /// neighbours.png: a row of eight samples over a row of their nearest training images (features).
    private func writeNeighbours(samples: [Float], generated: FeatureSet, training: FeatureSet, trainingImages: [Float]) throws {
        let shape = inputs.train.imageShape, size = shape.reduce(1, *), shown = min(8, generated.count)
        let nearest = Memorisation.nearest(Array(generated.features.prefix(shown * generated.dimension)), count: shown,
                                           in: training.features, trainingCount: training.count, dimension: training.dimension)
        var pixels = Array(samples.prefix(shown * size))
        for (index, _) in nearest { pixels += trainingImages[(index * size)..<((index + 1) * size)] }
        let grid = ImageGrid.make(pixels, count: 2 * shown, channels: shape[0], height: shape[1], width: shape[2], columns: shown)
        try grid.write(to: directory.path("neighbours.png"))
    }
}
