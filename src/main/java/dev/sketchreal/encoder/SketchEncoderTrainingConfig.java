package dev.sketchreal.encoder;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sketchreal.train.TrainingRun;

/**
 * {@code sketchreal train sketch-encoder} configuration (JSON; absent keys take these defaults).
 *
 * @param steps optimizer steps
 * @param batchSize sketches per step
 * @param learningRate AdamW base rate (linear warm-up, cosine decay to 10 %)
 * @param warmupSteps warm-up length
 * @param weightDecay AdamW decoupled weight decay
 * @param maxGradNorm global-norm clipping
 * @param diceWeight weight of the per-class soft Dice added to the per-patch BCE
 * @param handDrawnFraction share of hand-drawn sketches (sketch-space masks) in a batch; the rest
 *     are synthetic sketches with the photo masks
 * @param classTemplate class prompt, "{}" = category word (SemanticSketchEncoder uses "a sketch of
 *     a {}")
 * @param tokenizer a tokenizer folder to use; null = write a small vocabulary of the class prompts
 * @param seed the run's seed
 * @param checkpointEvery steps between checkpoints, model exports and evaluations
 * @param keepLast checkpoints kept
 * @param evalLimit test hand-drawn sketches scored at each checkpoint (0 = none, -1 = all)
 * @param clip the CLIPModel config (transformers layout); vocab size and special ids come from the
 *     tokenizer
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SketchEncoderTrainingConfig(
    @JsonProperty("steps") Integer steps,
    @JsonProperty("batch_size") Integer batchSize,
    @JsonProperty("learning_rate") Double learningRate,
    @JsonProperty("warmup_steps") Integer warmupSteps,
    @JsonProperty("weight_decay") Double weightDecay,
    @JsonProperty("max_grad_norm") Double maxGradNorm,
    @JsonProperty("dice_weight") Double diceWeight,
    @JsonProperty("hand_drawn_fraction") Double handDrawnFraction,
    @JsonProperty("class_template") String classTemplate,
    @JsonProperty("tokenizer") String tokenizer,
    @JsonProperty("seed") Long seed,
    @JsonProperty("checkpoint_every") Integer checkpointEvery,
    @JsonProperty("keep_last") Integer keepLast,
    @JsonProperty("eval_limit") Integer evalLimit,
    @JsonProperty("clip") JsonNode clip) {

  public SketchEncoderTrainingConfig {
    steps = steps == null ? 3000 : steps;
    batchSize = batchSize == null ? 16 : batchSize;
    learningRate = learningRate == null ? 5e-4 : learningRate;
    warmupSteps = warmupSteps == null ? 200 : warmupSteps;
    weightDecay = weightDecay == null ? 0.05 : weightDecay;
    maxGradNorm = maxGradNorm == null ? 1.0 : maxGradNorm;
    diceWeight = diceWeight == null ? 1.0 : diceWeight;
    handDrawnFraction = handDrawnFraction == null ? 0.5 : handDrawnFraction;
    classTemplate = classTemplate == null ? "a sketch of a {}" : classTemplate;
    seed = seed == null ? 0L : seed;
    checkpointEvery = checkpointEvery == null ? 250 : checkpointEvery;
    keepLast = keepLast == null ? 2 : keepLast;
    evalLimit = evalLimit == null ? 100 : evalLimit;
    if (steps < 0 || batchSize < 1 || checkpointEvery < 1 || keepLast < 1) {
      throw new IllegalArgumentException(
          "need steps >= 0, batch_size >= 1, checkpoint_every >= 1, keep_last >= 1");
    }
    if (!(handDrawnFraction >= 0 && handDrawnFraction <= 1)) {
      throw new IllegalArgumentException("hand_drawn_fraction must be in [0, 1]");
    }
    if (!classTemplate.contains("{}")) {
      throw new IllegalArgumentException("class_template must contain {}");
    }
  }

  public static SketchEncoderTrainingConfig defaults() {
    return new SketchEncoderTrainingConfig(
        null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
  }

  /** The shared chunked-run settings: warm-up, then cosine to 10 % of the lr at the last step. */
  public TrainingRun.Settings settings() {
    return new TrainingRun.Settings(
        steps, seed, maxGradNorm, checkpointEvery, keepLast, warmupSteps, 0.1);
  }
}
