package dev.sketchreal.cli;

import dev.sketchreal.data.sketchworld.SketchWorldDataset;
import dev.sketchreal.io.Json;
import dev.sketchreal.model.clip.ClipTokenizer;
import dev.sketchreal.train.backbone.BpeTrainer;
import dev.sketchreal.train.backbone.PhotoCaptionSet;
import dev.sketchreal.train.backbone.TextEncoderTrainConfig;
import dev.sketchreal.train.backbone.TextEncoderTrainer;
import dev.sketchreal.train.backbone.TokenizerTrainConfig;
import dev.sketchreal.train.backbone.UNetTrainConfig;
import dev.sketchreal.train.backbone.UNetTrainer;
import dev.sketchreal.train.backbone.VaeTrainConfig;
import dev.sketchreal.train.backbone.VaeTrainer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sketchreal train <what>}: a plain container of training subcommands (more are added by
 * other parts of the project).
 */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description =
        "Train a model component: tokenizer, vae, text-encoder, unet, sketch-encoder,"
            + " sketching-reality, judge.",
    subcommands = {
      TrainCommand.Tokenizer.class,
      TrainCommand.Vae.class,
      TrainCommand.TextEncoder.class,
      TrainCommand.Unet.class,
      TrainSketchEncoderCommand.class,
      TrainSketchingRealityCommand.class,
      TrainJudgeCommand.class
    })
public final class TrainCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Options every backbone training command takes. */
  static final class Common {
    @Option(names = "--config", required = true, paramLabel = "FILE", description = "JSON config.")
    Path config;

    @Option(
        names = "--data",
        required = true,
        paramLabel = "DIR",
        description = "SketchWorld-layout dataset folder.")
    Path data;

    @Option(
        names = "--out",
        required = true,
        paramLabel = "DIR",
        description = "Model folder (diffusers layout); the component is written into it.")
    Path out;

    @Option(
        names = "--run",
        paramLabel = "DIR",
        description = "Run folder: checkpoints/, train.jsonl (default: <out>-runs/<component>).")
    Path run;

    @Option(names = "--resume", description = "Continue from the newest checkpoint of --run.")
    boolean resume;

    @Option(names = "--steps", paramLabel = "N", description = "Override the config's steps.")
    Long steps;

    @Option(names = "--no-progress", description = "No progress bar.")
    boolean noProgress;

    Path runDir(String component) {
      if (run != null) {
        return run;
      }
      Path abs = out.toAbsolutePath().normalize();
      return abs.resolveSibling(abs.getFileName() + "-runs").resolve(component);
    }
  }

  @Command(
      name = "tokenizer",
      mixinStandardHelpOptions = true,
      description =
          "Train a CLIP-format byte-level BPE tokenizer on the captions (<out>/tokenizer).")
  static final class Tokenizer implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "JSON config.")
    Path config;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "Dataset folder.")
    Path data;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Model folder.")
    Path out;

    @Override
    public Integer call() throws Exception {
      PrintStream log = new PrintStream(System.err, true);
      TokenizerTrainConfig c = Json.readStrictConfig(config, TokenizerTrainConfig.class);
      long t0 = System.nanoTime();
      var ds = SketchWorldDataset.open(data, c.split(), true);
      List<String> texts = new ArrayList<>();
      List<String> ids = ds.ids();
      int n = c.limit() > 0 ? Math.min(c.limit(), ids.size()) : ids.size();
      for (int i = 0; i < n; i++) {
        texts.add(ds.load(ids.get(i), dev.sketchreal.data.SampleKind.SYNTHETIC).caption());
      }
      texts.addAll(c.extraTexts());
      BpeTrainer.Result r = BpeTrainer.train(texts, c.vocabSize(), c.minFrequency());
      Path dir = out.resolve("tokenizer");
      BpeTrainer.write(r, dir, c.modelMaxLength(), c.padToken());
      ClipTokenizer check = ClipTokenizer.load(dir);
      spec.commandLine()
          .getOut()
          .printf(
              "tokenizer: %d tokens (%d merges) from %d texts / %d distinct words -> %s (%.1f s)%n",
              check.vocabSize(),
              r.merges().size(),
              texts.size(),
              r.wordCount(),
              dir,
              (System.nanoTime() - t0) / 1e9);
      log.flush();
      return 0;
    }
  }

  @Command(
      name = "vae",
      mixinStandardHelpOptions = true,
      description = "Train an AutoencoderKL on the photos (<out>/vae).")
  static final class Vae implements Callable<Integer> {
    @Mixin Common common = new Common();

    @Override
    public Integer call() throws Exception {
      PrintStream log = System.err;
      VaeTrainConfig c = Json.readStrictConfig(common.config, VaeTrainConfig.class);
      if (common.steps != null) {
        c = c.withSteps(common.steps);
      }
      long t0 = System.nanoTime();
      PhotoCaptionSet data = PhotoCaptionSet.load(common.data, c.split(), c.imageSize(), c.limit());
      PhotoCaptionSet eval = loadEval(common.data, c.imageSize(), c.evalSamples());
      log.printf("vae: %d photos loaded in %.1f s%n", data.size(), (System.nanoTime() - t0) / 1e9);
      try (VaeTrainer t = new VaeTrainer(c, data, eval)) {
        log.printf("vae: %,d parameters%n", t.model().parameterCount());
        long step =
            t.train(common.out, common.runDir("vae"), common.resume, !common.noProgress, log);
        log.printf("vae: done at step %d (%.1f s)%n", step, (System.nanoTime() - t0) / 1e9);
      }
      return 0;
    }
  }

  @Command(
      name = "text-encoder",
      mixinStandardHelpOptions = true,
      description =
          "CLIP-style contrastive training of a text tower with an image tower"
              + " (<out>/text_encoder; the pair as a CLIPModel in --clip-out).")
  static final class TextEncoder implements Callable<Integer> {
    @Mixin Common common = new Common();

    @Option(
        names = "--tokenizer",
        paramLabel = "DIR",
        description = "Tokenizer folder (default: <out>/tokenizer).")
    Path tokenizer;

    @Option(
        names = "--clip-out",
        paramLabel = "DIR",
        description = "Where the CLIPModel pair goes (default: <run>/clip).")
    Path clipOut;

    @Override
    public Integer call() throws Exception {
      PrintStream log = System.err;
      TextEncoderTrainConfig c = Json.readStrictConfig(common.config, TextEncoderTrainConfig.class);
      if (common.steps != null) {
        c = c.withSteps(common.steps);
      }
      Path tok = tokenizer != null ? tokenizer : common.out.resolve("tokenizer");
      int size = c.clipConfig(ClipTokenizer.load(tok)).visionConfig().imageSize();
      long t0 = System.nanoTime();
      PhotoCaptionSet data = PhotoCaptionSet.load(common.data, c.split(), size, c.limit());
      PhotoCaptionSet eval = loadEval(common.data, size, c.evalSamples());
      log.printf(
          "text-encoder: %d pairs loaded in %.1f s%n", data.size(), (System.nanoTime() - t0) / 1e9);
      Path run = common.runDir("text_encoder");
      try (TextEncoderTrainer t = new TextEncoderTrainer(c, data, eval, tok)) {
        log.printf(
            "text-encoder: %,d parameters (text + image towers)%n", t.model().parameterCount());
        long step =
            t.train(
                common.out,
                clipOut != null ? clipOut : run.resolve("clip"),
                run,
                common.resume,
                !common.noProgress,
                log);
        log.printf(
            "text-encoder: done at step %d (%.1f s)%n", step, (System.nanoTime() - t0) / 1e9);
      }
      return 0;
    }
  }

  @Command(
      name = "unet",
      mixinStandardHelpOptions = true,
      description =
          "Text-to-image latent diffusion training of a UNet on the frozen VAE and text encoder"
              + " of --out (<out>/unet, <out>/scheduler).")
  static final class Unet implements Callable<Integer> {
    @Mixin Common common = new Common();

    @Option(
        names = "--limit",
        paramLabel = "N",
        description = "Override the config's limit: train on the first N pairs (0: all).")
    Integer limit;

    @Override
    public Integer call() throws Exception {
      PrintStream log = System.err;
      UNetTrainConfig c = Json.readStrictConfig(common.config, UNetTrainConfig.class);
      if (common.steps != null) {
        c = c.withSteps(common.steps);
      }
      if (limit != null) {
        c = c.withLimit(limit);
      }
      long t0 = System.nanoTime();
      PhotoCaptionSet data = PhotoCaptionSet.load(common.data, c.split(), c.imageSize(), c.limit());
      log.printf("unet: %d pairs loaded in %.1f s%n", data.size(), (System.nanoTime() - t0) / 1e9);
      Path run = common.runDir("unet");
      try (UNetTrainer t = new UNetTrainer(c, data, common.out, run, log)) {
        log.printf("unet: %,d parameters%n", t.model().parameterCount());
        long step = t.train(common.out, run, common.resume, !common.noProgress, log);
        log.printf("unet: done at step %d (%.1f s)%n", step, (System.nanoTime() - t0) / 1e9);
      }
      return 0;
    }
  }

  static PhotoCaptionSet loadEval(Path data, int size, int count) {
    try {
      return PhotoCaptionSet.load(data, "test", size, count <= 0 ? 64 : count);
    } catch (RuntimeException e) {
      System.err.println("no held-out photos for evaluation: " + e.getMessage());
      return null;
    }
  }
}
