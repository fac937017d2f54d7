package dev.sketchreal.sampling;

import ai.djl.ndarray.NDArray;

/**
 * DDIM (Song et al. 2021) exactly like diffusers' {@code DDIMScheduler.step}, as a pure function:
 * the sampler holds only the noise schedule, a step depends only on its arguments, randomness (for
 * eta > 0) is passed in. All arithmetic is float32 in diffusers' operation order.
 *
 * <pre>{@code
 * int[] ts = ddim.timesteps(steps);
 * for (int t : ts) {
 *   NDArray out = model(x, t);                    // (B, C, H, W)
 *   x = ddim.step(out, t, x, steps, 0, null).prevSample();
 * }
 * }</pre>
 */
public final class DdimSampler {
  private final NoiseSchedule schedule;
  private final float finalAlphaCumprod;

  public DdimSampler(NoiseSchedule schedule) {
    this.schedule = schedule;
    // set_alpha_to_one=false: the last step uses alphas_cumprod[0] as the "previous" alpha
    this.finalAlphaCumprod = schedule.config().setAlphaToOne() ? 1f : schedule.alphaCumprod(0);
  }

  public DdimSampler(SchedulerConfig config) {
    this(new NoiseSchedule(config));
  }

  public NoiseSchedule schedule() {
    return schedule;
  }

  /** Standard deviation of the initial noise (1 for DDIM). */
  public float initNoiseSigma() {
    return 1f;
  }

  /** Inference timesteps, descending (e.g. 981, 961, ..., 1 for 50 leading steps, offset 1). */
  public int[] timesteps(int numInferenceSteps) {
    return Timesteps.of(schedule.config(), numInferenceSteps);
  }

  /** {@code t - T // N}. */
  public int previousTimestep(int timestep, int numInferenceSteps) {
    return Timesteps.previous(schedule.config(), timestep, numInferenceSteps);
  }

  /** alphas_cumprod of the step's target: {@code ac[prev]}, or the final alpha if prev < 0. */
  public float alphaCumprodPrev(int timestep, int numInferenceSteps) {
    int prev = previousTimestep(timestep, numInferenceSteps);
    return prev >= 0 ? schedule.alphaCumprod(prev) : finalAlphaCumprod;
  }

  /** DDIM variance {@code sigma_t^2 / eta^2 = (1 - a_prev) / (1 - a_t) * (1 - a_t / a_prev)}. */
  public float variance(int timestep, int numInferenceSteps) {
    float alphaProdT = schedule.alphaCumprod(timestep);
    float alphaProdTPrev = alphaCumprodPrev(timestep, numInferenceSteps);
    float betaProdT = 1f - alphaProdT;
    float betaProdTPrev = 1f - alphaProdTPrev;
    return (betaProdTPrev / betaProdT) * (1f - alphaProdT / alphaProdTPrev);
  }

  /** {@link #step(NDArray, int, NDArray, int, double, NDArray, boolean)} without clipped output. */
  public StepResult step(
      NDArray modelOutput,
      int timestep,
      NDArray sample,
      int numInferenceSteps,
      double eta,
      NDArray noiseOrNull) {
    return step(modelOutput, timestep, sample, numInferenceSteps, eta, noiseOrNull, false);
  }

  /**
   * One DDIM step from {@code timestep} to {@code timestep - T // numInferenceSteps}.
   *
   * @param modelOutput {@code (B, C, H, W)} model prediction (epsilon, v or x0 per config)
   * @param timestep current timestep t
   * @param sample {@code (B, C, H, W)} x_t
   * @param numInferenceSteps N of the timestep sequence in use
   * @param eta 0 = deterministic DDIM, 1 = DDPM-like variance
   * @param noiseOrNull {@code (B, C, H, W)} standard normal noise, required when eta > 0
   * @param useClippedModelOutput re-derive epsilon from the (clipped) x0, as diffusers' flag
   * @return x_{t-1} and the x0 estimate
   */
  public StepResult step(
      NDArray modelOutput,
      int timestep,
      NDArray sample,
      int numInferenceSteps,
      double eta,
      NDArray noiseOrNull,
      boolean useClippedModelOutput) {
    if (!modelOutput.getShape().equals(sample.getShape())) {
      throw new IllegalArgumentException(
          "model output "
              + modelOutput.getShape()
              + " and sample "
              + sample.getShape()
              + " differ");
    }
    if (eta < 0) {
      throw new IllegalArgumentException("eta must be >= 0, got " + eta);
    }
    if (eta > 0 && noiseOrNull == null) {
      throw new IllegalArgumentException("eta > 0 needs a noise tensor (randomness is injected)");
    }
    if (noiseOrNull != null && !noiseOrNull.getShape().equals(sample.getShape())) {
      throw new IllegalArgumentException(
          "noise " + noiseOrNull.getShape() + " does not match sample " + sample.getShape());
    }
    SchedulerConfig config = schedule.config();
    // 1. alphas and betas (float32 scalars, like diffusers' 0-dim tensors)
    float alphaProdT = schedule.alphaCumprod(timestep);
    float alphaProdTPrev = alphaCumprodPrev(timestep, numInferenceSteps);
    float betaProdT = 1f - alphaProdT;
    float sqrtAlphaProdT = (float) Math.sqrt(alphaProdT);
    float sqrtBetaProdT = (float) Math.sqrt(betaProdT);

    // 2. x0 and epsilon from the model output; (B, C, H, W)
    NDArray predOriginal;
    NDArray predEpsilon;
    switch (config.predictionType()) {
      case EPSILON -> {
        try (NDArray se = modelOutput.mul(sqrtBetaProdT);
            NDArray d = sample.sub(se)) {
          predOriginal = d.div(sqrtAlphaProdT);
        }
        predEpsilon = modelOutput.duplicate();
      }
      case SAMPLE -> {
        predOriginal = modelOutput.duplicate();
        try (NDArray ax = predOriginal.mul(sqrtAlphaProdT);
            NDArray d = sample.sub(ax)) {
          predEpsilon = d.div(sqrtBetaProdT);
        }
      }
      case V_PREDICTION -> {
        try (NDArray ax = sample.mul(sqrtAlphaProdT);
            NDArray bv = modelOutput.mul(sqrtBetaProdT)) {
          predOriginal = ax.sub(bv);
        }
        try (NDArray av = modelOutput.mul(sqrtAlphaProdT);
            NDArray bx = sample.mul(sqrtBetaProdT)) {
          predEpsilon = av.add(bx);
        }
      }
      default -> throw new IllegalStateException();
    }

    // 3. clipping of x0
    if (config.clipSample()) {
      float r = (float) config.clipSampleRange();
      NDArray clipped = predOriginal.clip(-r, r);
      predOriginal.close();
      predOriginal = clipped;
    }

    // 4. variance and sigma_t = eta * sqrt(variance)
    float variance = variance(timestep, numInferenceSteps);
    float stdDevT = (float) eta * (float) Math.sqrt(variance);

    if (useClippedModelOutput) {
      predEpsilon.close();
      try (NDArray ax = predOriginal.mul(sqrtAlphaProdT);
          NDArray d = sample.sub(ax)) {
        predEpsilon = d.div(sqrtBetaProdT);
      }
    }

    // 5. direction pointing to x_t, 6. x_{t-1}
    float directionCoeff = (float) Math.sqrt(1f - alphaProdTPrev - stdDevT * stdDevT);
    NDArray prevSample;
    try (NDArray direction = predEpsilon.mul(directionCoeff);
        NDArray scaledX0 = predOriginal.mul((float) Math.sqrt(alphaProdTPrev))) {
      prevSample = scaledX0.add(direction);
    } finally {
      predEpsilon.close();
    }
    if (eta > 0) {
      try (NDArray v = noiseOrNull.mul(stdDevT);
          NDArray old = prevSample) {
        prevSample = old.add(v);
      }
    }
    return new StepResult(prevSample, predOriginal);
  }
}
