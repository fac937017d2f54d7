package dev.sketchreal.sketch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.sketchreal.model.unet.UNet2DConditionModel;
import dev.sketchreal.sampling.Guidance;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One batch of SketchingReality training, written out in the order of the method:
 *
 * <ol>
 *   <li>z_t = sqrt(ᾱ_t)·z0 + sqrt(1−ᾱ_t)·noise, t ∈ [0.9·T, T)
 *   <li>eps = unet(z_t, t, c_text), detached (frozen backbone, no gradient through it); with
 *       training guidance w > 1 the guided eps_u + w·(eps_c − eps_u)
 *   <li>(S, B) = modulator(sketch, z_t, eps, t); eps' = eps ⊙ (1 + S) + B
 *   <li>ẑ0 from eps'; L_noise(eps', target) on synthetic samples (or on ẑ0, or the implied v)
 *   <li>L_attn: the frozen UNet on ẑ0 at t_attn, recorded cross-attention against the regions
 *   <li>‖S‖₁ + ‖B‖₁ and L_var; total with the config's λs
 * </ol>
 *
 * Everything a caller differentiates comes back in {@link LossTerms}; call it inside a gradient
 * collector and back-propagate {@code total}.
 */
public final class SketchingRealityObjective {
  private final UNet2DConditionModel unet;
  private final SketchModulator modulator;
  private final Parameterization parameterization;
  private final float[] alphasCumprod;

  /**
   * @param unet the frozen backbone (its parameters should be {@code setTrainable(false)})
   * @param alphasCumprod ᾱ_0 … ᾱ_{T−1} of the training schedule
   */
  public SketchingRealityObjective(
      UNet2DConditionModel unet,
      SketchModulator modulator,
      Parameterization parameterization,
      float[] alphasCumprod) {
    this.unet = unet;
    this.modulator = modulator;
    this.parameterization = parameterization;
    this.alphasCumprod = alphasCumprod.clone();
  }

  /**
   * One training batch.
   *
   * @param sketch the modulator's sketch input (see {@link SketchModulator#forward})
   * @param z0 clean latents (B, C, h, w) (VAE mean × scaling factor)
   * @param noise N(0, 1) noise (B, C, h, w)
   * @param timesteps per sample, in [0, T)
   * @param textContext (B, tokens, D) text hidden states of the prompts
   * @param isSynthetic per sample: pixel-aligned synthetic sketch (L_noise applies) or hand-drawn
   * @param regions per sample, its token regions at latent resolution
   * @param unconditionalContext (B, tokens, D) hidden states of the empty prompt, needed when the
   *     config's {@code training_guidance} is above 1 (else null)
   */
  public record Batch(
      NDArray sketch,
      NDArray z0,
      NDArray noise,
      int[] timesteps,
      NDArray textContext,
      boolean[] isSynthetic,
      List<List<TokenRegion>> regions,
      NDArray unconditionalContext) {

    /** The same batch with the empty prompt's context (for training guidance above 1). */
    public Batch withUnconditionalContext(NDArray context) {
      return new Batch(sketch, z0, noise, timesteps, textContext, isSynthetic, regions, context);
    }
  }

  /** The loss terms of one batch; arrays live in {@code z0}'s manager. */
  public LossTerms compute(Batch batch) {
    ModulationConfig config = modulator.config();
    NDManager m = batch.z0().getManager();
    NDArray alphaBar = Parameterization.alphaBar(alphasCumprod, batch.timesteps(), m);
    NDArray t = m.create(batch.timesteps());
    NDArray zt = Parameterization.addNoise(batch.z0(), batch.noise(), alphaBar);
    NDArray eps = prediction(batch, zt, t, config.trainingGuidance());
    Modulation mod = modulator.forward(batch.sketch(), zt, eps, t, batch.textContext());
    NDArray modulated = mod.apply(eps);
    NDArray z0hat = parameterization.z0Hat(zt, modulated, alphaBar);
    ModulationConfig.NoiseLoss space = config.noiseLoss();
    NDArray target = lossTarget(space, zt, batch.z0(), batch.noise(), alphaBar);
    double globalWeight = config.noiseGlobalWeight();
    NDArray noiseLoss =
        SketchingRealityLoss.noise(
            lossEstimate(space, zt, modulated, z0hat, alphaBar),
            target,
            batch.isSynthetic(),
            globalWeight);
    NDArray backboneZ0hat = parameterization.z0Hat(zt, eps, alphaBar);
    NDArray backbone = lossEstimate(space, zt, eps, backboneZ0hat, alphaBar);
    NDArray attn =
        config.lambdaAttn() > 0
            ? AttentionLoss.compute(unet, z0hat, batch.textContext(), batch.regions(), config)
            : m.create(0f);
    return SketchingRealityLoss.total(
        noiseLoss,
        attn,
        SketchingRealityLoss.l1(mod),
        SketchingRealityLoss.variance(mod, config.varCeiling()),
        SketchingRealityLoss.noise(backbone, target, batch.isSynthetic(), globalWeight),
        config);
  }

  // What L_noise regresses onto, in the config's space: the parameterization's target (noise or
  // v), z0, or the true velocity.
  private NDArray lossTarget(
      ModulationConfig.NoiseLoss space, NDArray zt, NDArray z0, NDArray noise, NDArray alphaBar) {
    return switch (space) {
      case PREDICTION -> parameterization.target(z0, noise, alphaBar);
      case X0 -> z0;
      case V -> Parameterization.velocity(zt, z0, alphaBar);
    };
  }

  // A (modulated or plain) prediction and its ẑ0, in the same space as lossTarget.
  private static NDArray lossEstimate(
      ModulationConfig.NoiseLoss space,
      NDArray zt,
      NDArray prediction,
      NDArray z0hat,
      NDArray alphaBar) {
    return switch (space) {
      case PREDICTION -> prediction;
      case X0 -> z0hat;
      case V -> Parameterization.velocity(zt, z0hat, alphaBar);
    };
  }

  // The frozen backbone's eps (B, C, h, w) at z_t, guided with w > 1 (one UNet pass on the
  // batch [uncond; cond], as sampling does); never differentiated.
  private NDArray prediction(Batch batch, NDArray zt, NDArray t, double guidance) {
    if (guidance <= 1) {
      return unet.forward(zt, t, batch.textContext()).stopGradient();
    }
    if (batch.unconditionalContext() == null) {
      throw new IllegalArgumentException(
          "training_guidance " + guidance + " needs the batch's unconditional context");
    }
    NDArray contexts = batch.unconditionalContext().concat(batch.textContext(), 0);
    NDArray both =
        unet.forward(Guidance.doubleBatch(zt), Guidance.doubleBatch(t), contexts).stopGradient();
    return Guidance.classifierFree(both, guidance);
  }

  /**
   * Training timesteps, uniform over the modulated range [first modulated timestep, T).
   *
   * @param numTrainTimesteps T (1000)
   */
  public static int[] sampleTimesteps(
      SplittableRandom random, int batch, int numTrainTimesteps, ModulationConfig config) {
    int first = config.firstModulatedTimestep(numTrainTimesteps);
    int[] t = new int[batch];
    for (int i = 0; i < batch; i++) {
      t[i] = random.nextInt(first, numTrainTimesteps);
    }
    return t;
  }
}
