package dev.sketchreal.cli;

import dev.sketchreal.io.PngMetadata;
import dev.sketchreal.io.PngWriter;
import dev.sketchreal.pipeline.Cancellation;
import dev.sketchreal.pipeline.GaussianNoise;
import dev.sketchreal.pipeline.GeneratedImage;
import dev.sketchreal.pipeline.GenerationRequest;
import dev.sketchreal.pipeline.StableDiffusion;
import dev.sketchreal.pipeline.TextToImage;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sketchreal generate}: prompt (and later sketch) to a PNG carrying its parameters. */
@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    description = "Generate an image from a prompt with a diffusers model folder.")
final class GenerateCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, description = "diffusers model folder")
  Path model;

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
    try (StableDiffusion sd = StableDiffusion.load(model)) {
      int w = width == null ? sd.defaultImageSize() : width;
      int h = height == null ? sd.defaultImageSize() : height;
      GenerationRequest request =
          new GenerationRequest(prompt, negativePrompt, usedSeed, steps, guidance, w, h, eta);
      System.err.println("seed: " + usedSeed);
      GeneratedImage image;
      try (ProgressBar bar = progressBar(steps)) {
        image =
            new TextToImage(sd)
                .generate(request, (step, total, t) -> bar.stepTo(step), Cancellation.NEVER);
      }
      PngWriter.write(out, image.pixels(), image.height(), image.width(), metadata(request));
      System.out.println(out.toAbsolutePath());
    }
    return 0;
  }

  private Map<String, String> metadata(GenerationRequest request) {
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("Steps", request.steps());
    settings.put("Sampler", "DDIM");
    settings.put("CFG scale", request.guidanceScale());
    settings.put("Seed", request.seed());
    settings.put("Size", request.width() + "x" + request.height());
    settings.put("Model", model.toAbsolutePath().normalize().getFileName().toString());
    if (request.eta() != 0) {
      settings.put("Eta", request.eta());
    }
    return PngMetadata.chunks(request.prompt(), request.negativePrompt(), settings, request);
  }

  static ProgressBar progressBar(int steps) {
    return new ProgressBarBuilder()
        .setTaskName("denoising")
        .setInitialMax(steps)
        .setStyle(ProgressBarStyle.ASCII)
        .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err))
        .setUpdateIntervalMillis(200)
        .continuousUpdate()
        .build();
  }
}
