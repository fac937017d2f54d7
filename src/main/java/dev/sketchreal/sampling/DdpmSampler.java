package dev.sketchreal.sampling;

import ai.djl.ndarray.NDArray;
import dev.sketchreal.sampling.SchedulerConfig.VarianceType;

/**
 * DDPM ancestral sampling exactly like diffusers' {@code DDPMScheduler.step}: posterior mean from
 * the x0 estimate, plus {@code sqrt(variance) * noise} with the noise passed in. Pure: it holds
 * only the schedule. Variance types: fixed_small (default), fixed_small_log, fixed_large.
 */
public final class DdpmSampler {
  private final NoiseSchedule schedule;

  public DdpmSampler(NoiseSchedule schedule) {
    VarianceType v = schedule.config().varianceType();
    if (v != VarianceType.FIXED_SMALL
        && v != VarianceType.FIXED_SMALL_LOG
        && v != VarianceType.FIXED_LARGE) {
      throw new IllegalArgumentException(
          "DDPM variance_type "
              + v
              + " is not supported (use fixed_small, fixed_small_log or"
              + " fixed_large)");
    }
    this.schedule = schedule;
  }

  public DdpmSampler(SchedulerConfig config) {
    this(new NoiseSchedule(config));
  }

  public NoiseSchedule schedule() {
    return schedule;
  }

  public float initNoiseSigma() {
    return 1f;
  }

  /** Inference timesteps, descending; {@code numTrainTimesteps} gives the full chain T-1 .. 0. */
  public int[] timesteps(int numInferenceSteps) {
    return Timesteps.of(schedule.config(), numInferenceSteps);
  }

  public int previousTimestep(int timestep, int numInferenceSteps) {
    return Timesteps.previous(schedule.config(), timestep, numInferenceSteps);
  }

  private float alphaProdPrev(int timestep, int numInferenceSteps) {
    int prev = previousTimestep(timestep, numInferenceSteps);
    return prev >= 0 ? schedule.alphaCumprod(prev) : 1f;
  }

  /**
   * The standard deviation multiplying the noise at this step (0 at t = 0): sqrt of the posterior
   * variance {@code (1 - a_prev) / (1 - a_t) * beta_t}, clamped at 1e-20 (fixed_small), its log-
   * space variant (fixed_small_log), or {@code sqrt(beta_t)} (fixed_large).
   */
  public float noiseScale(int timestep, int numInferenceSteps) {
    if (timestep <= 0) {
      return 0f;
    }
    float alphaProdT = schedule.alphaCumprod(timestep);
    float alphaProdTPrev = alphaProdPrev(timestep, numInferenceSteps);
    float currentBetaT = 1f - alphaProdT / alphaProdTPrev;
    float variance = (1f - alphaProdTPrev) / (1f - alphaProdT) * currentBetaT;
    variance = Math.max(variance, 1e-20f);
    return switch (schedule.config().varianceType()) {
      case FIXED_SMALL -> (float) Math.sqrt(variance);
      case FIXED_SMALL_LOG -> (float) Math.exp(0.5f * (float) Math.log(variance));
      case FIXED_LARGE -> (float) Math.sqrt(currentBetaT);
      default -> throw new IllegalStateException();
    };
  }

  /**
   * One DDPM step from {@code timestep} to {@code timestep - T // numInferenceSteps}.
   *
   * @param modelOutput {@code (B, C, H, W)} prediction (epsilon, v or x0 per config)
   * @param sample {@code (B, C, H, W)} x_t
   * @param noiseOrNull {@code (B, C, H, W)} standard normal noise; required when timestep > 0
   */
  public StepResult step(
      NDArray modelOutput,
      int timestep,
      NDArray sample,
      int numInferenceSteps,
      NDArray noiseOrNull) {
    if (!modelOutput.getShape().equals(sample.getShape())) {
      throw new IllegalArgumentException(
          "model output "
              + modelOutput.getShape()
              + " and sample "
              + sample.getShape()
              + " differ");
    }
    if (timestep > 0 && noiseOrNull == null) {
      throw new IllegalArgumentException(
          "DDPM step at t=" + timestep + " needs a noise tensor (randomness is injected)");
    }
    SchedulerConfig config = schedule.config();
    float alphaProdT = schedule.alphaCumprod(timestep);
    float alphaProdTPrev = alphaProdPrev(timestep, numInferenceSteps);
    float betaProdT = 1f - alphaProdT;
    float betaProdTPrev = 1f - alphaProdTPrev;
    float currentAlphaT = alphaProdT / alphaProdTPrev;
    float currentBetaT = 1f - currentAlphaT;
    float sqrtAlphaProdT = (float) Math.sqrt(alphaProdT);
    float sqrtBetaProdT = (float) Math.sqrt(betaProdT);

    // x0 estimate; (B, C, H, W)
    NDArray predOriginal;
    switch (config.predictionType()) {
      case EPSILON -> {
        try (NDArray se = modelOutput.mul(sqrtBetaProdT);
            NDArray d = sample.sub(se)) {
          predOriginal = d.div(sqrtAlphaProdT);
        }
      }
      case SAMPLE -> predOriginal = modelOutput.duplicate();
      case V_PREDICTION -> {
        try (NDArray ax = sample.mul(sqrtAlphaProdT);
            NDArray bv = modelOutput.mul(sqrtBetaProdT)) {
          predOriginal = ax.sub(bv);
        }
      }
      default -> throw new IllegalStateException();
    }
    if (config.clipSample()) {
      float r = (float) config.clipSampleRange();
      NDArray clipped = predOriginal.clip(-r, r);
      predOriginal.close();
      predOriginal = clipped;
    }

    // posterior mean: coefficients of x0 and x_t (formula 7 of Ho et al.)
    float x0Coeff = ((float) Math.sqrt(alphaProdTPrev) * currentBetaT) / betaProdT;
    float xtCoeff = (float) Math.sqrt(currentAlphaT) * betaProdTPrev / betaProdT;
    NDArray prevSample;
    try (NDArray a = predOriginal.mul(x0Coeff);
        NDArray b = sample.mul(xtCoeff)) {
      prevSample = a.add(b);
    }
    if (timestep > 0) {
      float scale = noiseScale(timestep, numInferenceSteps);
      try (NDArray v = noiseOrNull.mul(scale);
          NDArray old = prevSample) {
        prevSample = old.add(v);
      }
    }
    return new StepResult(prevSample, predOriginal);
  }
}
