package dev.sketchreal.train.backbone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.sketchreal.io.Json;
import dev.sketchreal.model.vae.VaeConfig;
import dev.sketchreal.train.TrainingRun;

/**
 * {@code sketchreal train vae} settings: the diffusers {@code vae/config.json} content under {@code
 * model} plus the optimisation. Loss = l1·|x̂−x| + l2·(x̂−x)² + edge·|∇x̂−∇x| + kl·KL (all means);
 * training uses random {@code crop_size} crops of {@code image_size} photos (the VAE is
 * convolutional); the scaling factor is measured after training as 1 / std of the latent means.
 *
 * <p>{@code init_from} starts from an existing diffusers {@code vae/} folder instead of random
 * weights (its {@code config.json} replaces {@code model}); with {@code decoder_only} the encoder
 * and {@code quant_conv} stay frozen, so the latent space, its scaling factor and every UNet
 * trained on it stay valid while the decoder learns to render those latents better (the KL term is
 * then constant and skipped).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record VaeTrainConfig(
    JsonNode model,
    String split,
    int limit,
    int imageSize,
    int cropSize,
    int batchSize,
    long steps,
    double learningRate,
    double weightDecay,
    long warmupSteps,
    double minLrRatio,
    double maxGradNorm,
    int checkpointEvery,
    int keepLast,
    long seed,
    double l1Weight,
    double l2Weight,
    double edgeWeight,
    double klWeight,
    int scalingSamples,
    int evalSamples,
    boolean fp16,
    String initFrom,
    Boolean decoderOnly) {

  public VaeTrainConfig {
    if (model == null && initFrom == null) {
      throw new IllegalArgumentException(
          "config needs 'model' (the vae/config.json content) or 'init_from' (a vae folder)");
    }
    decoderOnly = decoderOnly != null && decoderOnly;
    if (decoderOnly && initFrom == null) {
      throw new IllegalArgumentException(
          "decoder_only needs init_from: the trained encoder whose latent space is kept");
    }
    split = split == null ? "train" : split;
    if (imageSize <= 0 || cropSize <= 0 || cropSize > imageSize || batchSize <= 0 || steps < 0) {
      throw new IllegalArgumentException(
          "need image_size > 0, 0 < crop_size <= image_size, batch_size > 0, steps >= 0");
    }
    keepLast = Math.max(1, keepLast);
  }

  /** The architecture to train from scratch ({@code model}); unused with {@code init_from}. */
  public VaeConfig vaeConfig() {
    if (model == null) {
      throw new IllegalStateException("no 'model' in the config: the architecture is init_from's");
    }
    try {
      return Json.mapper().treeToValue(model, VaeConfig.class);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("bad vae model config: " + e.getOriginalMessage(), e);
    }
  }

  public VaeTrainConfig withSteps(long newSteps) {
    return new VaeTrainConfig(
        model,
        split,
        limit,
        imageSize,
        cropSize,
        batchSize,
        newSteps,
        learningRate,
        weightDecay,
        warmupSteps,
        minLrRatio,
        maxGradNorm,
        checkpointEvery,
        keepLast,
        seed,
        l1Weight,
        l2Weight,
        edgeWeight,
        klWeight,
        scalingSamples,
        evalSamples,
        fp16,
        initFrom,
        decoderOnly);
  }

  TrainingRun.Settings settings() {
    return new TrainingRun.Settings(
        steps, seed, maxGradNorm, checkpointEvery, keepLast, warmupSteps, minLrRatio);
  }
}
