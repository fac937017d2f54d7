package dev.sketchreal.eval;

import dev.sketchreal.data.Dataset;
import dev.sketchreal.eval.LayoutEvaluation.GridRow;
import dev.sketchreal.eval.LayoutEvaluation.Result;
import dev.sketchreal.eval.LayoutEvaluation.Settings;
import dev.sketchreal.io.AtomicFiles;
import dev.sketchreal.io.Json;
import dev.sketchreal.io.PngWriter;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code sketchreal eval --with-baseline}: the SketchingReality run beside the text-only baseline
 * (two ordinary {@link LayoutEvaluation} report folders, {@link #SKETCH_DIR} and {@link
 * #TEXT_ONLY_DIR}), summarised as the ratio sketch / text-only of each metric. Writes {@code
 * report.md}, {@code results.json} and {@code grid.png} (sketch | text-only | SketchingReality |
 * both segmentations) into the comparison folder, each atomically. Nothing is generated here: the
 * grid is composed from the images the two runs kept.
 */
public final class BaselineComparison {
  /** Sub-folder of the comparison folder holding the SketchingReality report. */
  public static final String SKETCH_DIR = "sketch";

  /** Sub-folder of the comparison folder holding the text-only baseline's report. */
  public static final String TEXT_ONLY_DIR = "text-only";

  private BaselineComparison() {}

  /** One evaluated condition: what was run and what it scored. */
  public record Condition(Settings settings, Result result) {}

  /** sketch / text-only of each metric; null when either side is unavailable or divides by 0. */
  public record Ratios(Double layoutMiou, Double meanImageIou, Double fidSw) {
    public static Ratios of(Result sketch, Result textOnly) {
      return new Ratios(
          ratio(sketch.layoutMiou(), textOnly.layoutMiou()),
          ratio(sketch.meanImageIou(), textOnly.meanImageIou()),
          ratio(sketch.fidSw(), textOnly.fidSw()));
    }

    Map<String, Object> json() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("layout_miou", layoutMiou);
      m.put("mean_image_iou", meanImageIou);
      m.put("fid_sw", fidSw);
      return m;
    }
  }

  static Double ratio(Double numerator, Double denominator) {
    if (numerator == null || denominator == null || denominator == 0) {
      return null;
    }
    double r = numerator / denominator;
    return Double.isFinite(r) ? r : null;
  }

  /**
   * Writes the comparison files into {@code out} (the two sub-reports are already there).
   *
   * @param classes the judge's classes, background first (the grid's legend)
   */
  public static Ratios write(
      Path out, Dataset data, List<String> classes, Condition sketch, Condition textOnly)
      throws IOException {
    Ratios ratios = Ratios.of(sketch.result(), textOnly.result());
    Files.createDirectories(out);
    AtomicFiles.write(
        out.resolve("grid.png"),
        PngWriter.encode(grid(sketch.result(), textOnly.result(), classes), Map.of()));
    AtomicFiles.write(
        out.resolve("report.md"),
        markdown(sketch, textOnly, ratios, data).getBytes(StandardCharsets.UTF_8));
    Json.writeAtomically(out.resolve("results.json"), json(sketch, textOnly, ratios));
    return ratios;
  }

  static Map<String, Object> json(Condition sketch, Condition textOnly, Ratios ratios) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("sketch", LayoutEvaluation.json(sketch.result(), sketch.settings()));
    m.put("text_only", LayoutEvaluation.json(textOnly.result(), textOnly.settings()));
    m.put("ratios", ratios.json());
    return m;
  }

  /** Rows pair up by sample id: both runs evaluated the same ids in the same order. */
  static BufferedImage grid(Result sketch, Result textOnly, List<String> classes) {
    int n = Math.min(sketch.grid().size(), textOnly.grid().size());
    List<List<BufferedImage>> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      GridRow s = sketch.grid().get(i);
      GridRow t = textOnly.grid().get(i);
      if (!s.id().equals(t.id())) {
        throw new IllegalStateException(
            "grid rows of different samples: " + s.id() + " vs " + t.id());
      }
      rows.add(
          List.of(s.sketch(), t.generated(), s.generated(), t.segmentation(), s.segmentation()));
    }
    List<String> titles =
        List.of(
            "sketch",
            "text-only",
            "SketchingReality",
            "judge (text-only)",
            "judge (SketchingReality)");
    return LayoutEvaluation.grid(titles, rows, classes);
  }

  static String markdown(Condition sketch, Condition textOnly, Ratios r, Dataset data) {
    Settings s = sketch.settings();
    Result rs = sketch.result();
    Result rt = textOnly.result();
    StringBuilder md = new StringBuilder();
    md.append("# SketchWorld layout evaluation: SketchingReality vs the text-only baseline\n\n");
    md.append("| setting | value |\n|---|---|\n");
    md.append("| data | `").append(s.data()).append("` (").append(data.name()).append(") |\n");
    md.append("| model | `").append(s.model()).append("` (one backbone for both) |\n");
    md.append("| judge | `").append(s.judge()).append("` |\n");
    md.append("| samples | ").append(rs.samples()).append(" |\n");
    md.append("| seed | ")
        .append(s.seed())
        .append(" (per sample: Seeds.forSample(seed, id), the same in both conditions) |\n");
    md.append("| steps / guidance / DDIM eta | ")
        .append(s.steps())
        .append(" / ")
        .append(s.guidance())
        .append(" / ")
        .append(s.eta())
        .append(" |\n");
    md.append(
        String.format(
            Locale.ROOT,
            "| time | %.1f s (SketchingReality) + %.1f s (text-only) |%n%n",
            rs.seconds(),
            rt.seconds()));
    md.append("## Results\n\n");
    md.append("| metric | SketchingReality | text-only | sketch / text-only |\n");
    md.append("|---|---|---|---|\n");
    row(
        md,
        "layout mIoU (vs sketch-space masks)",
        rs.layoutMiou(),
        rt.layoutMiou(),
        r.layoutMiou());
    row(md, "mean per-image layout IoU", rs.meanImageIou(), rt.meanImageIou(), r.meanImageIou());
    row(md, "FID-SW (judge features, lower is better)", rs.fidSw(), rt.fidSw(), r.fidSw());
    md.append(
        "\nAn IoU ratio above 1 means the sketch made the layout more faithful; FID-SW is a"
            + " distance, so there a ratio below 1 means the sketch run is closer to the photos. A"
            + " ratio is n/a when either side is not available or the text-only value is 0.\n\n");
    if (rs.hasLayout() || rt.hasLayout()) {
      perCategory(md, rs, rt);
    }
    md.append("Full reports: [SketchingReality](")
        .append(SKETCH_DIR)
        .append("/report.md), [text-only baseline](")
        .append(TEXT_ONLY_DIR)
        .append("/report.md).\n\n");
    md.append("![grid](grid.png)\n");
    return md.toString();
  }

  private static void row(
      StringBuilder md, String metric, Double sketch, Double text, Double ratio) {
    md.append("| ")
        .append(metric)
        .append(" | ")
        .append(value(sketch))
        .append(" | ")
        .append(value(text))
        .append(" | ")
        .append(value(ratio))
        .append(" |\n");
  }

  private static String value(Double v) {
    return v == null ? "n/a" : LayoutEvaluation.fmt(v);
  }

  /** The categories either run scored or that were drawn, in the judge's order. */
  private static void perCategory(StringBuilder md, Result rs, Result rt) {
    md.append("## Per-category layout IoU\n\n");
    md.append("| category | SketchingReality | text-only | images drawn in |\n|---|---|---|---|\n");
    Map<String, Double> ps = rs.iou().perCategory();
    Map<String, Double> pt = rt.iou().perCategory();
    for (String c : rs.iou().categories()) {
      if (!ps.containsKey(c) && !pt.containsKey(c) && rs.iou().targetImages(c) == 0) {
        continue;
      }
      md.append("| ")
          .append(c)
          .append(" | ")
          .append(value(ps.get(c)))
          .append(" | ")
          .append(value(pt.get(c)))
          .append(" | ")
          .append(rs.iou().targetImages(c))
          .append(" |\n");
    }
    md.append('\n');
  }
}
