package dev.sketchreal.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.sketchreal.io.ImageFiles;
import dev.sketchreal.io.PngMetadata;
import dev.sketchreal.io.PngWriter;
import dev.sketchreal.pipeline.Cancellation;
import dev.sketchreal.pipeline.GaussianNoise;
import dev.sketchreal.pipeline.GeneratedImage;
import dev.sketchreal.pipeline.GenerationRequest;
import dev.sketchreal.pipeline.SketchInput;
import dev.sketchreal.pipeline.SketchToImage;
import dev.sketchreal.pipeline.SketchingRealityModel;
import dev.sketchreal.pipeline.StableDiffusion;
import dev.sketchreal.pipeline.TextToImage;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sketchreal generate}: prompt (and later sketch) to a PNG carrying its parameters. */
@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    description = "Generate an image from a prompt, and a sketch when one is given.")
final class GenerateCommand implements Callable<Integer> {
  @Option(
      names = "--model",
      description =
          "model folder (diffusers layout; + sketch_encoder/ and modulation/ for sketches)"
              + " (default: the shipped models/sketchworld-mini)")
  Path model;

  @Option(names = "--sketch", description = "sketch image (PNG/JPEG, either polarity)")
  Path sketch;

  @Mixin SketchSamplingOptions sketchOptions = new SketchSamplingOptions();

  @Option(names = "--prompt", required = true, description = "what to draw")
  String prompt;

  @Option(names = "--negative-prompt", defaultValue = "", description = "what to avoid")
  String negativePrompt;

  @Option(names = "--seed", defaultValue = "-1", description = "noise seed; -1 = random")
  long seed;

  @Option(names = "--steps", defaultValue = "25", description = "denoising steps")
  int steps;

  @Option(names = "--guidance", defaultValue = "7.5", description = "classifier-free guidance")
  double guidance;

  @Option(names = "--width", description = "pixels (default: the model's native size)")
  Integer width;

  @Option(names = "--height", description = "pixels (default: the model's native size)")
  Integer height;

  @Option(names = "--eta", defaultValue = "0", description = "DDIM eta (0 = deterministic)")
  double eta;

  @Option(names = "--out", defaultValue = "sketchreal.png", description = "output PNG")
  Path out;

  @Override
  public Integer call() throws Exception {
    long usedSeed = seed == -1 ? GaussianNoise.randomSeed() : seed;
    if (usedSeed < 0) {
      throw new IllegalArgumentException("seed must be >= 0 or -1 (random), got " + seed);
    }
    Path folder = model == null ? DefaultModel.path() : model;
    if (sketch != null) {
      BufferedImage drawing = ImageFiles.read(sketch); // fail on a bad sketch before loading
      try (SketchingRealityModel sr = SketchingRealityModel.load(folder)) {
        GenerationRequest request = request(sr.backbone(), usedSeed);
        SketchToImage.SketchSettings settings = sketchOptions.settings();
        GeneratedImage image;
        try (NDManager manager = sr.backbone().manager().newSubManager();
            ProgressBar bar = progressBar(steps)) {
          NDArray strokes = SketchInput.strokes(drawing, manager);
          image =
              new SketchToImage(sr)
                  .generate(
                      request, strokes, settings, (s, n, t) -> bar.stepTo(s), Cancellation.NEVER);
        }
        write(image, request, folder);
      }
      return 0;
    }
    try (StableDiffusion sd = StableDiffusion.load(folder)) {
      GenerationRequest request = request(sd, usedSeed);
      GeneratedImage image;
      try (ProgressBar bar = progressBar(steps)) {
        image =
            new TextToImage(sd)
                .generate(request, (step, total, t) -> bar.stepTo(step), Cancellation.NEVER);
      }
      write(image, request, folder);
    }
    return 0;
  }

  private GenerationRequest request(StableDiffusion sd, long usedSeed) {
    int w = width == null ? sd.defaultImageSize() : width;
    int h = height == null ? sd.defaultImageSize() : height;
    System.err.println("seed: " + usedSeed);
    return new GenerationRequest(prompt, negativePrompt, usedSeed, steps, guidance, w, h, eta);
  }

  private void write(GeneratedImage image, GenerationRequest request, Path folder)
      throws java.io.IOException {
    PngWriter.write(out, image.pixels(), image.height(), image.width(), metadata(request, folder));
    System.out.println(out.toAbsolutePath());
  }

  private Map<String, String> metadata(GenerationRequest request, Path folder) {
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("Steps", request.steps());
    settings.put("Sampler", "DDIM");
    settings.put("CFG scale", request.guidanceScale());
    settings.put("Seed", request.seed());
    settings.put("Size", request.width() + "x" + request.height());
    settings.put("Model", folder.toAbsolutePath().normalize().getFileName().toString());
    if (sketch != null) {
      settings.put("Sketch", sketch.getFileName().toString());
      settings.putAll(sketchOptions.overrides());
    }
    if (request.eta() != 0) {
      settings.put("Eta", request.eta());
    }
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("request", request);
    json.put("model", folder.toAbsolutePath().normalize().toString());
    if (sketch != null) {
      json.put("sketch", sketch.toString());
      json.put("sketch_strength", sketchOptions.strength);
      json.put("modulation_fraction", sketchOptions.modulationFraction);
      json.put("spatial_only", sketchOptions.spatialOnly);
    }
    return PngMetadata.chunks(request.prompt(), request.negativePrompt(), settings, json);
  }

  static ProgressBar progressBar(int steps) {
    return new ProgressBarBuilder()
        .setTaskName("denoising")
        .setInitialMax(steps)
        .setStyle(ProgressBarStyle.ASCII)
        .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err))
        .setUpdateIntervalMillis(200)
        .build();
  }
}
