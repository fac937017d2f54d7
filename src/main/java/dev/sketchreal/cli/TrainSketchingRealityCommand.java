package dev.sketchreal.cli;

import dev.sketchreal.io.Json;
import dev.sketchreal.train.TrainingLog;
import dev.sketchreal.train.sketching.SketchingRealityTrainConfig;
import dev.sketchreal.train.sketching.SketchingRealityTrainer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sketchreal train sketching-reality}: trains the modulation network and the sketch
 * encoder's last layers on a frozen backbone and writes {@code modulation/} + {@code
 * sketch_encoder/} into {@code --out}.
 */
@Command(
    name = "sketching-reality",
    mixinStandardHelpOptions = true,
    description =
        "Train SketchingReality (modulation network + sketch encoder's last layers) on a frozen"
            + " backbone; writes <out>/modulation and <out>/sketch_encoder.")
public final class TrainSketchingRealityCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--config", required = true, paramLabel = "FILE", description = "JSON config.")
  Path config;

  @Option(
      names = "--data",
      required = true,
      paramLabel = "DIR",
      description = "SketchWorld-layout dataset folder (hand-drawn and synthetic sketches).")
  Path data;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "DIR",
      description =
          "Where modulation/ and sketch_encoder/ go (the backbone folder itself gives a complete"
              + " SketchingReality model folder).")
  Path out;

  @Option(
      names = "--run",
      paramLabel = "DIR",
      description =
          "Run folder: checkpoints/, train.jsonl (default: <out>-runs/sketching-reality).")
  Path run;

  @Option(names = "--resume", description = "Continue from the newest checkpoint of the run.")
  boolean resume;

  @Option(names = "--steps", paramLabel = "N", description = "Override the config's steps.")
  Long steps;

  @Option(names = "--backbone", paramLabel = "DIR", description = "Override the config's backbone.")
  Path backbone;

  @Option(
      names = "--sketch-encoder",
      paramLabel = "DIR",
      description = "Override the config's sketch_encoder (default <backbone>/sketch_encoder).")
  Path sketchEncoder;

  @Option(names = "--no-progress", description = "No progress bar.")
  boolean noProgress;

  @Option(
      names = "--benchmark",
      paramLabel = "N",
      description =
          "Only time N training steps (after 2 warm-up steps) and print ms/step; writes nothing.")
  Integer benchmark;

  @Override
  public Integer call() throws Exception {
    PrintStream err = System.err;
    PrintStream stdout = System.out;
    SketchingRealityTrainConfig c =
        Json.readStrictConfig(config, SketchingRealityTrainConfig.class);
    c = c.withPaths(backbone, sketchEncoder);
    if (steps != null) {
      c = c.withSteps(steps);
    }
    long t0 = System.nanoTime();
    try (SketchingRealityTrainer t = SketchingRealityTrainer.open(c, data)) {
      err.printf(
          "sketching-reality: %s, %d px (latent %d), batch %d, %,d trainable parameters in %s%n",
          c.modulation().variant().name().toLowerCase(java.util.Locale.ROOT),
          t.imageSize(),
          t.latentSize(),
          c.batchSize(),
          t.optimizer().parameters().values().stream().mapToLong(p -> p.size()).sum(),
          t.optimizer().learningRates().keySet());
      if (benchmark != null) {
        double[] ms = t.benchmark(2, benchmark);
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        stdout.printf(
            "train_step: %d px, batch %d: median %.1f ms/step, mean %.1f ms/step (%d steps: %s)%n",
            t.imageSize(),
            c.batchSize(),
            sorted[sorted.length / 2],
            Arrays.stream(ms).average().orElse(Double.NaN),
            ms.length,
            Arrays.toString(Arrays.stream(ms).mapToLong(Math::round).toArray()));
        return 0;
      }
      Path runDir = run != null ? run : defaultRun(out);
      List<TrainingLog.Entry> entries = t.train(runDir, resume, !noProgress);
      t.save(out);
      TrainingLog.Entry last = entries.isEmpty() ? null : entries.get(entries.size() - 1);
      stdout.printf(
          "sketching-reality: %d steps run%s; wrote %s and %s (%.1f s); log %s%n",
          entries.size(),
          last == null ? "" : ", last losses " + last.losses(),
          out.resolve("modulation"),
          out.resolve("sketch_encoder"),
          (System.nanoTime() - t0) / 1e9,
          runDir.resolve("train.jsonl"));
    }
    return 0;
  }

  static Path defaultRun(Path out) {
    Path abs = out.toAbsolutePath().normalize();
    return abs.resolveSibling(abs.getFileName() + "-runs").resolve("sketching-reality");
  }
}
