package dev.sketchreal.train.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sketchreal.io.AtomicFiles;
import dev.sketchreal.io.Json;
import dev.sketchreal.io.SafetensorsFile;
import dev.sketchreal.io.SafetensorsWriter;
import dev.sketchreal.model.clip.ClipTextModel;
import dev.sketchreal.model.clip.ClipTokenizer;
import dev.sketchreal.model.unet.UNet2DConditionModel;
import dev.sketchreal.model.unet.UNetConfig;
import dev.sketchreal.model.vae.AutoencoderKL;
import dev.sketchreal.runtime.Compute;
import dev.sketchreal.sampling.NoiseSchedule;
import dev.sketchreal.sampling.SchedulerConfig;
import dev.sketchreal.train.AdamW;
import dev.sketchreal.train.TrainingRun;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.CRC32;

/**
 * Text-to-image latent diffusion training of a UNet2DConditionModel from scratch, on the frozen VAE
 * and text encoder of the output folder ({@code <out>/vae}, {@code <out>/text_encoder}, {@code
 * <out>/tokenizer}). Photos are encoded once (posterior mean and log-variance, cached in the run
 * folder keyed by a CRC of the VAE weights); every step samples z0 = (mean + σ·n) × scaling_factor,
 * a uniform timestep and noise, and regresses the noise (epsilon) with MSE. Captions are encoded
 * once with {@code encodeForDiffusion(ids, 0)}, the path the pipeline uses; with probability {@code
 * caption_dropout} a caption is replaced by the empty prompt.
 */
public final class UNetTrainer implements AutoCloseable {
  public static final String COMPONENT = "unet";
  private final UNetTrainConfig config;
  private final NDManager manager;
  private final UNet2DConditionModel unet;
  private final AdamW optimizer;
  private final NoiseSchedule schedule;
  private final float scaling;
  private final float[] latentMean;
  private final float[] latentLogvar;
  private final int latentSize;
  private final float[] contexts;
  private final float[] emptyContext;
  private final long contextSize;
  private final long tokens;
  private final long hidden;
  private final int count;
  private final int channels;
  private final int side;

  /**
   * @param backbone the folder with the trained {@code tokenizer/}, {@code text_encoder/} and
   *     {@code vae/}
   */
  public UNetTrainer(
      UNetTrainConfig config, PhotoCaptionSet data, Path backbone, Path runDir, PrintStream log)
      throws IOException {
    this.config = config;
    this.manager = Compute.newManager();
    UNetConfig uc = config.unetConfig();
    this.schedule = new NoiseSchedule(config.schedulerConfig());
    try (NDManager frozen = manager.newSubManager()) {
      AutoencoderKL vae = AutoencoderKL.load(backbone.resolve("vae"), frozen);
      vae.setTrainable(false);
      this.scaling = (float) vae.scalingFactor();
      int f = vae.config().downsampleFactor();
      this.channels = vae.config().latentChannels();
      this.side = data.imageSize() / f;
      if (uc.inChannels() != channels || uc.outChannels() != channels) {
        throw new IllegalArgumentException("UNet in/out channels must equal the VAE's " + channels);
      }
      this.latentSize = channels * side * side;
      this.count = data.size();
      float[][] cached = encodeLatents(vae, data, backbone.resolve("vae"), runDir, log, frozen);
      this.latentMean = cached[0];
      this.latentLogvar = cached[1];
      ClipTokenizer tokenizer = ClipTokenizer.load(backbone.resolve("tokenizer"));
      ClipTextModel text = ClipTextModel.load(backbone.resolve("text_encoder"), frozen);
      text.setTrainable(false);
      this.tokens = tokenizer.maxLength();
      this.hidden = text.config().hiddenSize();
      if (uc.crossAttentionDim().get(0) != hidden) {
        throw new IllegalArgumentException(
            "cross_attention_dim " + uc.crossAttentionDim().get(0) + " != text hidden " + hidden);
      }
      this.contextSize = tokens * hidden;
      this.contexts = new float[Math.toIntExact(count * contextSize)];
      for (int start = 0; start < count; start += 64) {
        int b = Math.min(64, count - start);
        try (NDManager bm = frozen.newSubManager()) {
          NDArray ids = tokenizer.encodeBatch(data.captions().subList(start, start + b), bm);
          float[] ctx = text.encodeForDiffusion(ids, 0).toFloatArray();
          System.arraycopy(ctx, 0, contexts, Math.toIntExact(start * contextSize), ctx.length);
        }
      }
      try (NDManager bm = frozen.newSubManager()) {
        this.emptyContext =
            text.encodeForDiffusion(tokenizer.encodeBatch(List.of(""), bm), 0).toFloatArray();
      }
    }
    this.unet = createModel(config, uc, manager);
    unet.setTrainable(true);
    this.optimizer =
        new AdamW(
            manager,
            List.of(AdamW.Group.of("unet", unet, config.learningRate(), config.weightDecay())));
  }

  // Random weights, or init_from's (strictly loaded, float32 whatever the stored type).
  private static UNet2DConditionModel createModel(
      UNetTrainConfig config, UNetConfig uc, NDManager manager) throws IOException {
    if (config.initFrom() == null) {
      UNet2DConditionModel unet = new UNet2DConditionModel(uc);
      unet.initialize(manager, new SplittableRandom(config.seed()));
      return unet;
    }
    return UNet2DConditionModel.load(Path.of(config.initFrom()), manager);
  }

  /** Posterior (mean, logvar) of every photo, from the cache when the VAE is the same. */
  private static float[][] encodeLatents(
      AutoencoderKL vae,
      PhotoCaptionSet data,
      Path vaeDir,
      Path runDir,
      PrintStream log,
      NDManager frozen)
      throws IOException {
    Path weights = vaeDir.resolve("diffusion_pytorch_model.safetensors");
    if (!Files.isRegularFile(weights)) {
      weights = vaeDir.resolve("diffusion_pytorch_model.fp16.safetensors");
    }
    long crc = crc(weights);
    String key = String.format("%08x-%d-%d", crc, data.size(), data.imageSize());
    Path cache = runDir.resolve("latents-" + key + ".safetensors");
    int s = data.imageSize();
    if (Files.isRegularFile(cache)) {
      try (SafetensorsFile file = SafetensorsFile.open(cache);
          NDManager m = frozen.newSubManager()) {
        log.println("unet: latents from " + cache);
        return new float[][] {
          file.loadFloat32("mean", m).toFloatArray(), file.loadFloat32("logvar", m).toFloatArray()
        };
      }
    }
    log.println("unet: encoding " + data.size() + " photos with the VAE ...");
    long t0 = System.nanoTime();
    int n = data.size();
    int f = vae.config().downsampleFactor();
    int lat = vae.config().latentChannels() * (s / f) * (s / f);
    float[] mean = new float[n * lat];
    float[] logvar = new float[n * lat];
    for (int start = 0; start < n; start += 32) {
      int b = Math.min(32, n - start);
      try (NDManager bm = frozen.newSubManager()) {
        float[] x = new float[b * 3 * s * s];
        for (int k = 0; k < b; k++) {
          System.arraycopy(data.photo(start + k), 0, x, k * 3 * s * s, 3 * s * s);
        }
        AutoencoderKL.Posterior post = vae.encode(bm.create(x, new Shape(b, 3, s, s)));
        System.arraycopy(post.mean().toFloatArray(), 0, mean, start * lat, b * lat);
        System.arraycopy(post.logvar().toFloatArray(), 0, logvar, start * lat, b * lat);
      }
    }
    Files.createDirectories(runDir);
    try (NDManager m = frozen.newSubManager()) {
      Shape shape = new Shape(n, vae.config().latentChannels(), s / f, s / f);
      SafetensorsWriter.write(
          cache,
          Map.of("mean", m.create(mean, shape), "logvar", m.create(logvar, shape)),
          Map.of("vae_crc32", String.format("%08x", crc)));
    }
    log.printf("unet: encoded in %.1f s -> %s%n", (System.nanoTime() - t0) / 1e9, cache);
    return new float[][] {mean, logvar};
  }

  private static long crc(Path file) throws IOException {
    CRC32 crc = new CRC32();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[1 << 16];
      int r;
      while ((r = in.read(buf)) > 0) {
        crc.update(buf, 0, r);
      }
    }
    return crc.getValue();
  }

  public UNet2DConditionModel model() {
    return unet;
  }

  public AdamW optimizer() {
    return optimizer;
  }

  /** The losses of one step. */
  public Map<String, NDArray> step(long step, SplittableRandom random, NDManager m) {
    int b = config.batchSize();
    float[] z = new float[b * latentSize];
    float[] ctx = new float[Math.toIntExact(b * contextSize)];
    int[] t = new int[b];
    int dropped = 0;
    for (int k = 0; k < b; k++) {
      int i = random.nextInt(count);
      float[] n = Gaussian.values(random, latentSize);
      for (int j = 0; j < latentSize; j++) {
        int src = i * latentSize + j;
        z[k * latentSize + j] =
            (latentMean[src] + (float) Math.exp(0.5 * latentLogvar[src]) * n[j]) * scaling;
      }
      t[k] = random.nextInt(schedule.numTrainTimesteps());
      boolean drop = random.nextDouble() < config.captionDropout();
      if (drop) {
        dropped++;
        System.arraycopy(
            emptyContext, 0, ctx, Math.toIntExact(k * contextSize), emptyContext.length);
      } else {
        System.arraycopy(
            contexts,
            Math.toIntExact(i * contextSize),
            ctx,
            Math.toIntExact(k * contextSize),
            Math.toIntExact(contextSize));
      }
    }
    Shape shape = new Shape(b, channels, side, side);
    NDArray x0 = m.create(z, shape);
    NDArray noise = Gaussian.array(m, random, b, channels, side, side);
    NDArray noisy = schedule.addNoise(x0, noise, t);
    NDArray target = schedule.trainingTarget(x0, noise, t);
    float[] tf = new float[b];
    for (int k = 0; k < b; k++) {
      tf[k] = t[k];
    }
    NDArray context = m.create(ctx, new Shape(b, tokens, hidden));
    NDArray pred = unet.forward(noisy, m.create(tf), context);
    NDArray mse = pred.sub(target).square().mean();
    Map<String, NDArray> out = new LinkedHashMap<>();
    out.put("total", mse);
    out.put("mse", mse);
    out.put("dropped", m.create((float) dropped / b));
    return out;
  }

  /** Trains (or resumes), exporting {@code unet/} + {@code scheduler/} after every chunk. */
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

  /** Writes {@code <out>/unet/}, {@code <out>/scheduler/} and model_index.json. */
  public void export(Path out, long step, PrintStream log) throws IOException {
    ObjectNode json = ((ObjectNode) config.modelJson()).deepCopy();
    json.put("_class_name", "UNet2DConditionModel");
    json.put("_diffusers_version", Components.DIFFUSERS_VERSION);
    json.put("sample_size", side);
    Components.write(
        out.resolve(COMPONENT),
        json,
        "diffusion_pytorch_model.safetensors",
        unet.namedParameters(),
        k -> true,
        config.fp16());
    ObjectNode report = Json.mapper().createObjectNode();
    report.put("step", step);
    Json.writeAtomically(out.resolve(COMPONENT).resolve("training_metrics.json"), report);
    writeScheduler(out, config.schedulerConfig());
    Components.updateModelIndex(out, COMPONENT, "diffusers", "UNet2DConditionModel");
    Components.updateModelIndex(out, "vae", "diffusers", "AutoencoderKL");
    Components.updateModelIndex(out, "text_encoder", "transformers", "CLIPTextModel");
    Components.updateModelIndex(out, "tokenizer", "transformers", "CLIPTokenizer");
    Components.updateModelIndex(out, "scheduler", "diffusers", "DDIMScheduler");
    log.println("unet: exported step " + step);
  }

  static void writeScheduler(Path out, SchedulerConfig scheduler) throws IOException {
    Path dir = out.resolve("scheduler");
    Files.createDirectories(dir);
    AtomicFiles.write(
        dir.resolve("scheduler_config.json"),
        (scheduler.toJson() + "\n").getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void close() {
    manager.close();
  }
}
