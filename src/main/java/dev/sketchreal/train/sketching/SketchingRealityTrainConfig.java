package dev.sketchreal.train.sketching;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.sketchreal.sketch.ModulationConfig;
import java.nio.file.Path;
import java.util.List;

/**
 * Settings of {@code sketchreal train sketching-reality} (docs/METHOD.md §6), read from snake_case
 * JSON; absent values take the defaults below.
 *
 * @param backbone the frozen diffusers backbone folder (tokenizer, text_encoder, unet, vae,
 *     scheduler); relative paths resolve against the working directory
 * @param sketchEncoder the original semantic sketch encoder (CLIPModel layout + tokenizer); loaded
 *     twice: a fine-tuned copy (its last {@code encoder_layers} layers train) and a frozen copy
 *     that makes the hand-drawn pseudo-masks (default {@code <backbone>/sketch_encoder})
 * @param modulation the method's settings (variant, λs, modulation fraction, Γ, …)
 * @param batchSize samples per step, half hand-drawn, half synthetic (4)
 * @param steps optimizer steps of the run (1000)
 * @param lrModulation AdamW learning rate of the modulation network (1e-4)
 * @param lrEncoder AdamW learning rate of the encoder's last layers (1e-5)
 * @param weightDecay decoupled weight decay of both groups (0.01)
 * @param maxGradNorm global-norm gradient clipping (1.0; ≤ 0 measures only)
 * @param warmupSteps linear learning-rate warm-up (0)
 * @param checkpointEvery checkpoint interval in steps (500; 0 = only at the end)
 * @param keepCheckpoints checkpoints kept (3)
 * @param seed the run's seed: data order, timesteps and noise of every step derive from it (0)
 * @param imageSize training resolution in pixels (default: the backbone's default image size)
 * @param encoderLayers last transformer layers of the sketch encoder that are fine-tuned (3)
 * @param classes category names that get attention regions; {@code "from_data"} (or absent) means
 *     every category the caption names
 * @param split dataset split to train on ("train")
 * @param skipBad skip unreadable samples instead of failing (true)
 * @param cache keep per-sample VAE latents and pseudo-masks in memory (true); both are computed one
 *     sample at a time, so cached and fresh values are identical (resume stays exact)
 * @param fixedBatch every step trains on exactly the first step's batch — samples, timesteps and
 *     noise (overfit tests, debugging) (false)
 * @param rollout training states from the model's own sampler (default: none, every z_t is the
 *     photo's latent noised forward, as in the paper)
 * @param initFrom a SketchingReality model folder whose {@code modulation/} weights (and, for the
 *     method's variant, fine-tuned {@code sketch_encoder/}) the run starts from instead of a fresh
 *     network and the original encoder (default: none); the architecture must match
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SketchingRealityTrainConfig(
    @JsonProperty("backbone") String backbone,
    @JsonProperty("sketch_encoder") String sketchEncoder,
    @JsonProperty("modulation") ModulationConfig modulation,
    @JsonProperty("batch_size") Integer batchSize,
    @JsonProperty("steps") Long steps,
    @JsonProperty("lr_modulation") Double lrModulation,
    @JsonProperty("lr_encoder") Double lrEncoder,
    @JsonProperty("weight_decay") Double weightDecay,
    @JsonProperty("max_grad_norm") Double maxGradNorm,
    @JsonProperty("warmup_steps") Integer warmupSteps,
    @JsonProperty("checkpoint_every") Integer checkpointEvery,
    @JsonProperty("keep_checkpoints") Integer keepCheckpoints,
    @JsonProperty("seed") Long seed,
    @JsonProperty("image_size") Integer imageSize,
    @JsonProperty("encoder_layers") Integer encoderLayers,
    @JsonProperty("classes") @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
        List<String> classes,
    @JsonProperty("split") String split,
    @JsonProperty("skip_bad") Boolean skipBad,
    @JsonProperty("cache") Boolean cache,
    @JsonProperty("fixed_batch") Boolean fixedBatch,
    @JsonProperty("rollout") RolloutConfig rollout,
    @JsonProperty("init_from") String initFrom) {

  /** The {@code classes} value meaning "every category the caption names". */
  public static final String FROM_DATA = "from_data";

  public SketchingRealityTrainConfig {
    modulation = modulation == null ? ModulationConfig.defaults() : modulation;
    batchSize = batchSize == null ? 4 : batchSize;
    if (batchSize < 2) {
      throw new IllegalArgumentException(
          "batch_size must be >= 2 (half hand-drawn, half synthetic)");
    }
    steps = steps == null ? 1000L : steps;
    if (steps < 0) {
      throw new IllegalArgumentException("steps must be >= 0, got " + steps);
    }
    lrModulation = nonNegative(lrModulation, 1e-4, "lr_modulation");
    lrEncoder = nonNegative(lrEncoder, 1e-5, "lr_encoder");
    weightDecay = nonNegative(weightDecay, 0.01, "weight_decay");
    maxGradNorm = maxGradNorm == null ? 1.0 : maxGradNorm;
    warmupSteps = warmupSteps == null ? 0 : warmupSteps;
    checkpointEvery = checkpointEvery == null ? 500 : checkpointEvery;
    keepCheckpoints = keepCheckpoints == null ? 3 : keepCheckpoints;
    if (warmupSteps < 0 || checkpointEvery < 0 || keepCheckpoints < 1) {
      throw new IllegalArgumentException(
          "need warmup_steps >= 0, checkpoint_every >= 0, keep_checkpoints >= 1");
    }
    seed = seed == null ? 0L : seed;
    if (imageSize != null && imageSize <= 0) {
      throw new IllegalArgumentException("image_size must be positive, got " + imageSize);
    }
    encoderLayers = encoderLayers == null ? 3 : encoderLayers;
    if (encoderLayers < 0) {
      throw new IllegalArgumentException("encoder_layers must be >= 0, got " + encoderLayers);
    }
    classes =
        classes == null || classes.isEmpty() || classes.equals(List.of(FROM_DATA))
            ? List.of(FROM_DATA)
            : List.copyOf(classes);
    split = split == null ? "train" : split;
    skipBad = skipBad == null || skipBad;
    cache = cache == null || cache;
    fixedBatch = fixedBatch != null && fixedBatch;
    rollout = rollout == null ? RolloutConfig.NONE : rollout;
    initFrom = initFrom == null || initFrom.isBlank() ? null : initFrom;
  }

  /** Every default; backbone and encoder come from the command line. */
  public static SketchingRealityTrainConfig defaults() {
    return new SketchingRealityTrainConfig(
        null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
        null, null, null, null, null, null, null);
  }

  /** True when regions are made for every category the caption names. */
  @JsonIgnore
  public boolean classesFromData() {
    return classes.equals(List.of(FROM_DATA));
  }

  /** The backbone folder (required). */
  @JsonIgnore
  public Path backbonePath() {
    if (backbone == null || backbone.isBlank()) {
      throw new IllegalArgumentException("no backbone folder: set \"backbone\" or --backbone");
    }
    return Path.of(backbone);
  }

  /** The original sketch encoder folder ({@code <backbone>/sketch_encoder} by default). */
  @JsonIgnore
  public Path sketchEncoderPath() {
    return sketchEncoder == null || sketchEncoder.isBlank()
        ? backbonePath().resolve("sketch_encoder")
        : Path.of(sketchEncoder);
  }

  public SketchingRealityTrainConfig withSteps(long newSteps) {
    return new SketchingRealityTrainConfig(
        backbone,
        sketchEncoder,
        modulation,
        batchSize,
        newSteps,
        lrModulation,
        lrEncoder,
        weightDecay,
        maxGradNorm,
        warmupSteps,
        checkpointEvery,
        keepCheckpoints,
        seed,
        imageSize,
        encoderLayers,
        classes,
        split,
        skipBad,
        cache,
        fixedBatch,
        rollout,
        initFrom);
  }

  /** A copy with other model folders (null keeps the current value). */
  public SketchingRealityTrainConfig withPaths(Path newBackbone, Path newSketchEncoder) {
    return new SketchingRealityTrainConfig(
        newBackbone == null ? backbone : newBackbone.toString(),
        newSketchEncoder == null ? sketchEncoder : newSketchEncoder.toString(),
        modulation,
        batchSize,
        steps,
        lrModulation,
        lrEncoder,
        weightDecay,
        maxGradNorm,
        warmupSteps,
        checkpointEvery,
        keepCheckpoints,
        seed,
        imageSize,
        encoderLayers,
        classes,
        split,
        skipBad,
        cache,
        fixedBatch,
        rollout,
        initFrom);
  }

  /** The model folder the run starts from, if any. */
  @JsonIgnore
  public java.util.Optional<Path> initFromPath() {
    return java.util.Optional.ofNullable(initFrom).map(Path::of);
  }

  private static double nonNegative(Double value, double fallback, String name) {
    double v = value == null ? fallback : value;
    if (!(v >= 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException(name + " must be finite and >= 0, got " + v);
    }
    return v;
  }
}
