package dev.sketchreal.sampling;

import dev.sketchreal.sampling.SchedulerConfig.TimestepSpacing;

/** Inference timesteps of diffusers' DDIM/DDPM {@code set_timesteps} (descending). */
public final class Timesteps {
  private Timesteps() {}

  /**
   * The {@code numInferenceSteps} timesteps for the config's spacing, descending:
   *
   * <ul>
   *   <li>leading: {@code (N-1 .. 0) * (T // N) + steps_offset}
   *   <li>trailing: {@code round(arange(T, 0, -T / N)) - 1}
   *   <li>linspace: {@code round(linspace(0, T - 1, N))} reversed
   * </ul>
   */
  public static int[] of(SchedulerConfig config, int numInferenceSteps) {
    int trainSteps = config.numTrainTimesteps();
    if (numInferenceSteps <= 0 || numInferenceSteps > trainSteps) {
      throw new IllegalArgumentException(
          "num_inference_steps must be in [1, "
              + trainSteps
              + "] (num_train_timesteps), got "
              + numInferenceSteps);
    }
    int n = numInferenceSteps;
    int[] t = new int[n];
    TimestepSpacing spacing = config.timestepSpacing();
    switch (spacing) {
      case LEADING -> {
        int ratio = trainSteps / n;
        for (int i = 0; i < n; i++) {
          t[i] = (n - 1 - i) * ratio + config.stepsOffset();
        }
      }
      case TRAILING -> {
        // numpy arange(T, 0, -ratio): length ceil(T / ratio), values T + i * delta
        double ratio = (double) trainSteps / n;
        double start = trainSteps;
        double delta = (start - ratio) - start;
        int len = (int) Math.ceil((0 - start) / -ratio);
        if (len != n) {
          t = new int[len];
        }
        for (int i = 0; i < len; i++) {
          t[i] = (int) Math.rint(start + i * delta) - 1;
        }
      }
      case LINSPACE -> {
        // numpy linspace(0, T-1, N): i * step + 0, the last value exactly T-1; round half-even
        double stop = trainSteps - 1;
        double step = n > 1 ? stop / (n - 1) : 0;
        for (int i = 0; i < n; i++) {
          double v = (n > 1 && i == n - 1) ? stop : i * step;
          t[n - 1 - i] = (int) Math.rint(v);
        }
      }
    }
    for (int v : t) {
      if (v < 0 || v >= trainSteps) {
        throw new IllegalArgumentException(
            "timestep "
                + v
                + " of "
                + spacing
                + " spacing with steps_offset "
                + config.stepsOffset()
                + " is outside [0, "
                + trainSteps
                + ")");
      }
    }
    return t;
  }

  /**
   * diffusers' previous timestep: {@code t - T // N} (for every spacing, as DDIMScheduler and
   * DDPMScheduler compute it); negative means "before the first training step".
   */
  public static int previous(SchedulerConfig config, int timestep, int numInferenceSteps) {
    return timestep - config.numTrainTimesteps() / numInferenceSteps;
  }
}
