package dev.sketchreal.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.sketchreal.sampling.SchedulerConfig.PredictionType;
import java.util.Arrays;

/**
 * The training noise schedule: betas, alphas and their cumulative product, computed like diffusers
 * (float32 where diffusers uses float32), plus the forward process and the conversions between the
 * three parameterisations (epsilon, v, x0) with one timestep per batch item.
 *
 * <p>Immutable; every method is a pure function of its arguments. Tensor arithmetic is float32 in
 * the same operation order as diffusers, so results agree with it to float32 rounding.
 */
public final class NoiseSchedule {
  private final SchedulerConfig config;
  private final float[] betas;
  private final float[] alphas;
  private final float[] alphasCumprod;

  public NoiseSchedule(SchedulerConfig config) {
    this.config = config;
    int n = config.numTrainTimesteps();
    float[] b;
    if (config.trainedBetas() != null) {
      double[] trained = config.trainedBetas();
      b = new float[n];
      for (int i = 0; i < n; i++) {
        b[i] = (float) trained[i];
      }
    } else {
      b =
          switch (config.betaSchedule()) {
            case LINEAR -> linspace((float) config.betaStart(), (float) config.betaEnd(), n);
            case SCALED_LINEAR -> {
              // torch.linspace(beta_start**0.5, beta_end**0.5, n, dtype=float32) ** 2
              float[] r =
                  linspace(
                      (float) Math.sqrt(config.betaStart()),
                      (float) Math.sqrt(config.betaEnd()),
                      n);
              for (int i = 0; i < n; i++) {
                r[i] = r[i] * r[i];
              }
              yield r;
            }
            case SQUAREDCOS_CAP_V2 -> cosineBetas(n);
          };
    }
    if (config.rescaleBetasZeroSnr()) {
      b = rescaleZeroTerminalSnr(b);
    }
    this.betas = b;
    this.alphas = new float[n];
    for (int i = 0; i < n; i++) {
      alphas[i] = 1f - b[i];
    }
    this.alphasCumprod = cumprod(alphas);
  }

  public SchedulerConfig config() {
    return config;
  }

  public int numTrainTimesteps() {
    return config.numTrainTimesteps();
  }

  public PredictionType predictionType() {
    return config.predictionType();
  }

  /** {@code [T]} betas (a copy). */
  public float[] betas() {
    return betas.clone();
  }

  /** {@code [T]} alphas = 1 - betas (a copy). */
  public float[] alphas() {
    return alphas.clone();
  }

  /** {@code [T]} cumulative products of alphas (a copy). */
  public float[] alphasCumprod() {
    return alphasCumprod.clone();
  }

  /** alphas_cumprod[t]. */
  public float alphaCumprod(int t) {
    checkTimestep(t);
    return alphasCumprod[t];
  }

  void checkTimestep(int t) {
    if (t < 0 || t >= alphasCumprod.length) {
      throw new IllegalArgumentException(
          "timestep " + t + " outside [0, " + alphasCumprod.length + ")");
    }
  }

  // ---- forward process (training) ----

  /**
   * {@code sqrt(ac[t]) * x0 + sqrt(1 - ac[t]) * noise}, one timestep per batch item.
   *
   * @param x0 {@code (B, ...)} clean samples
   * @param noise {@code (B, ...)} Gaussian noise
   * @param timesteps {@code (B)} integer timesteps
   * @return {@code (B, ...)} noisy samples, float32
   */
  public NDArray addNoise(NDArray x0, NDArray noise, NDArray timesteps) {
    return addNoise(x0, noise, toIntArray(timesteps));
  }

  /** {@link #addNoise(NDArray, NDArray, NDArray)} with host timesteps {@code [B]}. */
  public NDArray addNoise(NDArray x0, NDArray noise, int[] timesteps) {
    try (NDArray a = coefficients(x0, timesteps, false);
        NDArray s = coefficients(x0, timesteps, true);
        NDArray ax = a.mul(x0);
        NDArray sn = s.mul(noise)) {
      return ax.add(sn);
    }
  }

  /**
   * The v-prediction target {@code sqrt(ac[t]) * noise - sqrt(1 - ac[t]) * x0}.
   *
   * @return {@code (B, ...)} velocities, float32
   */
  public NDArray velocity(NDArray x0, NDArray noise, NDArray timesteps) {
    return velocity(x0, noise, toIntArray(timesteps));
  }

  /** {@link #velocity(NDArray, NDArray, NDArray)} with host timesteps {@code [B]}. */
  public NDArray velocity(NDArray x0, NDArray noise, int[] timesteps) {
    try (NDArray a = coefficients(x0, timesteps, false);
        NDArray s = coefficients(x0, timesteps, true);
        NDArray an = a.mul(noise);
        NDArray sx = s.mul(x0)) {
      return an.sub(sx);
    }
  }

  /**
   * The regression target of the configured prediction type: noise (epsilon), velocity
   * (v_prediction) or x0 (sample).
   */
  public NDArray trainingTarget(NDArray x0, NDArray noise, int[] timesteps) {
    return switch (config.predictionType()) {
      case EPSILON -> noise.duplicate();
      case V_PREDICTION -> velocity(x0, noise, timesteps);
      case SAMPLE -> x0.duplicate();
    };
  }

  // ---- conversions between parameterisations (one timestep per batch item) ----

  /**
   * x0 estimate from a model output of the configured prediction type (diffusers' {@code
   * pred_original_sample}, no clipping).
   *
   * @param modelOutput {@code (B, ...)}
   * @param sample {@code (B, ...)} x_t
   * @param timesteps {@code [B]}
   */
  public NDArray predictOriginal(NDArray modelOutput, NDArray sample, int[] timesteps) {
    return switch (config.predictionType()) {
      case EPSILON -> originalFromEpsilon(modelOutput, sample, timesteps);
      case V_PREDICTION -> originalFromVelocity(modelOutput, sample, timesteps);
      case SAMPLE -> modelOutput.duplicate();
    };
  }

  /** Noise estimate from a model output of the configured prediction type. */
  public NDArray predictEpsilon(NDArray modelOutput, NDArray sample, int[] timesteps) {
    return switch (config.predictionType()) {
      case EPSILON -> modelOutput.duplicate();
      case V_PREDICTION -> epsilonFromVelocity(modelOutput, sample, timesteps);
      case SAMPLE -> epsilonFromOriginal(modelOutput, sample, timesteps);
    };
  }

  /** {@code (x_t - sqrt(1 - ac) * eps) / sqrt(ac)}. */
  public NDArray originalFromEpsilon(NDArray eps, NDArray sample, int[] timesteps) {
    try (NDArray a = coefficients(sample, timesteps, false);
        NDArray s = coefficients(sample, timesteps, true);
        NDArray se = s.mul(eps);
        NDArray diff = sample.sub(se)) {
      return diff.div(a);
    }
  }

  /** {@code (x_t - sqrt(ac) * x0) / sqrt(1 - ac)}. */
  public NDArray epsilonFromOriginal(NDArray x0, NDArray sample, int[] timesteps) {
    try (NDArray a = coefficients(sample, timesteps, false);
        NDArray s = coefficients(sample, timesteps, true);
        NDArray ax = a.mul(x0);
        NDArray diff = sample.sub(ax)) {
      return diff.div(s);
    }
  }

  /** {@code sqrt(ac) * x_t - sqrt(1 - ac) * v}. */
  public NDArray originalFromVelocity(NDArray v, NDArray sample, int[] timesteps) {
    try (NDArray a = coefficients(sample, timesteps, false);
        NDArray s = coefficients(sample, timesteps, true);
        NDArray ax = a.mul(sample);
        NDArray sv = s.mul(v)) {
      return ax.sub(sv);
    }
  }

  /** {@code sqrt(ac) * v + sqrt(1 - ac) * x_t}. */
  public NDArray epsilonFromVelocity(NDArray v, NDArray sample, int[] timesteps) {
    try (NDArray a = coefficients(sample, timesteps, false);
        NDArray s = coefficients(sample, timesteps, true);
        NDArray av = a.mul(v);
        NDArray sx = s.mul(sample)) {
      return av.add(sx);
    }
  }

  /**
   * Per-item {@code sqrt(ac[t])} (or {@code sqrt(1 - ac[t])} if {@code oneMinus}) shaped {@code (B,
   * 1, ..., 1)} to broadcast against {@code like}; float32 scalars computed as in torch.
   */
  private NDArray coefficients(NDArray like, int[] timesteps, boolean oneMinus) {
    long b = like.getShape().get(0);
    if (timesteps.length != b) {
      throw new IllegalArgumentException(
          timesteps.length + " timesteps for a batch of " + b + " (shape " + like.getShape() + ")");
    }
    float[] c = new float[timesteps.length];
    for (int i = 0; i < c.length; i++) {
      float ac = alphaCumprod(timesteps[i]);
      c[i] = (float) Math.sqrt(oneMinus ? 1f - ac : ac);
    }
    long[] shape = new long[like.getShape().dimension()];
    Arrays.fill(shape, 1);
    shape[0] = b;
    return like.getManager().create(c, new Shape(shape));
  }

  static int[] toIntArray(NDArray timesteps) {
    if (timesteps.getShape().dimension() > 1) {
      throw new IllegalArgumentException("timesteps must be [B], got " + timesteps.getShape());
    }
    if (timesteps.getDataType().isFloating()) {
      throw new IllegalArgumentException(
          "timesteps must be integers, got " + timesteps.getDataType());
    }
    // toType returns the same array when it already is int64: close only a converted copy
    NDArray t = timesteps.toType(DataType.INT64, false);
    long[] l;
    try {
      l = t.toLongArray();
    } finally {
      if (t != timesteps) {
        t.close();
      }
    }
    int[] r = new int[l.length];
    for (int i = 0; i < l.length; i++) {
      r[i] = Math.toIntExact(l[i]);
    }
    return r;
  }

  /** {@code [T]} float32 array of the cumulative products, e.g. for a device-side gather. */
  public NDArray alphasCumprodArray(NDManager manager) {
    return manager.create(alphasCumprod.clone());
  }

  // ---- schedule construction (mirrors torch / diffusers) ----

  /**
   * {@code torch.linspace(start, end, n, dtype=float32)} as computed by the CPU kernel of the
   * reference build (torch 1.13, AVX2): float32 step; the first half counted from the start, the
   * second half from the end; blocks of two 8-lane vectors start at {@code start + step * idx} and
   * add {@code lane * step}, every multiply-add fused (single rounding); a scalar tail. This gives
   * the reference betas bit for bit; other torch builds (torch 2.x dropped the vector path) differ
   * by at most a few ulp.
   */
  static float[] linspace(float start, float end, int n) {
    float[] r = new float[n];
    if (n == 1) {
      r[0] = start;
      return r;
    }
    float step = (end - start) / (float) (n - 1);
    int halfway = n / 2;
    int lanes = 8;
    int idx = 0;
    while (idx + 2 * lanes <= n) {
      for (int v = 0; v < 2; v++) {
        float base = linspaceAt(start, end, step, halfway, n, idx);
        for (int k = 0; k < lanes; k++) {
          r[idx + k] = Math.fma((float) k, step, base);
        }
        idx += lanes;
      }
    }
    for (; idx < n; idx++) {
      r[idx] = linspaceAt(start, end, step, halfway, n, idx);
    }
    return r;
  }

  private static float linspaceAt(float start, float end, float step, int halfway, int n, int i) {
    return i < halfway
        ? Math.fma(step, (float) i, start)
        : Math.fma(-step, (float) (n - i - 1), end);
  }

  /**
   * {@code torch.cumprod} of a float32 vector on CPU: the running product is kept in double
   * (torch's CPU accumulate type for float) and each output rounded to float32.
   */
  static float[] cumprod(float[] x) {
    float[] r = new float[x.length];
    double acc = 1.0;
    for (int i = 0; i < x.length; i++) {
      acc *= x[i];
      r[i] = (float) acc;
    }
    return r;
  }

  /** diffusers' {@code betas_for_alpha_bar} with the cosine transform, max_beta 0.999. */
  static float[] cosineBetas(int n) {
    float[] r = new float[n];
    for (int i = 0; i < n; i++) {
      double t1 = (double) i / n;
      double t2 = (double) (i + 1) / n;
      r[i] = (float) Math.min(1 - alphaBar(t2) / alphaBar(t1), 0.999);
    }
    return r;
  }

  private static double alphaBar(double t) {
    double c = Math.cos((t + 0.008) / 1.008 * Math.PI / 2);
    return c * c;
  }

  /** diffusers' {@code rescale_zero_terminal_snr} (Lin et al. 2023), in float32. */
  static float[] rescaleZeroTerminalSnr(float[] betas) {
    int n = betas.length;
    float[] alphas = new float[n];
    for (int i = 0; i < n; i++) {
      alphas[i] = 1f - betas[i];
    }
    float[] sqrt = cumprod(alphas);
    for (int i = 0; i < n; i++) {
      sqrt[i] = (float) Math.sqrt(sqrt[i]);
    }
    float first = sqrt[0];
    float last = sqrt[n - 1];
    float scale = first / (first - last);
    float[] bar = new float[n];
    for (int i = 0; i < n; i++) {
      float s = (sqrt[i] - last) * scale;
      bar[i] = s * s;
    }
    float[] out = new float[n];
    out[0] = 1f - bar[0];
    for (int i = 1; i < n; i++) {
      out[i] = 1f - bar[i] / bar[i - 1];
    }
    return out;
  }
}
