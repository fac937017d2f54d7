package dev.sketchreal.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.sketchreal.data.Sample;
import dev.sketchreal.data.sketchworld.SketchWorldDataset;
import dev.sketchreal.eval.LayoutEvaluation;
import dev.sketchreal.eval.SampleGenerator;
import dev.sketchreal.judge.LayoutJudge;
import dev.sketchreal.pipeline.Cancellation;
import dev.sketchreal.pipeline.GeneratedImage;
import dev.sketchreal.pipeline.GenerationRequest;
import dev.sketchreal.pipeline.SketchInput;
import dev.sketchreal.pipeline.SketchToImage;
import dev.sketchreal.pipeline.SketchingRealityModel;
import dev.sketchreal.pipeline.StableDiffusion;
import dev.sketchreal.pipeline.TextToImage;
import dev.sketchreal.runtime.Compute;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sketchreal eval}: layout faithfulness (judge mIoU against sketch-space masks) and FID-SW
 * on a SketchWorld-layout folder.
 */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    description =
        "Generate for every test sketch of a SketchWorld-layout folder and report layout mIoU"
            + " (judge vs sketch-space masks), per-category IoU and FID-SW; writes report.md and"
            + " grid.png.")
final class EvalCommand implements Callable<Integer> {
  @Option(names = "--data", required = true, description = "SketchWorld-layout folder")
  Path data;

  @Option(names = "--model", required = true, description = "diffusers model folder")
  Path model;

  @Option(
      names = "--judge",
      description = "layout judge folder (default: models/sketchworld-judge of the installation)")
  Path judge;

  @Option(names = "--no-sketch", description = "text-only baseline (same backbone/prompts/seeds)")
  boolean noSketch;

  @Option(
      names = "--photo-oracle",
      description =
          "score the folder's own photos instead of generated images (the reference a perfect"
              + " reproduction of the photo would get; needs photos)")
  boolean photoOracle;

  @Option(names = "--limit", defaultValue = "-1", description = "evaluate the first N samples")
  int limit;

  @Option(names = "--steps", defaultValue = "25", description = "denoising steps")
  int steps;

  @Option(names = "--guidance", defaultValue = "7.5", description = "classifier-free guidance")
  double guidance;

  @Option(names = "--seed", defaultValue = "0", description = "run seed (per-sample seeds from it)")
  long seed;

  @Option(names = "--grid-rows", defaultValue = "8", description = "rows in grid.png")
  int gridRows;

  @Option(names = "--out", required = true, description = "report folder")
  Path out;

  @Option(names = "--no-progress", description = "no progress bar")
  boolean noProgress;

  @Override
  public Integer call() throws Exception {
    boolean sketchRun = !noSketch && !photoOracle;
    if (sketchRun && !SketchingRealityModel.isSketchModel(model)) {
      throw new IllegalArgumentException(
          model
              + " is not a SketchingReality model (no sketch modulator): evaluate it as the"
              + " text-only baseline with --no-sketch");
    }
    if (seed < 0 || steps < 1 || gridRows < 0) {
      throw new IllegalArgumentException("need --seed >= 0, --steps >= 1, --grid-rows >= 0");
    }
    Path judgeDir = judge != null ? judge : defaultJudge();
    String split = Files.isRegularFile(data.resolve("splits/test.txt")) ? "test" : "all";
    SketchWorldDataset dataset = SketchWorldDataset.open(data, split, false);
    List<String> ids = dataset.ids();
    if (limit >= 0 && ids.size() > limit) {
      ids = ids.subList(0, limit);
    }
    if (ids.isEmpty()) {
      throw new IllegalArgumentException(data + " has no samples to evaluate (" + split + ")");
    }
    boolean sketchModel = SketchingRealityModel.isSketchModel(model);
    try (SketchingRealityModel sr = sketchModel ? SketchingRealityModel.load(model) : null;
        StableDiffusion plain = sketchModel ? null : StableDiffusion.load(model);
        NDManager manager = Compute.newManager()) {
      StableDiffusion sd = sketchModel ? sr.backbone() : plain;
      LayoutJudge layoutJudge = LayoutJudge.load(judgeDir, manager);
      int size = sd.defaultImageSize();
      TextToImage pipeline = new TextToImage(sd);
      SketchToImage sketchPipeline = sketchRun ? new SketchToImage(sr) : null;
      SampleGenerator generator;
      if (photoOracle) {
        generator = EvalCommand::photoOf;
      } else if (sketchRun) {
        generator =
            (sample, s) -> {
              try (NDManager sub = sd.manager().newSubManager()) {
                NDArray strokes = SketchInput.strokes(sample.sketch(), sub);
                return sketchPipeline.generate(
                    new GenerationRequest(sample.caption(), "", s, steps, guidance, size, size, 0),
                    strokes,
                    SketchToImage.SketchSettings.DEFAULT,
                    (step, total, t) -> {},
                    Cancellation.NEVER);
              }
            };
      } else {
        generator =
            (sample, s) ->
                pipeline.generate(
                    new GenerationRequest(sample.caption(), "", s, steps, guidance, size, size, 0),
                    (step, total, t) -> {},
                    Cancellation.NEVER);
      }
      LayoutEvaluation.Settings settings =
          new LayoutEvaluation.Settings(
              photoOracle
                  ? "photo oracle (--photo-oracle)"
                  : sketchRun
                      ? "sketch + caption (SketchingReality)"
                      : "text-only baseline (--no-sketch)",
              data,
              model,
              judgeDir,
              seed,
              steps,
              guidance,
              gridRows);
      LayoutEvaluation.Result r;
      try (ProgressBar bar = noProgress ? null : bar(ids.size())) {
        r =
            LayoutEvaluation.run(
                dataset,
                ids,
                generator,
                layoutJudge,
                manager,
                settings,
                out,
                done -> {
                  if (bar != null) {
                    bar.stepTo(done);
                  }
                });
      }
      System.out.printf(
          "layout mIoU %s, FID-SW %s -> %s%n",
          r.hasLayout() ? String.format("%.4f", r.iou().meanIou()) : "n/a",
          r.fidSw() == null ? "not available" : String.format("%.3f", r.fidSw()),
          out.resolve("report.md").toAbsolutePath());
    }
    return 0;
  }

  private static GeneratedImage photoOf(Sample sample, long seed) {
    BufferedImage photo =
        sample
            .photo()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "--photo-oracle: sample " + sample.id() + " has no photo"));
    int w = photo.getWidth();
    int h = photo.getHeight();
    float[] px = new float[3 * w * h];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int rgb = photo.getRGB(x, y);
        for (int c = 0; c < 3; c++) {
          px[c * w * h + y * w + x] = ((rgb >> (16 - 8 * c)) & 0xff) / 255f;
        }
      }
    }
    return new GeneratedImage(px, w, h);
  }

  private static ProgressBar bar(int n) {
    return new ProgressBarBuilder()
        .setTaskName("eval")
        .setInitialMax(n)
        .setStyle(ProgressBarStyle.ASCII)
        .setUpdateIntervalMillis(500)
        .build();
  }

  private static Path defaultJudge() {
    String home = System.getProperty("sketchreal.home", ".");
    return Path.of(home, "models", "sketchworld-judge");
  }
}
