package dev.sketchreal.train.backbone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.sketchreal.io.Json;
import dev.sketchreal.model.unet.UNetConfig;
import dev.sketchreal.sampling.SchedulerConfig;
import dev.sketchreal.train.TrainingRun;
import java.nio.file.Path;

/**
 * {@code sketchreal train unet} settings: the diffusers {@code unet/config.json} content under
 * {@code model}, the {@code scheduler/scheduler_config.json} content under {@code scheduler}, and
 * the optimisation. Epsilon prediction on scaled VAE latents, uniform timesteps, captions replaced
 * by the empty prompt with probability {@code caption_dropout} (for classifier-free guidance).
 *
 * <p>{@code init_from} continues from an existing diffusers {@code unet/} folder (its config is
 * then the architecture and {@code model} is not used): more training for a UNet whose optimizer
 * state is gone. AdamW's moments start from zero, so give it a warm-up.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record UNetTrainConfig(
    JsonNode model,
    JsonNode scheduler,
    String split,
    int limit,
    int imageSize,
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
    double captionDropout,
    boolean fp16,
    String initFrom) {

  public UNetTrainConfig {
    if ((model == null && initFrom == null) || scheduler == null) {
      throw new IllegalArgumentException(
          "config needs 'model' (the unet/config.json content) or 'init_from' (a unet folder),"
              + " and 'scheduler'");
    }
    split = split == null ? "train" : split;
    if (imageSize <= 0 || batchSize <= 0 || steps < 0 || captionDropout < 0 || captionDropout > 1) {
      throw new IllegalArgumentException(
          "need image_size > 0, batch_size > 0, steps >= 0, 0 <= caption_dropout <= 1");
    }
    keepLast = Math.max(1, keepLast);
  }

  public UNetConfig unetConfig() {
    try {
      return Json.mapper().treeToValue(modelJson(), UNetConfig.class);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("bad unet model config: " + e.getOriginalMessage(), e);
    }
  }

  /** The architecture: {@code init_from}'s config.json, else {@code model}. */
  public JsonNode modelJson() {
    if (initFrom == null) {
      return model;
    }
    try {
      return Json.readTree(
          dev.sketchreal.model.Components.requireFile(Path.of(initFrom), "config.json"));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("init_from " + initFrom + ": " + e.getMessage(), e);
    }
  }

  public SchedulerConfig schedulerConfig() {
    return SchedulerConfig.parse(scheduler.toString());
  }

  public UNetTrainConfig withSteps(long newSteps) {
    return with(limit, newSteps);
  }

  /** The same run on the first {@code newLimit} training pairs (≤ 0: all). */
  public UNetTrainConfig withLimit(int newLimit) {
    return with(newLimit, steps);
  }

  private UNetTrainConfig with(int newLimit, long newSteps) {
    return new UNetTrainConfig(
        model,
        scheduler,
        split,
        newLimit,
        imageSize,
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
        captionDropout,
        fp16,
        initFrom);
  }

  TrainingRun.Settings settings() {
    return new TrainingRun.Settings(
        steps, seed, maxGradNorm, checkpointEvery, keepLast, warmupSteps, minLrRatio);
  }
}
