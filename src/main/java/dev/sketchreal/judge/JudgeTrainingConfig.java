package dev.sketchreal.judge;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.sketchreal.train.TrainingRun;

/**
 * {@code sketchreal train judge} configuration (a JSON file; absent keys take these defaults).
 *
 * @param steps optimizer steps
 * @param batchSize photos per step
 * @param learningRate AdamW base rate (linear warm-up, then cosine decay to 10 %)
 * @param warmupSteps warm-up length
 * @param weightDecay AdamW decoupled weight decay
 * @param maxGradNorm global-norm clipping
 * @param diceWeight weight of the soft-Dice term added to the cross-entropy
 * @param seed the run's seed (initialisation, batch order, flips)
 * @param checkpointEvery steps between checkpoints, model exports and evaluations
 * @param keepLast checkpoints kept
 * @param evalLimit test photos scored at each checkpoint (0 = none, -1 = all)
 * @param cropSize train on random square crops of this size (a multiple of 16; null = whole photos)
 * @param model the judge architecture
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record JudgeTrainingConfig(
    @JsonProperty("steps") Integer steps,
    @JsonProperty("batch_size") Integer batchSize,
    @JsonProperty("learning_rate") Double learningRate,
    @JsonProperty("warmup_steps") Integer warmupSteps,
    @JsonProperty("weight_decay") Double weightDecay,
    @JsonProperty("max_grad_norm") Double maxGradNorm,
    @JsonProperty("dice_weight") Double diceWeight,
    @JsonProperty("seed") Long seed,
    @JsonProperty("checkpoint_every") Integer checkpointEvery,
    @JsonProperty("keep_last") Integer keepLast,
    @JsonProperty("eval_limit") Integer evalLimit,
    @JsonProperty("crop_size") Integer cropSize,
    @JsonProperty("model") JudgeConfig model) {

  public JudgeTrainingConfig {
    steps = steps == null ? 3000 : steps;
    batchSize = batchSize == null ? 12 : batchSize;
    learningRate = learningRate == null ? 2e-3 : learningRate;
    warmupSteps = warmupSteps == null ? 100 : warmupSteps;
    weightDecay = weightDecay == null ? 1e-4 : weightDecay;
    maxGradNorm = maxGradNorm == null ? 1.0 : maxGradNorm;
    diceWeight = diceWeight == null ? 1.0 : diceWeight;
    seed = seed == null ? 0L : seed;
    checkpointEvery = checkpointEvery == null ? 250 : checkpointEvery;
    keepLast = keepLast == null ? 2 : keepLast;
    evalLimit = evalLimit == null ? 200 : evalLimit;
    model = model == null ? JudgeConfig.defaults() : model;
    if (cropSize != null && (cropSize < 16 || cropSize % 16 != 0)) {
      throw new IllegalArgumentException("crop_size must be a multiple of 16, got " + cropSize);
    }
    if (steps < 0 || batchSize < 1 || checkpointEvery < 1 || keepLast < 1) {
      throw new IllegalArgumentException(
          "need steps >= 0, batch_size >= 1, checkpoint_every >= 1, keep_last >= 1");
    }
  }

  public static JudgeTrainingConfig defaults() {
    return new JudgeTrainingConfig(
        null, null, null, null, null, null, null, null, null, null, null, null, null);
  }

  /** The shared chunked-run settings: warm-up, then cosine to 10 % of the lr at the last step. */
  public TrainingRun.Settings settings() {
    return new TrainingRun.Settings(
        steps, seed, maxGradNorm, checkpointEvery, keepLast, warmupSteps, 0.1);
  }
}
