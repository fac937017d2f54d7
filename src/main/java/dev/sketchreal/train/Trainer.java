package dev.sketchreal.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sketchreal.nn.Parameter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The generic training loop every trainer uses, kept small so the order of things stays visible:
 *
 * <pre>
 *   for step = k+1 … N:
 *     random = StepRandom.forStep(seed, step)           (counter-based: resumable)
 *     inside a gradient collector and a per-step NDManager:
 *       losses = stepFunction(step, random, manager)    (must contain "total")
 *       backward(total)
 *     grad_norm = clip(trainable, maxGradNorm)
 *     lr = base lr · schedule(step); AdamW step (zeroes gradients)
 *     log line, progress bar; checkpoint every `checkpointEvery` steps and at N
 * </pre>
 *
 * Only one gradient collector may be open per process: do not run two trainers at once.
 */
public final class Trainer {
  private final AdamW optimizer;
  private final NDManager manager;
  private final StepFunction stepFunction;
  private final Options options;
  private final Map<String, Double> baseLearningRates;
  private long step;

  /** Computes the losses of one step; called inside the gradient collector. */
  @FunctionalInterface
  public interface StepFunction {
    /**
     * @param step the 1-based step being computed
     * @param random this step's generator (all randomness of the step comes from it)
     * @param manager per-step manager, closed after the update
     * @return named scalar losses in log order; "total" is back-propagated
     */
    Map<String, NDArray> compute(long step, SplittableRandom random, NDManager manager);
  }

  /** Learning-rate multiplier per step. */
  @FunctionalInterface
  public interface Schedule {
    double factor(long step);

    static Schedule constant() {
      return s -> 1.0;
    }

    /** Linear warm-up over the first {@code steps} steps, constant afterwards. */
    static Schedule linearWarmup(long steps) {
      return s -> steps <= 0 ? 1.0 : Math.min(1.0, (double) s / steps);
    }
  }

  /**
   * @param totalSteps N, the step the run ends at
   * @param seed the run's seed (with the step, all the randomness there is)
   * @param maxGradNorm global-norm clipping threshold (≤ 0 or ∞: measure only)
   * @param checkpointEvery save every this many steps (0: only at the end)
   * @param keepLast checkpoints kept
   * @param directory run directory: checkpoints/, train.jsonl
   * @param config the run's configuration, stored in each checkpoint
   * @param showProgress whether to draw a progress bar on stderr
   */
  public record Options(
      long totalSteps,
      long seed,
      double maxGradNorm,
      int checkpointEvery,
      int keepLast,
      Path directory,
      JsonNode config,
      Schedule schedule,
      boolean showProgress) {
    public Options {
      schedule = schedule == null ? Schedule.constant() : schedule;
      if (totalSteps < 0 || checkpointEvery < 0 || keepLast < 1) {
        throw new IllegalArgumentException("need totalSteps >= 0, checkpointEvery >= 0, keep >= 1");
      }
    }

    public Path checkpoints() {
      return directory.resolve("checkpoints");
    }

    public Path log() {
      return directory.resolve("train.jsonl");
    }
  }

  /**
   * @param manager the model's manager (restored parameters and per-step managers hang off it)
   */
  public Trainer(NDManager manager, AdamW optimizer, StepFunction stepFunction, Options options) {
    this.manager = manager;
    this.optimizer = optimizer;
    this.stepFunction = stepFunction;
    this.options = options;
    this.baseLearningRates = new LinkedHashMap<>(optimizer.learningRates());
    this.step = optimizer.stepCount();
  }

  /** Steps completed. */
  public long step() {
    return step;
  }

  /**
   * {@code --resume}: restores the newest checkpoint of the run directory, if there is one.
   *
   * @return the step resumed from (0 when starting fresh)
   */
  public long resume() throws IOException {
    Optional<Path> latest = Checkpoint.latest(options.checkpoints());
    if (latest.isEmpty()) {
      return step;
    }
    Checkpoint.Meta meta = Checkpoint.load(latest.get(), trainableByName(), optimizer, manager);
    if (meta.seed() != options.seed()) {
      throw new IOException(
          latest.get() + " was trained with seed " + meta.seed() + ", not " + options.seed());
    }
    step = meta.step();
    return step;
  }

  /** Runs to {@code totalSteps}; returns the log entries of the steps it ran. */
  public List<TrainingLog.Entry> run() throws IOException {
    List<TrainingLog.Entry> entries = new ArrayList<>();
    try (TrainingLog log = TrainingLog.open(options.log(), step);
        ProgressBar bar = progressBar()) {
      while (step < options.totalSteps()) {
        TrainingLog.Entry entry = runStep(step + 1);
        step++;
        entries.add(entry);
        log.append(entry);
        if (bar != null) {
          bar.stepTo(step);
          bar.setExtraMessage(describe(entry));
        }
        boolean last = step == options.totalSteps();
        if (last || (options.checkpointEvery() > 0 && step % options.checkpointEvery() == 0)) {
          checkpoint();
        }
      }
    }
    return entries;
  }

  /** Saves a checkpoint of the current step. */
  public Path checkpoint() throws IOException {
    Checkpoint.Meta meta = new Checkpoint.Meta(step, options.seed(), options.config(), Map.of());
    return Checkpoint.save(
        options.checkpoints(), options.keepLast(), meta, trainableByName(), optimizer);
  }

  private TrainingLog.Entry runStep(long next) {
    long start = System.nanoTime();
    Map<String, Double> losses = new LinkedHashMap<>();
    try (NDManager stepManager = manager.newSubManager();
        GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      Map<String, NDArray> terms =
          stepFunction.compute(next, StepRandom.forStep(options.seed(), next), stepManager);
      NDArray total = terms.get("total");
      if (total == null) {
        throw new IllegalStateException("step function returned no 'total': " + terms.keySet());
      }
      gc.backward(total);
      terms.forEach((k, v) -> losses.put(k, (double) v.getFloat()));
    }
    if (!Double.isFinite(losses.get("total"))) {
      throw new IllegalStateException("non-finite loss at step " + next + ": " + losses);
    }
    double gradNorm =
        GradientClipping.clipGlobalNorm(optimizer.parameters().values(), options.maxGradNorm());
    if (!Double.isFinite(gradNorm)) {
      // an overflowed gradient would poison the weights (and AdamW's moments) for good: drop it;
      // the optimizer still steps (moments decay) so step counts stay aligned for --resume
      for (Parameter p : optimizer.parameters().values()) {
        try (NDArray g = p.array().getGradient()) {
          g.set(new float[Math.toIntExact(g.size())]); // (g - g would turn ±inf into NaN)
        }
      }
    }
    double factor = options.schedule().factor(next);
    baseLearningRates.forEach((g, lr) -> optimizer.setLearningRate(g, lr * factor));
    optimizer.step();
    double seconds = (System.nanoTime() - start) / 1e9;
    return new TrainingLog.Entry(
        next, losses, new LinkedHashMap<>(optimizer.learningRates()), gradNorm, seconds);
  }

  /** Trainable parameters by their group-qualified name (the checkpoint keys). */
  private Map<String, Parameter> trainableByName() {
    return optimizer.parameters();
  }

  private ProgressBar progressBar() {
    if (!options.showProgress()) {
      return null;
    }
    return new ProgressBarBuilder()
        .setTaskName("train")
        .setInitialMax(options.totalSteps())
        .startsFrom(step, java.time.Duration.ZERO)
        .setStyle(ProgressBarStyle.ASCII)
        .setUpdateIntervalMillis(500)
        .build();
  }

  private static String describe(TrainingLog.Entry e) {
    StringBuilder sb = new StringBuilder();
    e.losses().forEach((k, v) -> sb.append(k).append('=').append(String.format("%.4g ", v)));
    sb.append(String.format("|g|=%.3g", e.gradNorm()));
    return sb.toString();
  }
}
