package dev.sketchreal.cli;

import dev.sketchreal.io.Json;
import dev.sketchreal.judge.JudgeTraining;
import dev.sketchreal.judge.JudgeTrainingConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sketchreal train judge}: the layout judge (photo segmentation) on a SketchWorld folder.
 */
@Command(
    name = "judge",
    mixinStandardHelpOptions = true,
    description =
        "Train the layout judge (a small U-Net segmenting photos into SketchWorld categories).")
final class TrainJudgeCommand implements Callable<Integer> {
  @Option(names = "--config", description = "training config JSON (defaults when absent)")
  Path config;

  @Option(names = "--data", required = true, description = "SketchWorld folder with photos")
  Path data;

  @Option(names = "--out", required = true, description = "run folder (checkpoints, logs, model)")
  Path out;

  @Option(names = "--resume", description = "continue from the newest checkpoint in --out")
  boolean resume;

  @Option(names = "--no-progress", description = "no progress bar")
  boolean noProgress;

  @Override
  public Integer call() throws Exception {
    JudgeTrainingConfig cfg =
        config == null
            ? JudgeTrainingConfig.defaults()
            : Json.readStrictConfig(config, JudgeTrainingConfig.class);
    JudgeTraining.Result r =
        JudgeTraining.open(cfg, data).run(out, resume, !noProgress, System.err);
    System.out.printf(
        "judge: step %d, loss %.4f, test-photo mIoU %.4f -> %s%n",
        r.step(), r.lastLoss(), r.testMeanIou(), out.toAbsolutePath());
    return 0;
  }
}
