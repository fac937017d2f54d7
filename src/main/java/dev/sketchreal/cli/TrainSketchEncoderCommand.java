package dev.sketchreal.cli;

import dev.sketchreal.encoder.SketchEncoderTraining;
import dev.sketchreal.encoder.SketchEncoderTrainingConfig;
import dev.sketchreal.io.Json;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sketchreal train sketch-encoder}: the CLIP ViT sketch encoder for sketch segmentation. */
@Command(
    name = "sketch-encoder",
    mixinStandardHelpOptions = true,
    description =
        "Train the semantic sketch encoder (a small CLIP ViT + text tower) for open-vocabulary"
            + " sketch segmentation; writes a CLIPModel folder.")
final class TrainSketchEncoderCommand implements Callable<Integer> {
  @Option(names = "--config", description = "training config JSON (defaults when absent)")
  Path config;

  @Option(names = "--data", required = true, description = "SketchWorld folder")
  Path data;

  @Option(names = "--out", required = true, description = "run folder (checkpoints, logs, model)")
  Path out;

  @Option(names = "--resume", description = "continue from the newest checkpoint in --out")
  boolean resume;

  @Option(names = "--no-progress", description = "no progress bar")
  boolean noProgress;

  @Option(
      names = "--evaluate-only",
      description =
          "do not train: score the encoder exported in --out (pseudo-mask mIoU on every test"
              + " hand-drawn sketch) and write eval_final.json there")
  boolean evaluateOnly;

  @Override
  public Integer call() throws Exception {
    if (evaluateOnly) {
      double miou = SketchEncoderTraining.evaluateExported(data, out, System.err);
      System.out.printf("sketch encoder in %s: pseudo-mask mIoU %.4f%n", out, miou);
      return 0;
    }
    SketchEncoderTrainingConfig cfg =
        config == null
            ? SketchEncoderTrainingConfig.defaults()
            : Json.readStrictConfig(config, SketchEncoderTrainingConfig.class);
    SketchEncoderTraining.Result r =
        SketchEncoderTraining.open(cfg, data).run(out, resume, !noProgress, System.err);
    System.out.printf(
        "sketch encoder: step %d, loss %.4f, pseudo-mask mIoU %.4f -> %s%n",
        r.step(), r.lastLoss(), r.testMeanIou(), out.toAbsolutePath());
    return 0;
  }
}
