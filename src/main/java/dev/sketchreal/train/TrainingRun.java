package dev.sketchreal.train;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Drives a {@link Trainer} in chunks of {@code checkpointEvery} steps: after each chunk the run is
 * checkpointed and an {@link AfterChunk} hook exports the model (and may evaluate it), so the
 * output folder is always usable while a long run continues. Learning rate: linear warm-up, then
 * cosine decay to {@code minLrRatio} × base (or constant when {@code minLrRatio} is 1). Used by the
 * backbone, judge and sketch-encoder trainers.
 */
public final class TrainingRun {
  private TrainingRun() {}

  /**
   * Called after every chunk with the step reached and that chunk's log entries (empty when a
   * resumed run was already finished): writes the current weights, may evaluate them.
   */
  @FunctionalInterface
  public interface AfterChunk {
    void done(long step, List<TrainingLog.Entry> entries) throws IOException;
  }

  /** Optimisation settings shared by every chunked trainer. */
  public record Settings(
      long steps,
      long seed,
      double maxGradNorm,
      int checkpointEvery,
      int keepLast,
      long warmupSteps,
      double minLrRatio) {}

  /** Warm-up then cosine to {@code minLrRatio} at {@code steps}. */
  public static Trainer.Schedule schedule(long warmup, long steps, double minLrRatio) {
    return s -> {
      if (warmup > 0 && s < warmup) {
        return (double) s / warmup;
      }
      if (minLrRatio >= 1 || steps <= warmup) {
        return 1.0;
      }
      double p = Math.min(1.0, (double) (s - warmup) / (steps - warmup));
      return minLrRatio + (1 - minLrRatio) * 0.5 * (1 + Math.cos(Math.PI * p));
    };
  }

  /**
   * Runs (or resumes) to {@code settings.steps()}.
   *
   * @return the step reached
   */
  public static long run(
      NDManager manager,
      AdamW optimizer,
      Trainer.StepFunction step,
      Path runDir,
      JsonNode config,
      Settings settings,
      boolean resume,
      boolean progress,
      AfterChunk afterChunk,
      PrintStream out)
      throws IOException {
    Map<String, Double> base = new LinkedHashMap<>(optimizer.learningRates());
    Trainer.Schedule schedule =
        schedule(settings.warmupSteps(), settings.steps(), settings.minLrRatio());
    long done = 0;
    Path checkpoints = runDir.resolve("checkpoints");
    if (resume) {
      Trainer t =
          new Trainer(
              manager, optimizer, step, options(settings, runDir, config, schedule, 0, false));
      done = t.resume();
      out.println(
          done == 0
              ? "no checkpoint in " + checkpoints + ": starting fresh"
              : "resumed at " + done);
    } else if (Checkpoint.latest(checkpoints).isPresent()) {
      throw new IllegalArgumentException(
          runDir
              + " already has checkpoints: pass --resume to continue that run, or use another folder");
    }
    if (done >= settings.steps() && done > 0) {
      afterChunk.done(done, List.of());
    }
    while (done < settings.steps()) {
      int every = settings.checkpointEvery();
      long end =
          every > 0 ? Math.min(settings.steps(), (done / every + 1) * every) : settings.steps();
      base.forEach(optimizer::setLearningRate);
      Trainer t =
          new Trainer(
              manager, optimizer, step, options(settings, runDir, config, schedule, end, progress));
      List<TrainingLog.Entry> entries = t.run();
      done = t.step();
      afterChunk.done(done, entries);
    }
    return done;
  }

  private static Trainer.Options options(
      Settings s, Path runDir, JsonNode config, Trainer.Schedule schedule, long end, boolean bar) {
    return new Trainer.Options(
        end, s.seed(), s.maxGradNorm(), 0, s.keepLast(), runDir, config, schedule, bar);
  }
}
