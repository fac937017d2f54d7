package dev.sketchreal.cli;

import dev.sketchreal.data.Images;
import dev.sketchreal.data.Sample;
import dev.sketchreal.data.SampleKind;
import dev.sketchreal.data.sketchworld.ContactSheet;
import dev.sketchreal.data.sketchworld.SketchWorldConfig;
import dev.sketchreal.data.sketchworld.SketchWorldDataset;
import dev.sketchreal.data.sketchworld.SketchWorldGenerator;
import dev.sketchreal.data.sketchworld.SketchWorldGenerator.GeneratedSample;
import dev.sketchreal.data.sketchworld.SketchWorldWriter;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sketchreal sketchworld generate|preview}: the procedural scene-sketch dataset. */
@Command(
    name = "sketchworld",
    mixinStandardHelpOptions = true,
    description = "Generate or preview SketchWorld, the built-in procedural scene-sketch dataset.",
    subcommands = {SketchWorldCommand.Generate.class, SketchWorldCommand.Preview.class})
public final class SketchWorldCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Options shared by both subcommands. */
  static class GeneratorOptions {
    @Option(
        names = "--seed",
        defaultValue = "0",
        description = "Dataset seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(
        names = "--size",
        description = "Image side in pixels, 64-512 (default: from config, 128).")
    Integer size;

    @Option(
        names = "--config",
        paramLabel = "FILE",
        description = "JSON config; missing fields keep their defaults.")
    Path config;

    SketchWorldConfig config() {
      SketchWorldConfig c =
          config == null ? SketchWorldConfig.defaults() : SketchWorldConfig.read(config);
      return size == null ? c : c.withSize(size);
    }
  }

  @Command(
      name = "generate",
      mixinStandardHelpOptions = true,
      description =
          "Write COUNT samples in the FS-COCO + MS-COCO layout (train/test split at the end).")
  static final class Generate extends GeneratorOptions implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
    Path out;

    @Option(
        names = "--count",
        defaultValue = "10000",
        description = "Number of samples (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--threads", description = "Worker threads (default: number of cores).")
    Integer threads;

    @Option(names = "--no-progress", description = "Do not show a progress bar.")
    boolean noProgress;

    @Override
    public Integer call() {
      SketchWorldConfig cfg = config();
      int n = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
      SketchWorldWriter.Summary s;
      if (noProgress) {
        s = SketchWorldWriter.write(out, cfg, seed, count, n, null);
      } else {
        try (ProgressBar pb =
            new ProgressBarBuilder()
                .setTaskName("sketchworld")
                .setInitialMax(count)
                .setStyle(ProgressBarStyle.ASCII)
                .continuousUpdate()
                .build()) {
          s = SketchWorldWriter.write(out, cfg, seed, count, n, done -> pb.step());
        }
      }
      spec.commandLine()
          .getOut()
          .printf(
              "wrote %d samples (%d train, %d test) at %dx%d to %s in %.1f s (seed %d, %d threads)%n",
              s.count(),
              s.train(),
              s.test(),
              cfg.size(),
              cfg.size(),
              out,
              s.millis() / 1000.0,
              seed,
              n);
      return 0;
    }
  }

  @Command(
      name = "preview",
      mixinStandardHelpOptions = true,
      description = "Write a contact sheet PNG: photo | hand-drawn | synthetic | masks | caption.")
  static final class Preview extends GeneratorOptions implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "FILE.png", description = "Output PNG.")
    Path out;

    @Option(
        names = "--count",
        defaultValue = "8",
        description = "Rows (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(
        names = "--first-id",
        defaultValue = "0",
        description = "First sample id (default: ${DEFAULT-VALUE}).")
    long firstId;

    @Option(
        names = "--cell",
        defaultValue = "128",
        description = "Cell size in pixels (default: ${DEFAULT-VALUE}).")
    int cell;

    @Option(
        names = "--data",
        paramLabel = "DIR",
        description = "Preview an existing (possibly partial) folder instead of generating.")
    Path data;

    @Override
    public Integer call() {
      if (count < 1 || cell < 16) {
        throw new IllegalArgumentException("--count must be >= 1 and --cell >= 16");
      }
      List<ContactSheet.Row> rows = data == null ? generated() : fromFolder();
      Images.writePng(ContactSheet.render(rows, cell), out);
      spec.commandLine().getOut().printf("wrote %d rows to %s%n", rows.size(), out);
      return 0;
    }

    private List<ContactSheet.Row> generated() {
      SketchWorldGenerator gen = new SketchWorldGenerator(config());
      List<ContactSheet.Row> rows = new ArrayList<>();
      for (long id = firstId; id < firstId + count; id++) {
        GeneratedSample s = gen.generate(seed, id);
        rows.add(
            new ContactSheet.Row(
                id + "",
                s.photo(),
                s.handDrawnSketch(),
                s.syntheticSketch(),
                s.photoCategoryMasks(),
                s.caption()));
      }
      return rows;
    }

    private List<ContactSheet.Row> fromFolder() {
      SketchWorldDataset ds = SketchWorldDataset.open(data, "all", false);
      boolean synthetic = ds.kinds().contains(SampleKind.SYNTHETIC);
      List<ContactSheet.Row> rows = new ArrayList<>();
      List<String> ids = ds.ids();
      int start = (int) Math.min(firstId, ids.size());
      for (String id : ids.subList(start, Math.min(ids.size(), start + count))) {
        Sample hand = ds.load(id, SampleKind.HAND_DRAWN);
        BufferedImage syn = synthetic ? ds.load(id, SampleKind.SYNTHETIC).sketch() : null;
        rows.add(
            new ContactSheet.Row(
                id,
                hand.photo().orElse(null),
                hand.sketch(),
                syn,
                hand.photo().isPresent() ? hand.photoMasks() : null,
                hand.caption()));
      }
      return rows;
    }
  }
}
