package dev.sketchreal.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.sketchreal.data.Preprocess;
import dev.sketchreal.data.Sample;
import dev.sketchreal.data.sketchworld.SketchWorldDataset;
import dev.sketchreal.eval.BaselineComparison;
import dev.sketchreal.eval.HandoverOracle;
import dev.sketchreal.eval.LayoutEvaluation;
import dev.sketchreal.eval.SampleGenerator;
import dev.sketchreal.judge.LayoutJudge;
import dev.sketchreal.pipeline.Cancellation;
import dev.sketchreal.pipeline.GeneratedImage;
import dev.sketchreal.pipeline.GenerationRequest;
import dev.sketchreal.pipeline.NoisePredictor;
import dev.sketchreal.pipeline.SketchInput;
import dev.sketchreal.pipeline.SketchToImage;
import dev.sketchreal.pipeline.SketchingRealityModel;
import dev.sketchreal.pipeline.StableDiffusion;
import dev.sketchreal.pipeline.TextToImage;
import dev.sketchreal.runtime.Compute;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sketchreal eval}: layout faithfulness (judge mIoU against sketch-space masks) and FID-SW
 * on a SketchWorld-layout folder; with {@code --with-baseline} the sketch run and the text-only
 * baseline side by side ({@link BaselineComparison}).
 */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    description =
        "Generate for every test sketch of a SketchWorld-layout folder and report layout mIoU"
            + " (judge vs sketch-space masks), per-category IoU and FID-SW; writes report.md,"
            + " results.json and grid.png (with --with-baseline: the sketch run, the text-only"
            + " baseline and their comparison).")
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

  @Option(
      names = "--vae-oracle",
      description =
          "score the model's VAE reconstructions of the folder's photos (decode(encode(photo))):"
              + " the most any sampler can get through this latent space; needs photos")
  boolean vaeOracle;

  @Option(
      names = "--handover-oracle",
      paramLabel = "FRACTION",
      description =
          "diagnosis: for the noisiest FRACTION of the timesteps predict the photo's own latent"
              + " exactly (a perfect modulator), then the text-conditioned backbone: the layout any"
              + " modulator acting on those steps could hand over; needs photos")
  Double handoverOracle;

  @Option(
      names = "--handover-oracle-pool",
      paramLabel = "N",
      description =
          "with --handover-oracle: hand over the photo latent low-passed to N×N-cell averages"
              + " (a modulator right about the coarse layout only); default 1 = exact")
  Integer handoverPool;

  @Option(names = "--limit", defaultValue = "-1", description = "evaluate the first N samples")
  int limit;

  @Mixin SketchSamplingOptions sketchOptions = new SketchSamplingOptions();

  @Option(names = "--steps", defaultValue = "25", description = "denoising steps")
  int steps;

  @Option(names = "--guidance", defaultValue = "7.5", description = "classifier-free guidance")
  double guidance;

  @Option(
      names = "--eta",
      defaultValue = "0",
      description = "DDIM eta (0 = deterministic; 1 = fresh noise each step, DDPM-like)")
  double eta;

  @Option(names = "--seed", defaultValue = "0", description = "run seed (per-sample seeds from it)")
  long seed;

  @Option(names = "--grid-rows", defaultValue = "8", description = "rows in grid.png")
  int gridRows;

  @Option(names = "--out", required = true, description = "report folder")
  Path out;

  @Option(
      names = "--decode-after-step",
      description =
          "diagnostic: judge the sampler's clean-latent estimate after this many of the --steps"
              + " (how far the composition is decided by then) instead of the final image")
  Integer decodeAfterStep;

  @Option(names = "--no-progress", description = "no progress bar")
  boolean noProgress;

  @Option(
      names = "--with-baseline",
      description =
          "also run the text-only baseline (same backbone, prompts, seeds, steps, guidance) and"
              + " write both reports (sketch/, text-only/) and a comparison with the ratios"
              + " sketch / text-only; needs a SketchingReality model")
  boolean withBaseline;

  private static final String SKETCH_MODE = "sketch + caption (SketchingReality)";
  private static final String TEXT_ONLY_MODE = "text-only baseline (--no-sketch)";
  private static final String ORACLE_MODE = "photo oracle (--photo-oracle)";
  private static final String VAE_ORACLE_MODE = "VAE reconstruction oracle (--vae-oracle)";
  private static final String HANDOVER_MODE =
      "hand-over oracle (--handover-oracle %s): the photo's latent for the noisiest %s of the"
          + " timesteps, then the text-conditioned backbone";

  /** What every condition of one invocation shares. */
  private record Context(
      SketchWorldDataset dataset,
      List<String> ids,
      LayoutJudge judge,
      Path judgeDir,
      NDManager manager,
      ProgressBar bar) {}

  @Override
  public Integer call() throws Exception {
    validate(); // before anything is read or written, so a bad combination leaves no output
    Path judgeDir = judge != null ? judge : defaultJudge();
    String split = Files.isRegularFile(data.resolve("splits/test.txt")) ? "test" : "all";
    SketchWorldDataset dataset = SketchWorldDataset.open(data, split, false);
    List<String> ids = ids(dataset, split);
    boolean sketchModel = SketchingRealityModel.isSketchModel(model);
    int conditions = withBaseline ? 2 : 1;
    String line;
    try (SketchingRealityModel sr = sketchModel ? SketchingRealityModel.load(model) : null;
        StableDiffusion plain = sketchModel ? null : StableDiffusion.load(model);
        NDManager manager = Compute.newManager();
        ProgressBar bar = noProgress ? null : bar(conditions * ids.size())) {
      StableDiffusion sd = sketchModel ? sr.backbone() : plain;
      Context c =
          new Context(dataset, ids, LayoutJudge.load(judgeDir, manager), judgeDir, manager, bar);
      line = withBaseline ? compare(c, sketchGenerator(sr), textGenerator(sd)) : single(c, sd, sr);
    }
    System.out.println(line); // after the progress bar has finished drawing
    return 0;
  }

  private void validate() {
    int modes =
        (noSketch ? 1 : 0)
            + (photoOracle ? 1 : 0)
            + (vaeOracle ? 1 : 0)
            + (handoverOracle != null ? 1 : 0);
    if (modes > 1) {
      throw new IllegalArgumentException(
          "choose one of --no-sketch, --photo-oracle, --vae-oracle and --handover-oracle");
    }
    if (handoverPool != null && (handoverOracle == null || handoverPool < 1)) {
      throw new IllegalArgumentException(
          "--handover-oracle-pool needs --handover-oracle and a factor >= 1");
    }
    if (handoverOracle != null && !(handoverOracle > 0 && handoverOracle <= 1)) {
      throw new IllegalArgumentException(
          "--handover-oracle must be in (0, 1], got " + handoverOracle);
    }
    if (withBaseline && modes > 0) {
      throw new IllegalArgumentException(
          "--with-baseline runs the sketch evaluation and the text-only baseline itself: it"
              + " cannot be combined with "
              + (noSketch
                  ? "--no-sketch"
                  : photoOracle
                      ? "--photo-oracle"
                      : vaeOracle ? "--vae-oracle" : "--handover-oracle"));
    }
    boolean sketchRun = modes == 0;
    if (sketchRun && !SketchingRealityModel.isSketchModel(model)) {
      throw new IllegalArgumentException(
          model
              + " is not a SketchingReality model (no sketch modulator): "
              + (withBaseline
                  ? "--with-baseline needs one; evaluate a plain backbone with --no-sketch"
                  : "evaluate it as the text-only baseline with --no-sketch"));
    }
    if (decodeAfterStep != null && (photoOracle || vaeOracle)) {
      throw new IllegalArgumentException("--decode-after-step needs a sampler, not an oracle");
    }
    if (decodeAfterStep != null && (decodeAfterStep < 1 || decodeAfterStep > steps)) {
      throw new IllegalArgumentException(
          "--decode-after-step must be in [1, --steps = " + steps + "], got " + decodeAfterStep);
    }
    if (seed < 0 || steps < 1 || gridRows < 0 || !(eta >= 0 && eta <= 1)) {
      throw new IllegalArgumentException(
          "need --seed >= 0, --steps >= 1, --grid-rows >= 0, --eta in [0, 1]");
    }
  }

  private List<String> ids(SketchWorldDataset dataset, String split) {
    List<String> ids = dataset.ids();
    if (limit >= 0 && ids.size() > limit) {
      ids = ids.subList(0, limit);
    }
    if (ids.isEmpty()) {
      throw new IllegalArgumentException(data + " has no samples to evaluate (" + split + ")");
    }
    return ids;
  }

  /**
   * One condition into {@code out}, as chosen by --no-sketch / --photo-oracle; the summary line.
   */
  private String single(Context c, StableDiffusion sd, SketchingRealityModel sr)
      throws IOException {
    SampleGenerator generator;
    String mode;
    if (photoOracle) {
      generator = EvalCommand::photoOf;
      mode = ORACLE_MODE;
    } else if (vaeOracle) {
      generator = reconstructionOf(sd);
      mode = VAE_ORACLE_MODE;
    } else if (handoverOracle != null) {
      generator = handoverOracleOf(sd, handoverOracle);
      mode = String.format(java.util.Locale.ROOT, HANDOVER_MODE, handoverOracle, handoverOracle);
      if (handoverPool != null && handoverPool > 1) {
        mode += String.format(", low-passed to %d×%d-cell averages", handoverPool, handoverPool);
      }
    } else if (noSketch) {
      generator = textGenerator(sd);
      mode = TEXT_ONLY_MODE;
    } else {
      generator = sketchGenerator(sr);
      mode = sketchMode();
    }
    LayoutEvaluation.Result r = evaluate(c, generator, settings(mode, c), out, 0);
    return summary(r) + " -> " + out.resolve("report.md").toAbsolutePath();
  }

  /**
   * Both conditions into sub-folders of {@code out}, then their comparison into {@code out}; the
   * summary line.
   */
  private String compare(Context c, SampleGenerator sketch, SampleGenerator textOnly)
      throws IOException {
    LayoutEvaluation.Settings ss = settings(sketchMode(), c);
    LayoutEvaluation.Settings ts = settings(TEXT_ONLY_MODE, c);
    LayoutEvaluation.Result rs =
        evaluate(c, sketch, ss, out.resolve(BaselineComparison.SKETCH_DIR), 0);
    LayoutEvaluation.Result rt =
        evaluate(c, textOnly, ts, out.resolve(BaselineComparison.TEXT_ONLY_DIR), c.ids().size());
    BaselineComparison.Ratios ratios =
        BaselineComparison.write(
            out,
            c.dataset(),
            c.judge().config().classes(),
            new BaselineComparison.Condition(ss, rs),
            new BaselineComparison.Condition(ts, rt));
    return String.format(
        "SketchingReality: %s; text-only: %s; sketch / text-only: layout mIoU %s, mean image IoU"
            + " %s, FID-SW %s -> %s",
        summary(rs),
        summary(rt),
        ratio(ratios.layoutMiou()),
        ratio(ratios.meanImageIou()),
        ratio(ratios.fidSw()),
        out.resolve("report.md").toAbsolutePath());
  }

  /** {@code offset}: samples already done by earlier conditions (one progress bar for all). */
  private static LayoutEvaluation.Result evaluate(
      Context c,
      SampleGenerator generator,
      LayoutEvaluation.Settings settings,
      Path dir,
      int offset)
      throws IOException {
    return LayoutEvaluation.run(
        c.dataset(),
        c.ids(),
        generator,
        c.judge(),
        c.manager(),
        settings,
        dir,
        done -> {
          if (c.bar() != null) {
            c.bar().stepTo(offset + done);
          }
        });
  }

  /** The sketch run's mode line, with the sketch settings when they are not the model's. */
  private String sketchMode() {
    StringBuilder mode = new StringBuilder(SKETCH_MODE);
    sketchOptions
        .overrides()
        .forEach(
            (name, value) ->
                mode.append(", ")
                    .append(name.toLowerCase(Locale.ROOT))
                    .append(value instanceof Boolean ? "" : " " + value));
    return mode.toString();
  }

  private LayoutEvaluation.Settings settings(String mode, Context c) {
    String stated =
        decodeAfterStep == null
            ? mode
            : mode + ", x0 estimate after step " + decodeAfterStep + " of " + steps;
    return new LayoutEvaluation.Settings(
        stated, data, model, c.judgeDir(), seed, steps, guidance, eta, gridRows);
  }

  private int decodeAfter() {
    return decodeAfterStep == null ? steps : decodeAfterStep;
  }

  private static String summary(LayoutEvaluation.Result r) {
    return String.format(
        "layout mIoU %s, FID-SW %s",
        r.layoutMiou() == null ? "n/a" : String.format("%.4f", r.layoutMiou()),
        r.fidSw() == null ? "not available" : String.format("%.3f", r.fidSw()));
  }

  private static String ratio(Double r) {
    return r == null ? "n/a" : String.format("%.3f", r);
  }

  /**
   * The one request both conditions generate from, so the sketch run and the baseline differ only
   * in the sketch: same prompt, seed, steps, guidance and size.
   */
  private GenerationRequest request(Sample sample, long sampleSeed, StableDiffusion sd) {
    int size = sd.defaultImageSize();
    return new GenerationRequest(
        sample.caption(), "", sampleSeed, steps, guidance, size, size, eta);
  }

  private SampleGenerator sketchGenerator(SketchingRealityModel sr) {
    SketchToImage pipeline = new SketchToImage(sr);
    StableDiffusion sd = sr.backbone();
    return (sample, s) -> {
      try (NDManager sub = sd.manager().newSubManager()) {
        NDArray strokes = SketchInput.strokes(sample.sketch(), sub);
        return pipeline.generate(
            request(sample, s, sd),
            strokes,
            sketchOptions.settings(),
            (step, total, t) -> {},
            Cancellation.NEVER,
            decodeAfter());
      }
    };
  }

  private SampleGenerator textGenerator(StableDiffusion sd) {
    TextToImage pipeline = new TextToImage(sd);
    return (sample, s) ->
        pipeline.generate(
            request(sample, s, sd), (step, total, t) -> {}, Cancellation.NEVER, decodeAfter());
  }

  /** decode(encode(photo)) at the model's image size: the VAE posterior mean, no sampling. */
  private static SampleGenerator reconstructionOf(StableDiffusion sd) {
    TextToImage pipeline = new TextToImage(sd);
    return (sample, s) -> {
      try (NDManager sub = sd.manager().newSubManager()) {
        return pipeline.decode(photoLatent(sd, sample, "--vae-oracle", sub));
      }
    };
  }

  /** The text-only sampler whose noisiest steps predict the photo's own latent exactly. */
  private SampleGenerator handoverOracleOf(StableDiffusion sd, double fraction) {
    TextToImage pipeline = new TextToImage(sd);
    return (sample, s) -> {
      dev.sketchreal.runtime.Compute.inferenceOnThisThread();
      try (NDManager sub = sd.manager().newSubManager()) {
        NDArray z0 = photoLatent(sd, sample, "--handover-oracle", sub);
        if (handoverPool != null && handoverPool > 1) {
          z0 = HandoverOracle.lowPass(z0, handoverPool);
        }
        GenerationRequest request = request(sample, s, sd);
        NoisePredictor plain = pipeline.guided(pipeline.encode(request, sub), guidance);
        NoisePredictor oracle = HandoverOracle.predictor(plain, z0, sd.schedule(), fraction);
        return pipeline.decode(
            pipeline.denoise(
                request, oracle, sub, (step, total, t) -> {}, Cancellation.NEVER, decodeAfter()));
      }
    };
  }

  /** The photo's latent at the model's image size: VAE posterior mean × scaling factor. */
  private static NDArray photoLatent(
      StableDiffusion sd, Sample sample, String option, NDManager manager) {
    NDArray photo =
        Preprocess.photo(manager, photo(sample, option), sd.defaultImageSize())
            .expandDims(0); // (1, 3, S, S)
    return sd.vae().encode(photo).mean().mul((float) sd.vae().scalingFactor());
  }

  private static BufferedImage photo(Sample sample, String option) {
    return sample
        .photo()
        .orElseThrow(
            () ->
                new IllegalArgumentException(option + ": sample " + sample.id() + " has no photo"));
  }

  private static GeneratedImage photoOf(Sample sample, long seed) {
    BufferedImage photo = photo(sample, "--photo-oracle");
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
