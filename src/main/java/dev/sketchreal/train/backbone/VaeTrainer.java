package dev.sketchreal.train.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sketchreal.io.Json;
import dev.sketchreal.model.vae.AutoencoderKL;
import dev.sketchreal.nn.Scalars;
import dev.sketchreal.runtime.Compute;
import dev.sketchreal.train.AdamW;
import dev.sketchreal.train.TrainingRun;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Trains a diffusers AutoencoderKL from scratch on photos: reconstruction (L1 + L2 + an edge term
 * on image gradients) plus a small KL to N(0, 1); float32. The output is {@code <out>/vae/} with
 * the measured {@code scaling_factor} (1 / std of the latent means over training photos).
 */
public final class VaeTrainer implements AutoCloseable {
  public static final String COMPONENT = "vae";
  private final VaeTrainConfig config;
  private final PhotoCaptionSet data;
  private final PhotoCaptionSet eval;
  private final NDManager manager;
  private final AutoencoderKL vae;
  private final AdamW optimizer;
  private final Map<String, Double> lastMetrics = new LinkedHashMap<>();

  /**
   * @param eval held-out photos for the PSNR report (may be null)
   */
  public VaeTrainer(VaeTrainConfig config, PhotoCaptionSet data, PhotoCaptionSet eval)
      throws IOException {
    this.config = config;
    this.data = data;
    this.eval = eval;
    if (data.imageSize() != config.imageSize()) {
      throw new IllegalArgumentException("photos are not at image_size " + config.imageSize());
    }
    this.manager = Compute.newManager();
    try {
      this.vae = createModel(config, manager);
    } catch (IOException | RuntimeException e) {
      manager.close();
      throw e;
    }
    int f = vae.config().downsampleFactor();
    if (config.cropSize() % f != 0) {
      manager.close();
      throw new IllegalArgumentException("crop_size must be a multiple of " + f);
    }
    this.optimizer =
        new AdamW(
            manager,
            List.of(AdamW.Group.of("vae", vae, config.learningRate(), config.weightDecay())));
  }

  // Random weights from `model`, or init_from's weights; decoder_only leaves the encoder frozen.
  private static AutoencoderKL createModel(VaeTrainConfig config, NDManager manager)
      throws IOException {
    if (config.initFrom() == null) {
      AutoencoderKL vae = new AutoencoderKL(config.vaeConfig());
      vae.initialize(manager, new SplittableRandom(config.seed()));
      vae.setTrainable(true);
      return vae;
    }
    AutoencoderKL vae = AutoencoderKL.load(Path.of(config.initFrom()), manager);
    vae.namedParameters()
        .forEach((name, p) -> p.setTrainable(!config.decoderOnly() || isDecoderSide(name)));
    return vae;
  }

  /** Parameters that act after the latent: the decoder and post_quant_conv. */
  static boolean isDecoderSide(String parameterName) {
    return parameterName.startsWith("decoder.") || parameterName.startsWith("post_quant_conv.");
  }

  public AutoencoderKL model() {
    return vae;
  }

  public AdamW optimizer() {
    return optimizer;
  }

  /** The losses of one step (the Trainer's step function). */
  public Map<String, NDArray> step(long step, SplittableRandom random, NDManager m) {
    int b = config.batchSize();
    int c = config.cropSize();
    int s = data.imageSize();
    float[] x = new float[b * 3 * c * c];
    for (int k = 0; k < b; k++) {
      int i = random.nextInt(data.size());
      int ox = c < s ? random.nextInt(s - c + 1) : 0;
      int oy = c < s ? random.nextInt(s - c + 1) : 0;
      float[] crop = data.crop(i, ox, oy, c);
      if (random.nextBoolean()) {
        flipHorizontally(crop, c);
      }
      System.arraycopy(crop, 0, x, k * crop.length, crop.length);
    }
    NDArray img = m.create(x, new Shape(b, 3, c, c));
    AutoencoderKL.Posterior post = vae.encode(img);
    if (config.decoderOnly()) {
      post = new AutoencoderKL.Posterior(post.mean().stopGradient(), post.logvar().stopGradient());
    }
    NDArray noise = Gaussian.array(m, random, post.mean().getShape().getShape());
    NDArray rec = vae.decode(post.sample(noise));
    NDArray diff = rec.sub(img);
    NDArray l1 = diff.abs().mean();
    NDArray l2 = diff.square().mean();
    NDArray edge = edgeLoss(rec, img);
    NDArray kl =
        Scalars.mul(
            post.mean().square().add(post.logvar().exp()).sub(1f).sub(post.logvar()).mean(), 0.5f);
    NDArray total =
        Scalars.mul(l1, (float) config.l1Weight())
            .add(Scalars.mul(l2, (float) config.l2Weight()))
            .add(Scalars.mul(edge, (float) config.edgeWeight()));
    if (!config.decoderOnly()) { // with a frozen encoder the KL is a constant
      total = total.add(Scalars.mul(kl, (float) config.klWeight()));
    }
    Map<String, NDArray> out = new LinkedHashMap<>();
    out.put("total", total);
    out.put("l1", l1);
    out.put("l2", l2);
    out.put("edge", edge);
    out.put("kl", kl);
    return out;
  }

  /** Mean |∂x̂ − ∂x| over horizontal and vertical neighbour differences. */
  static NDArray edgeLoss(NDArray rec, NDArray img) {
    NDArray dxr = rec.get(new NDIndex(":, :, :, 1:")).sub(rec.get(new NDIndex(":, :, :, :-1")));
    NDArray dxi = img.get(new NDIndex(":, :, :, 1:")).sub(img.get(new NDIndex(":, :, :, :-1")));
    NDArray dyr = rec.get(new NDIndex(":, :, 1:, :")).sub(rec.get(new NDIndex(":, :, :-1, :")));
    NDArray dyi = img.get(new NDIndex(":, :, 1:, :")).sub(img.get(new NDIndex(":, :, :-1, :")));
    return Scalars.mul(dxr.sub(dxi).abs().mean().add(dyr.sub(dyi).abs().mean()), 0.5f);
  }

  private static void flipHorizontally(float[] chw, int c) {
    for (int ch = 0; ch < 3; ch++) {
      for (int r = 0; r < c; r++) {
        int base = ch * c * c + r * c;
        for (int k = 0; k < c / 2; k++) {
          float t = chw[base + k];
          chw[base + k] = chw[base + c - 1 - k];
          chw[base + c - 1 - k] = t;
        }
      }
    }
  }

  /** Trains (or resumes) and exports {@code <out>/vae/} after every chunk. */
  public long train(Path out, Path runDir, boolean resume, boolean progress, PrintStream log)
      throws IOException {
    return TrainingRun.run(
        manager,
        optimizer,
        this::step,
        runDir,
        Json.mapper().valueToTree(config),
        config.settings(),
        resume,
        progress,
        (step, entries) -> export(out, step, log),
        log);
  }

  /**
   * Writes {@code <out>/vae/} with the measured scaling factor (decoder_only: the source's, since
   * the latent space is unchanged); returns the metrics.
   */
  public Map<String, Double> export(Path out, long step, PrintStream log) throws IOException {
    double scaling = config.decoderOnly() ? vae.scalingFactor() : measureScalingFactor();
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("scaling_factor", scaling);
    if (eval != null) {
      metrics.put("eval_psnr_db", evalPsnr());
    }
    ObjectNode json = Json.mapper().valueToTree(vae.config());
    json.put("_class_name", "AutoencoderKL");
    json.put("_diffusers_version", Components.DIFFUSERS_VERSION);
    json.put("scaling_factor", scaling);
    json.put("sample_size", config.imageSize());
    Components.write(
        out.resolve(COMPONENT),
        json,
        "diffusion_pytorch_model.safetensors",
        vae.namedParameters(),
        k -> true,
        config.fp16());
    Components.updateModelIndex(out, COMPONENT, "diffusers", "AutoencoderKL");
    ObjectNode report = Json.mapper().createObjectNode();
    report.put("step", step);
    metrics.forEach(report::put);
    Json.writeAtomically(out.resolve(COMPONENT).resolve("training_metrics.json"), report);
    lastMetrics.clear();
    lastMetrics.putAll(metrics);
    log.println("vae: exported step " + step + " " + metrics);
    return metrics;
  }

  public Map<String, Double> lastMetrics() {
    return lastMetrics;
  }

  private double measureScalingFactor() {
    int n = Math.min(Math.max(1, config.scalingSamples()), data.size());
    double sum = 0;
    double sumSq = 0;
    long count = 0;
    int s = data.imageSize();
    try (NDManager m = manager.newSubManager()) {
      for (int start = 0; start < n; start += 16) {
        int b = Math.min(16, n - start);
        try (NDManager bm = m.newSubManager()) {
          float[] x = new float[b * 3 * s * s];
          for (int k = 0; k < b; k++) {
            // spread over the set deterministically
            int i = (int) ((long) (start + k) * data.size() / n);
            System.arraycopy(data.photo(i), 0, x, k * 3 * s * s, 3 * s * s);
          }
          float[] mean = vae.encode(bm.create(x, new Shape(b, 3, s, s))).mean().toFloatArray();
          for (float v : mean) {
            sum += v;
            sumSq += (double) v * v;
          }
          count += mean.length;
        }
      }
    }
    double mu = sum / count;
    double std = Math.sqrt(Math.max(1e-12, sumSq / count - mu * mu));
    return 1.0 / std;
  }

  private double evalPsnr() {
    int s = eval.imageSize();
    int n = Math.min(config.evalSamples() <= 0 ? 64 : config.evalSamples(), eval.size());
    double mseSum = 0;
    try (NDManager m = manager.newSubManager()) {
      for (int start = 0; start < n; start += 16) {
        int b = Math.min(16, n - start);
        try (NDManager bm = m.newSubManager()) {
          float[] x = new float[b * 3 * s * s];
          for (int k = 0; k < b; k++) {
            System.arraycopy(eval.photo(start + k), 0, x, k * 3 * s * s, 3 * s * s);
          }
          NDArray img = bm.create(x, new Shape(b, 3, s, s));
          NDArray rec = vae.decode(vae.encode(img).mean()).clip(-1f, 1f);
          // per-image MSE in [0, 1] units
          float[] mse =
              rec.sub(img).div(2f).square().reshape(b, -1).mean(new int[] {1}).toFloatArray();
          for (float v : mse) {
            mseSum += 10 * Math.log10(1.0 / Math.max(v, 1e-10));
          }
        }
      }
    }
    return mseSum / n;
  }

  @Override
  public void close() {
    manager.close();
  }
}
