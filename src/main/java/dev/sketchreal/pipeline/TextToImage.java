package dev.sketchreal.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.sketchreal.sampling.DdimSampler;
import dev.sketchreal.sampling.Guidance;
import java.util.List;

/**
 * Text to image with classifier-free guidance: encode [negative, prompt], start from seeded noise,
 * DDIM-denoise with the UNet, decode with the VAE. A pure function of the request and the model.
 */
public final class TextToImage {
  private final StableDiffusion model;
  private final Denoiser denoiser;

  public TextToImage(StableDiffusion model) {
    this.model = model;
    this.denoiser = new Denoiser(new DdimSampler(model.schedule()));
  }

  public StableDiffusion model() {
    return model;
  }

  public GeneratedImage generate(
      GenerationRequest request, ProgressListener progress, Cancellation cancellation) {
    return generate(request, progress, cancellation, request.steps());
  }

  /**
   * With {@code decodeAfter} below the request's steps: the image of the sampler's clean-latent
   * estimate after that many steps (a preview; how far the composition is decided by then).
   */
  public GeneratedImage generate(
      GenerationRequest request,
      ProgressListener progress,
      Cancellation cancellation,
      int decodeAfter) {
    checkSize(request);
    dev.sketchreal.runtime.Compute.inferenceOnThisThread();
    try (NDManager manager = model.manager().newSubManager()) {
      NDArray context = encode(request, manager);
      NoisePredictor predictor = guided(context, request.guidanceScale());
      NDArray latent = denoise(request, predictor, manager, progress, cancellation, decodeAfter);
      return decode(latent);
    }
  }

  /**
   * Text conditioning: (2, tokens, D) = [negative, prompt] when guidance is used, else (1, ...).
   */
  public NDArray encode(GenerationRequest request, NDManager manager) {
    List<String> prompts =
        request.usesGuidance()
            ? List.of(request.negativePrompt(), request.prompt())
            : List.of(request.prompt());
    return model.encodePrompts(prompts, manager);
  }

  /**
   * The UNet with classifier-free guidance when the context has twice the latent's rows ([negative
   * rows; prompt rows], as {@link #encode} gives for one image), plain when it has as many.
   */
  public NoisePredictor guided(NDArray context, double scale) {
    return (latent, t, i) -> {
      boolean guided = isGuided(context, latent);
      NDArray input = guided ? Guidance.doubleBatch(latent) : latent;
      NDArray out = model.unet().forward(input, timesteps(input, t), context, null);
      return guided ? Guidance.classifierFree(out, scale) : out;
    };
  }

  /** Whether a context (2B, tokens, D) pairs every latent row (B) with a negative prompt. */
  static boolean isGuided(NDArray context, NDArray latent) {
    return context.getShape().get(0) == 2 * latent.getShape().get(0);
  }

  /** Timestep t for every row of {@code x}: (rows,). */
  static NDArray timesteps(NDArray x, int t) {
    return x.getManager().create(new long[] {t}).repeat(0, x.getShape().get(0));
  }

  /** Seeded initial latent, then the DDIM loop. */
  public NDArray denoise(
      GenerationRequest request,
      NoisePredictor predictor,
      NDManager manager,
      ProgressListener progress,
      Cancellation cancellation) {
    return denoise(request, predictor, manager, progress, cancellation, request.steps());
  }

  /**
   * The loop's first {@code decodeAfter} steps: the final latent when that is every step, else the
   * sampler's clean-latent (x0) estimate at that point (see {@link Denoiser#estimateAfter}).
   */
  public NDArray denoise(
      GenerationRequest request,
      NoisePredictor predictor,
      NDManager manager,
      ProgressListener progress,
      Cancellation cancellation,
      int decodeAfter) {
    int f = model.vaeScaleFactor();
    int channels = model.unet().config().inChannels();
    GaussianNoise noise = new GaussianNoise(request.seed());
    Shape shape = new Shape(1, channels, request.height() / f, request.width() / f);
    NDArray latent = noise.next(manager, shape).mul(denoiser.sampler().initNoiseSigma());
    if (decodeAfter != request.steps()) {
      return denoiser.estimateAfter(
          latent,
          request.steps(),
          decodeAfter,
          request.eta(),
          noise,
          predictor,
          progress,
          cancellation);
    }
    return denoiser.run(
        latent, request.steps(), request.eta(), noise, predictor, progress, cancellation);
  }

  /** latent / scaling factor → VAE decoder → [0, 1]; fails on non-finite output. */
  public GeneratedImage decode(NDArray latent) {
    NDArray image = model.vae().decode(latent.div((float) model.vae().scalingFactor()));
    float[] pixels = image.div(2).add(0.5f).clip(0f, 1f).toFloatArray();
    for (float v : pixels) { // clip keeps NaN
      if (!Float.isFinite(v)) {
        throw new IllegalStateException(
            "the model produced non-finite values (NaN/Inf): the weights may be corrupt");
      }
    }
    Shape s = image.getShape();
    return new GeneratedImage(pixels, (int) s.get(3), (int) s.get(2));
  }

  private void checkSize(GenerationRequest request) {
    int f = model.vaeScaleFactor();
    if (request.width() % f != 0 || request.height() % f != 0) {
      throw new IllegalArgumentException(
          "width and height must be multiples of "
              + f
              + " for this model, got "
              + request.width()
              + "x"
              + request.height());
    }
  }
}
