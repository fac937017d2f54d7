package dev.sketchreal.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.sketchreal.sketch.ModulatedGuidance;
import dev.sketchreal.sketch.ModulationConfig;

/**
 * Sketch + prompt to image (SketchingReality): the text-to-image loop, except that for the noisiest
 * steps (timestep ≥ (1 − modulation_fraction)·T) the backbone's prediction is modulated, {@code
 * eps' = eps ⊙ (1 + s·S) + s·B}, with S, B from the modulation network given the sketch, z_t and
 * eps (s = sketch strength). Where modulation sits relative to classifier-free guidance is {@link
 * ModulationConfig#guidancePlacement()}. Afterwards the plain backbone runs. Works for epsilon and
 * v backbones alike (the modulated quantity is the model's raw output).
 */
public final class SketchToImage {
  private final SketchingRealityModel model;
  private final TextToImage text;

  public SketchToImage(SketchingRealityModel model) {
    this.model = model;
    this.text = new TextToImage(model.backbone());
  }

  /**
   * @param strokes (1, 1, H, W) stroke map in [0, 1] (strokes = 1), any size
   * @param settings sketch strength and modulation fraction for this generation
   */
  public GeneratedImage generate(
      GenerationRequest request,
      NDArray strokes,
      SketchSettings settings,
      ProgressListener progress,
      Cancellation cancellation) {
    return generate(request, strokes, settings, progress, cancellation, request.steps());
  }

  /**
   * With {@code decodeAfter} below the request's steps: the image of the sampler's clean-latent
   * estimate after that many steps (see {@link TextToImage#generate(GenerationRequest,
   * ProgressListener, Cancellation, int)}).
   */
  public GeneratedImage generate(
      GenerationRequest request,
      NDArray strokes,
      SketchSettings settings,
      ProgressListener progress,
      Cancellation cancellation,
      int decodeAfter) {
    ModulationConfig config = settings.applyTo(model.modulator().config());
    dev.sketchreal.runtime.Compute.inferenceOnThisThread();
    try (NDManager manager = model.backbone().manager().newSubManager()) {
      NDArray context = text.encode(request, manager);
      NDArray sketchInput =
          model.conditioner().condition(strokes.toDevice(manager.getDevice(), false));
      sketchInput.attach(manager);
      NoisePredictor predictor = predictor(context, sketchInput, request.guidanceScale(), config);
      NDArray latent =
          text.denoise(request, predictor, manager, progress, cancellation, decodeAfter);
      return text.decode(latent);
    }
  }

  /** Modulated (guided) prediction for t ≥ threshold, plain guided prediction after. */
  NoisePredictor predictor(
      NDArray context, NDArray sketchInput, double guidanceScale, ModulationConfig config) {
    int trainSteps = model.backbone().schedule().numTrainTimesteps();
    NoisePredictor plain = text.guided(context, guidanceScale);
    return (latent, t, i) -> {
      if (!config.modulates(t, trainSteps)) {
        return plain.predict(latent, t, i);
      }
      long batch = context.getShape().get(0);
      NDArray input = batch == 2 ? latent.concat(latent, 0) : latent;
      NDArray timesteps = latent.getManager().create(new long[] {t}).repeat(0, batch);
      NDArray out = model.backbone().unet().forward(input, timesteps, context, null);
      NDArray tOne = latent.getManager().create(new long[] {t});
      ModulatedGuidance.ModulatorCall call =
          eps -> model.modulator().forward(sketchInput, latent, eps, tOne);
      if (batch == 2) {
        NDList halves = out.split(2, 0);
        return ModulatedGuidance.predict(halves.get(0), halves.get(1), guidanceScale, config, call);
      }
      return ModulatedGuidance.predict(null, out, guidanceScale, config, call);
    };
  }

  /** Per-generation sketch settings (null = the model's configured value). */
  public record SketchSettings(
      Double strength,
      Double modulationFraction,
      Boolean spatialOnly,
      ModulationConfig.GuidancePlacement guidancePlacement) {
    public static final SketchSettings DEFAULT = new SketchSettings(null, null, null, null);

    public SketchSettings(Double strength, Double modulationFraction, Boolean spatialOnly) {
      this(strength, modulationFraction, spatialOnly, null);
    }

    ModulationConfig applyTo(ModulationConfig config) {
      ModulationConfig.Builder b = config.toBuilder();
      if (strength != null) {
        b.sketchStrength(strength);
      }
      if (modulationFraction != null) {
        b.modulationFraction(modulationFraction);
      }
      if (spatialOnly != null) {
        b.spatialOnly(spatialOnly);
      }
      if (guidancePlacement != null) {
        b.guidancePlacement(guidancePlacement);
      }
      return b.build();
    }
  }
}
