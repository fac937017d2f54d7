package dev.sketchreal.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.sketchreal.sampling.Guidance;
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

  /**
   * Modulated (guided) prediction for t ≥ threshold, plain guided prediction after. Batched: the
   * latent (B, C, h, w) goes with a sketch input of B rows and a context of B rows (no guidance) or
   * 2B rows ([negative rows; prompt rows]) — one image in generation, a training batch in {@code
   * SamplerRollout}.
   */
  public NoisePredictor predictor(
      NDArray context, NDArray sketchInput, double guidanceScale, ModulationConfig config) {
    int trainSteps = model.backbone().schedule().numTrainTimesteps();
    NoisePredictor plain = text.guided(context, guidanceScale);
    return (latent, t, i) -> {
      if (!config.modulates(t, trainSteps)) {
        return plain.predict(latent, t, i);
      }
      boolean guided = TextToImage.isGuided(context, latent);
      NDArray input = guided ? Guidance.doubleBatch(latent) : latent;
      NDArray out =
          model.backbone().unet().forward(input, TextToImage.timesteps(input, t), context, null);
      NDArray rowTimesteps = TextToImage.timesteps(latent, t);
      NDArray prompts = guided ? context.get(latent.getShape().get(0) + ":") : context;
      ModulatedGuidance.ModulatorCall call =
          eps -> model.modulator().forward(sketchInput, latent, eps, rowTimesteps, prompts);
      if (guided) {
        Guidance.Halves halves = Guidance.split(out);
        return ModulatedGuidance.predict(
            halves.uncond(), halves.cond(), guidanceScale, config, call);
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
