package dev.sketchreal.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.sketchreal.data.Dataset;
import dev.sketchreal.data.Mask;
import dev.sketchreal.data.Preprocess;
import dev.sketchreal.data.Sample;
import dev.sketchreal.data.SampleKind;
import dev.sketchreal.io.AtomicFiles;
import dev.sketchreal.io.Json;
import dev.sketchreal.io.PngWriter;
import dev.sketchreal.judge.JudgeConfig;
import dev.sketchreal.judge.JudgeTraining;
import dev.sketchreal.judge.LayoutJudge;
import dev.sketchreal.pipeline.GeneratedImage;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
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
import java.util.function.IntConsumer;

/**
 * {@code sketchreal eval}: generates an image for every sample of a SketchWorld-layout folder,
 * segments it with the {@link LayoutJudge}, and scores
 *
 * <ul>
 *   <li>layout IoU against the <b>sketch-space</b> masks (what the person drew): per category
 *       (summed over images), their mean (layout mIoU) and the mean per-image IoU;
 *   <li>FID-SW: the Fréchet distance between the judge's pooled penultimate features of the
 *       generated images and of the folder's photos of the same samples (not Inception FID; not
 *       available when the folder has no photos).
 * </ul>
 *
 * Writes {@code report.md}, {@code results.json} and {@code grid.png} (sketch | generated | judge's
 * segmentation) into the report folder, each atomically.
 */
public final class LayoutEvaluation {
  static final int CELL = 128;

  private LayoutEvaluation() {}

  /** What the report states about the run. */
  public record Settings(
      String mode,
      Path data,
      Path model,
      Path judge,
      long seed,
      int steps,
      double guidance,
      double eta,
      int gridRows) {}

  /**
   * The numbers of a run, and the images of its first {@link Settings#gridRows()} samples so that a
   * comparison of two runs can compose its grid without generating again.
   */
  public record Result(
      int samples,
      int scoredSamples,
      IouAccumulator iou,
      Double fidSw,
      String fidNote,
      int photos,
      double seconds,
      List<GridRow> grid) {
    public boolean hasLayout() {
      return scoredSamples > 0;
    }

    /** Layout mIoU, null when the folder has no sketch-space masks or nothing was scored. */
    public Double layoutMiou() {
      return hasLayout() ? finiteOrNull(iou.meanIou()) : null;
    }

    /** Mean per-image layout IoU, null when not available. */
    public Double meanImageIou() {
      return hasLayout() ? finiteOrNull(iou.meanImageIou()) : null;
    }
  }

  /**
   * One sample's row of {@code grid.png}.
   *
   * @param segmentation the judge's segmentation of {@code generated}, colourised
   */
  public record GridRow(
      String id, BufferedImage sketch, BufferedImage generated, BufferedImage segmentation) {}

  private static Double finiteOrNull(double v) {
    return Double.isFinite(v) ? v : null;
  }

  /**
   * Runs the evaluation over {@code ids} of {@code data} and writes the report folder.
   *
   * @param progress called with the number of samples done
   */
  public static Result run(
      Dataset data,
      List<String> ids,
      SampleGenerator generator,
      LayoutJudge judge,
      NDManager manager,
      Settings settings,
      Path out,
      IntConsumer progress)
      throws IOException {
    long start = System.nanoTime();
    JudgeConfig jc = judge.config();
    List<String> classes = jc.classes();
    IouAccumulator iou = new IouAccumulator(classes.subList(1, classes.size()));
    List<double[]> generatedFeatures = new ArrayList<>();
    List<double[]> photoFeatures = new ArrayList<>();
    List<GridRow> gridRows = new ArrayList<>();
    int scored = 0;
    int done = 0;
    for (String id : ids) {
      Sample sample = data.load(id, SampleKind.HAND_DRAWN);
      long seed = Seeds.forSample(settings.seed(), id);
      GeneratedImage image = generator.generate(sample, seed);
      Map<String, Mask> target = sample.sketchMasks().orElse(null);
      int outW = target == null ? image.width() : sample.sketch().getWidth();
      int outH = target == null ? image.height() : sample.sketch().getHeight();
      long[] labels;
      try (NDManager sub = manager.newSubManager()) {
        NDArray x =
            sub.create(image.pixels(), new Shape(1, 3, image.height(), image.width()))
                .mul(2f)
                .sub(1f);
        NDArray[] lf = judge.logitsAndFeatures(x, outH, outW);
        labels = lf[0].argMax(1).toType(DataType.INT64, false).toLongArray();
        generatedFeatures.add(toDoubles(lf[1].toFloatArray()));
        if (sample.photo().isPresent()) {
          NDArray photo =
              sub.create(
                  Preprocess.photo(sample.photo().get(), jc.imageSize()),
                  new Shape(1, 3, jc.imageSize(), jc.imageSize()));
          photoFeatures.add(toDoubles(judge.logitsAndFeatures(photo, 1, 1)[1].toFloatArray()));
        }
      }
      Map<String, Mask> predicted = JudgeTraining.masksOf(labels, 0, outH, outW, classes);
      if (target != null) {
        Map<String, Mask> sized = new LinkedHashMap<>();
        target.forEach(
            (c, m) ->
                sized.put(c, m.width() == outW && m.height() == outH ? m : m.resize(outW, outH)));
        iou.add(predicted, sized);
        scored++;
      }
      if (gridRows.size() < settings.gridRows()) {
        gridRows.add(
            new GridRow(
                id,
                sample.sketch(),
                PngWriter.toImage(image.pixels(), image.height(), image.width()),
                colourise(labels, outH, outW)));
      }
      progress.accept(++done);
    }
    Double fid = null;
    String fidNote;
    if (photoFeatures.size() < 2) {
      fidNote =
          photoFeatures.isEmpty()
              ? "not available: the folder has no photos"
              : "not available: fewer than 2 photos";
    } else if (generatedFeatures.size() < 2) {
      fidNote = "not available: fewer than 2 generated images";
    } else {
      fid =
          Frechet.distance(
              generatedFeatures.toArray(new double[0][]), photoFeatures.toArray(new double[0][]));
      fidNote =
          generatedFeatures.size()
              + " generated vs "
              + photoFeatures.size()
              + " photos, "
              + generatedFeatures.get(0).length
              + "-d judge features";
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    Result result =
        new Result(ids.size(), scored, iou, fid, fidNote, photoFeatures.size(), seconds, gridRows);
    Files.createDirectories(out);
    List<List<BufferedImage>> cells =
        gridRows.stream().map(r -> List.of(r.sketch(), r.generated(), r.segmentation())).toList();
    BufferedImage grid = grid(List.of("sketch", "generated", "judge segmentation"), cells, classes);
    AtomicFiles.write(out.resolve("grid.png"), PngWriter.encode(grid, Map.of()));
    AtomicFiles.write(
        out.resolve("report.md"),
        markdown(result, settings, data).getBytes(StandardCharsets.UTF_8));
    Json.writeAtomically(out.resolve("results.json"), json(result, settings));
    return result;
  }

  private static double[] toDoubles(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }

  /**
   * A fixed palette: background light grey, categories in distinct colours (then golden-ratio
   * hues).
   */
  private static final int[] PALETTE = {
    0xEBEBEB, 0xFFC800, 0x3C64DC, 0x82D2FF, 0x8C5A3C, 0x1E9632, 0xDC2828, 0xFF7800, 0x000080,
    0x6E6E6E, 0xFF64C8, 0xA0A000, 0x96E65A
  };

  static Color colour(int classId) {
    if (classId < PALETTE.length) {
      return new Color(PALETTE[classId]);
    }
    float hue = (classId * 0.618034f) % 1f;
    return Color.getHSBColor(hue, 0.75f, 0.9f);
  }

  static BufferedImage colourise(long[] labels, int h, int w) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, colour((int) labels[y * w + x]).getRGB());
      }
    }
    return img;
  }

  /**
   * A grid of {@link #CELL}-sized cells, one column per title, with the segmentation palette's
   * legend underneath (every row must have one image per title).
   */
  static BufferedImage grid(
      List<String> titles, List<List<BufferedImage>> rows, List<String> classes) {
    int header = 16;
    int cols = titles.size();
    int legendRows = (classes.size() + 3) / 4;
    int height = header + Math.max(1, rows.size()) * CELL + 6 + legendRows * 14;
    BufferedImage out = new BufferedImage(cols * CELL, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    try {
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, out.getWidth(), out.getHeight());
      g.setColor(Color.DARK_GRAY);
      for (int c = 0; c < cols; c++) {
        g.setFont(titleFont(g, titles.get(c)));
        g.drawString(titles.get(c), c * CELL + 4, 12);
      }
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
      g.setRenderingHint(
          RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
      for (int r = 0; r < rows.size(); r++) {
        for (int c = 0; c < cols; c++) {
          g.drawImage(rows.get(r).get(c), c * CELL, header + r * CELL, CELL, CELL, null);
        }
      }
      int top = header + Math.max(1, rows.size()) * CELL + 6;
      for (int k = 0; k < classes.size(); k++) {
        int x = (k % 4) * (cols * CELL / 4) + 4;
        int y = top + (k / 4) * 14;
        g.setColor(colour(k));
        g.fillRect(x, y, 10, 10);
        g.setColor(Color.DARK_GRAY);
        g.drawRect(x, y, 10, 10);
        g.drawString(classes.get(k), x + 14, y + 10);
      }
    } finally {
      g.dispose();
    }
    return out;
  }

  /** 11 pt, smaller for a title that would otherwise run into the next column. */
  private static Font titleFont(Graphics2D g, String title) {
    Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
    while (font.getSize() > 7 && g.getFontMetrics(font).stringWidth(title) > CELL - 6) {
      font = font.deriveFont((float) font.getSize() - 1);
    }
    return font;
  }

  static String fmt(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.4f", v);
  }

  static String markdown(Result r, Settings s, Dataset data) {
    StringBuilder md = new StringBuilder();
    md.append("# SketchWorld layout evaluation (").append(s.mode()).append(")\n\n");
    md.append("| setting | value |\n|---|---|\n");
    md.append("| data | `").append(s.data()).append("` (").append(data.name()).append(") |\n");
    md.append("| model | `").append(s.model()).append("` |\n");
    md.append("| judge | `").append(s.judge()).append("` |\n");
    md.append("| mode | ").append(s.mode()).append(" |\n");
    md.append("| samples | ").append(r.samples()).append(" |\n");
    md.append("| seed | ").append(s.seed()).append(" (per sample: Seeds.forSample(seed, id)) |\n");
    md.append("| steps / guidance / DDIM eta | ")
        .append(s.steps())
        .append(" / ")
        .append(s.guidance())
        .append(" / ")
        .append(s.eta())
        .append(" |\n");
    md.append(String.format(Locale.ROOT, "| time | %.1f s |%n%n", r.seconds()));
    md.append("## Results\n\n| metric | value |\n|---|---|\n");
    if (r.hasLayout()) {
      md.append("| layout mIoU (vs sketch-space masks) | ")
          .append(fmt(r.iou().meanIou()))
          .append(" |\n");
      md.append("| mean per-image layout IoU | ")
          .append(fmt(r.iou().meanImageIou()))
          .append(" |\n");
      md.append("| images with sketch-space masks | ").append(r.scoredSamples()).append(" |\n");
    } else {
      md.append("| layout mIoU | not available: the folder has no sketch-space masks |\n");
    }
    md.append("| FID-SW (judge features, not Inception FID) | ")
        .append(r.fidSw() == null ? "not available" : fmt(r.fidSw()))
        .append(" (")
        .append(r.fidNote())
        .append(") |\n\n");
    if (r.hasLayout()) {
      md.append(
          "## Per-category layout IoU\n\n| category | IoU | images drawn in |\n|---|---|---|\n");
      Map<String, Double> per = r.iou().perCategory();
      for (String c : r.iou().categories()) {
        long n = r.iou().targetImages(c);
        if (per.containsKey(c) || n > 0) {
          md.append("| ")
              .append(c)
              .append(" | ")
              .append(fmt(per.getOrDefault(c, Double.NaN)))
              .append(" | ")
              .append(n)
              .append(" |\n");
        }
      }
      md.append('\n');
    }
    md.append(
        "IoU is computed per category over all images (intersections and unions summed), between the"
            + " judge's segmentation of each generated image (resized to the sketch) and the"
            + " sketch-space masks of what was drawn; layout mIoU is the mean over scored"
            + " categories. FID-SW is the Fréchet distance between the judge's pooled penultimate"
            + " features of the generated images and of the folder's photos.\n\n");
    md.append("![grid](grid.png)\n");
    return md.toString();
  }

  static Map<String, Object> json(Result r, Settings s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("mode", s.mode());
    m.put("data", s.data().toString());
    m.put("model", s.model().toString());
    m.put("judge", s.judge().toString());
    m.put("seed", s.seed());
    m.put("steps", s.steps());
    m.put("guidance", s.guidance());
    m.put("eta", s.eta());
    m.put("samples", r.samples());
    m.put("scored_samples", r.scoredSamples());
    m.put("layout_miou", r.hasLayout() ? r.iou().meanIou() : null);
    m.put("mean_image_iou", r.hasLayout() ? r.iou().meanImageIou() : null);
    m.put("per_category_iou", r.iou().perCategory());
    m.put("fid_sw", r.fidSw());
    m.put("fid_sw_note", r.fidNote());
    m.put("seconds", r.seconds());
    return m;
  }
}
