package dev.sketchreal.data.sketchworld;

import dev.sketchreal.data.Mask;
import dev.sketchreal.data.VectorSketch;
import dev.sketchreal.data.sketchworld.SceneGraph.Ground;
import dev.sketchreal.data.sketchworld.SceneGraph.SceneObject;
import dev.sketchreal.data.sketchworld.SketchIcons.Icon;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Draws a scene graph the way a hurried person would (SKETCHWORLD.md): abstraction (icons, groups
 * as 2–3 icons, dropped details), deformation (shifted positions, distorted sizes, perspective
 * ignored), stroke noise (wobble, overshoot, gaps, uneven pressure, extra strokes, cut corners) and
 * omission of small or background objects. Output: FS-COCO-style strokes, their raster (dark
 * strokes of varying width on white) and the exact mask of every drawn object in sketch space.
 *
 * <p>The sketch works from the scene graph, not from the photo: like a person looking at the photo
 * and drawing from memory, it is not pixel-aligned with it.
 */
final class HandDrawnSketcher {
  /**
   * @param omitted photo instances not drawn at all
   * @param merged photo instances folded into a group's icons (drawn, but not one icon each)
   */
  record Result(
      VectorSketch strokes,
      BufferedImage raster,
      List<InstanceMask> masks,
      List<Integer> omitted,
      List<Integer> merged) {}

  /** A noisy polyline with a line width per point. */
  private record Stroke(double[][] pts, double[] widths) {}

  private final SketchWorldConfig.HandDrawn style;

  HandDrawnSketcher(SketchWorldConfig.HandDrawn style) {
    this.style = style;
  }

  Result draw(SceneGraph scene, int size, SplittableRandom r) {
    Set<Integer> omitted = chooseOmitted(scene, r);
    List<Stroke> strokes = new ArrayList<>();
    List<InstanceMask> shapes = new ArrayList<>(); // full outlines, back to front
    double[][] horizon = horizon(scene, size, r);
    strokes.addAll(noisy(java.util.Collections.singletonList(horizon), List.of(false), size, r));
    SceneObject grass = null;
    List<Integer> merged = new ArrayList<>();
    Set<Integer> done = new HashSet<>(omitted);
    for (SceneObject o : scene.objects()) {
      if (done.contains(o.instance())) {
        continue;
      }
      if (o.category() == Category.GRASS) {
        grass = o;
        strokes.addAll(noisy(grassTufts(horizon, size, r), null, size, r));
        shapes.add(
            new InstanceMask(
                o.instance(), o.category(), MaskRaster.rasterize(below(horizon, size), size)));
        done.add(o.instance());
        continue;
      }
      List<SceneObject> group = groupOf(scene, o, done, r);
      List<double[]> boxes = group.size() > 1 ? groupBoxes(group, r) : List.of(deform(o, scene, r));
      for (int i = 0; i < boxes.size(); i++) {
        double[] b = boxes.get(i);
        SceneObject src = group.get(i);
        Icon icon =
            SketchIcons.icon(
                o.category(),
                src.variant(),
                src.shapeSeed(),
                b[0] * size,
                b[1] * size,
                b[2] * size,
                b[3] * size,
                style.abstraction(),
                r);
        strokes.addAll(noisy(icon.strokes(), icon.closed(), size, r));
        extraStrokes(icon, strokes, size, r);
        shapes.add(
            new InstanceMask(
                src.instance(), o.category(), MaskRaster.rasterize(icon.outline(), size)));
      }
      for (int i = 0; i < group.size(); i++) {
        done.add(group.get(i).instance());
        if (i >= boxes.size()) {
          merged.add(group.get(i).instance());
        }
      }
    }
    if (scene.ground() == Ground.WATER
        && r.nextDouble() < style.abstraction().groundTextureProbability()) {
      strokes.addAll(noisy(waves(horizon, size, r), null, size, r));
    }
    List<Mask> visible = MaskRaster.visible(shapes.stream().map(InstanceMask::mask).toList());
    List<InstanceMask> masks = new ArrayList<>();
    for (int i = 0; i < shapes.size(); i++) {
      if (!visible.get(i).isEmpty()) {
        masks.add(
            new InstanceMask(shapes.get(i).instance(), shapes.get(i).category(), visible.get(i)));
      }
    }
    List<double[][]> lines = strokes.stream().map(Stroke::pts).toList();
    return new Result(
        VectorSketch.fromStrokes(lines),
        raster(strokes, size, r),
        masks,
        List.copyOf(omitted),
        merged);
  }

  // ------------------------------------------------------------------ omission and grouping

  private Set<Integer> chooseOmitted(SceneGraph scene, SplittableRandom r) {
    Set<Integer> out = new HashSet<>();
    SceneObject largest = null;
    for (SceneObject o : scene.objects()) {
      if (o.category() == Category.GRASS) {
        if (r.nextDouble() >= style.abstraction().groundTextureProbability()) {
          out.add(o.instance()); // no tufts drawn: grass is not in the sketch
        }
        continue;
      }
      if (largest == null || o.w() * o.h() > largest.w() * largest.h()) {
        largest = o;
      }
      boolean background =
          switch (o.category()) {
            case CLOUD, BIRD, MOUNTAIN, FLOWER, FENCE -> true;
            default -> false;
          };
      boolean small = o.w() * o.h() < style.omission().smallArea();
      if ((background || small) && r.nextDouble() < style.omission().probability()) {
        out.add(o.instance());
      }
    }
    if (largest != null) {
      out.remove(largest.instance()); // something is always drawn
    }
    return out;
  }

  // Three or more objects of a kind may become 2–3 icons ("a forest as 2–3 tree icons").
  private List<SceneObject> groupOf(
      SceneGraph scene, SceneObject o, Set<Integer> done, SplittableRandom r) {
    List<SceneObject> same = new ArrayList<>();
    for (SceneObject s : scene.objects()) {
      if (s.category() == o.category() && !done.contains(s.instance())) {
        same.add(s);
      }
    }
    if (same.size() >= 3 && r.nextDouble() < style.abstraction().groupProbability()) {
      return same;
    }
    return List.of(o);
  }

  // 2–3 evenly spread, equally sized icons over the group's extent.
  private List<double[]> groupBoxes(List<SceneObject> group, SplittableRandom r) {
    int icons = Math.min(group.size() - 1, 2 + r.nextInt(2));
    double x0 = 1;
    double x1 = 0;
    double w = 0;
    double h = 0;
    double bottom = 0;
    for (SceneObject s : group) {
      x0 = Math.min(x0, s.x());
      x1 = Math.max(x1, s.x() + s.w());
      w += s.w() / group.size();
      h += s.h() / group.size();
      bottom += s.bottom() / group.size();
    }
    List<double[]> out = new ArrayList<>();
    double jitter = style.deformation().positionJitter();
    for (int i = 0; i < icons; i++) {
      double cx = x0 + (x1 - x0) * (i + 0.5) / icons + jitter * 0.5 * (r.nextDouble() - 0.5);
      double by = bottom + jitter * 0.5 * (r.nextDouble() - 0.5);
      out.add(new double[] {cx - w / 2, by - h, w, h});
    }
    return out;
  }

  // ------------------------------------------------------------------ deformation

  /** Deformed box (x, y, w, h), canvas fractions. */
  private double[] deform(SceneObject o, SceneGraph scene, SplittableRandom r) {
    SketchWorldConfig.Deformation d = style.deformation();
    double w = o.w();
    double h = o.h();
    double cx = o.centerX();
    double bottom = o.bottom();
    if (r.nextDouble() < d.probability()) {
      if (!o.category().inSky() && r.nextDouble() < d.perspectiveIgnoreProbability()) {
        double depth = 0.45 + 0.55 * (o.bottom() - scene.horizon()) / (1 - scene.horizon());
        double undo = 0.75 / Math.max(0.3, depth); // draw at a typical size, whatever the depth
        w *= undo;
        h *= undo;
      }
      double f = d.sizeMin() + (d.sizeMax() - d.sizeMin()) * r.nextDouble();
      double a = 1 + d.aspectJitter() * (2 * r.nextDouble() - 1);
      w *= f * a;
      h *= f / a;
      cx += d.positionJitter() * (2 * r.nextDouble() - 1);
      bottom += d.positionJitter() * (2 * r.nextDouble() - 1) * 0.7;
    }
    cx = Math.max(0.05, Math.min(0.95, cx));
    bottom = Math.max(h * 0.5, Math.min(1.02, bottom));
    return new double[] {cx - w / 2, bottom - h, w, h};
  }

  // ------------------------------------------------------------------ ground

  private double[][] horizon(SceneGraph scene, int size, SplittableRandom r) {
    double tilt = style.deformation().horizonTilt() * (2 * r.nextDouble() - 1);
    double y =
        scene.horizon() + style.deformation().positionJitter() * 0.4 * (2 * r.nextDouble() - 1);
    double x0 = -0.02 + 0.06 * r.nextDouble();
    double x1 = 0.96 + 0.06 * r.nextDouble();
    int n = 8;
    double[][] pts = new double[n + 1][];
    for (int i = 0; i <= n; i++) {
      double u = x0 + (x1 - x0) * i / n;
      pts[i] = new double[] {u * size, (y + tilt * (u - 0.5)) * size};
    }
    return pts;
  }

  private static double horizonAt(double[][] horizon, double px) {
    for (int i = 1; i < horizon.length; i++) {
      if (px <= horizon[i][0] || i == horizon.length - 1) {
        double t = (px - horizon[i - 1][0]) / (horizon[i][0] - horizon[i - 1][0]);
        return horizon[i - 1][1] + t * (horizon[i][1] - horizon[i - 1][1]);
      }
    }
    return horizon[0][1];
  }

  // The region below the drawn horizon line (grass mask in sketch space).
  private static Path2D below(double[][] horizon, int size) {
    Path2D p = new Path2D.Double();
    p.moveTo(-1, horizonAt(horizon, -1));
    for (double[] pt : horizon) {
      p.lineTo(pt[0], pt[1]);
    }
    p.lineTo(size + 1, horizonAt(horizon, size + 1));
    p.lineTo(size + 1, size + 1);
    p.lineTo(-1, size + 1);
    p.closePath();
    return p;
  }

  // Rows of short vertical ticks, "| | |" or "vvv".
  private List<double[][]> grassTufts(double[][] horizon, int size, SplittableRandom r) {
    List<double[][]> out = new ArrayList<>();
    int clumps = 2 + r.nextInt(3);
    for (int c = 0; c < clumps; c++) {
      double cx = (0.1 + 0.8 * r.nextDouble()) * size;
      double top = horizonAt(horizon, cx);
      double cy = top + (0.15 + 0.8 * r.nextDouble()) * (size - top);
      int ticks = 3 + r.nextInt(4);
      double len = size * (0.03 + 0.03 * r.nextDouble());
      boolean vee = r.nextBoolean();
      for (int t = 0; t < ticks; t++) {
        double tx = cx + (t - ticks / 2.0) * len * 0.55;
        if (vee) {
          out.add(
              new double[][] {{tx - len * 0.25, cy - len}, {tx, cy}, {tx + len * 0.25, cy - len}});
        } else {
          out.add(new double[][] {{tx, cy}, {tx + len * 0.15 * (r.nextDouble() - 0.5), cy - len}});
        }
      }
    }
    return out;
  }

  private List<double[][]> waves(double[][] horizon, int size, SplittableRandom r) {
    List<double[][]> out = new ArrayList<>();
    int n = 2 + r.nextInt(4);
    for (int k = 0; k < n; k++) {
      double x0 = (0.05 + 0.6 * r.nextDouble()) * size;
      double len = (0.15 + 0.25 * r.nextDouble()) * size;
      double top = horizonAt(horizon, x0);
      double y = top + (0.15 + 0.8 * r.nextDouble()) * (size - top);
      double amp = size * 0.012;
      int pts = 16;
      double[][] line = new double[pts + 1][];
      for (int i = 0; i <= pts; i++) {
        double u = (double) i / pts;
        line[i] = new double[] {x0 + len * u, y + amp * Math.sin(u * 2 * Math.PI * 2.5)};
      }
      out.add(line);
    }
    return out;
  }

  // ------------------------------------------------------------------ stroke noise

  private List<Stroke> noisy(
      List<double[][]> lines, List<Boolean> closed, int size, SplittableRandom r) {
    List<Stroke> out = new ArrayList<>();
    SketchWorldConfig.StrokeNoise n = style.strokeNoise();
    for (int i = 0; i < lines.size(); i++) {
      double[][] pts = lines.get(i);
      if (closed != null && closed.get(i) && r.nextDouble() < n.cornerRounding()) {
        pts = cutCorners(pts, r);
      }
      pts = resample(pts, Math.max(1.2, size / 64.0));
      pts = overshoot(pts, size, r);
      if (r.nextDouble() < n.wobbleProbability()) {
        pts = wobble(pts, size, r);
      }
      for (double[][] piece : gap(pts, r)) {
        if (piece.length >= 2) {
          out.add(new Stroke(piece, widths(piece.length, size, r)));
        }
      }
    }
    return out;
  }

  // Replaces each inner corner by two points a little along its edges (a sloppy, rounded turn).
  private static double[][] cutCorners(double[][] pts, SplittableRandom r) {
    List<double[]> out = new ArrayList<>();
    out.add(pts[0]);
    for (int i = 1; i < pts.length - 1; i++) {
      double t = 0.1 + 0.2 * r.nextDouble();
      out.add(lerp(pts[i], pts[i - 1], t));
      out.add(lerp(pts[i], pts[i + 1], t));
    }
    out.add(pts[pts.length - 1]);
    return out.toArray(new double[0][]);
  }

  private static double[] lerp(double[] a, double[] b, double t) {
    return new double[] {a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t};
  }

  // Points at most `step` pixels apart, so wobble and pressure can vary along straight lines.
  private static double[][] resample(double[][] pts, double step) {
    List<double[]> out = new ArrayList<>();
    out.add(pts[0]);
    for (int i = 1; i < pts.length; i++) {
      double len = Math.hypot(pts[i][0] - pts[i - 1][0], pts[i][1] - pts[i - 1][1]);
      int k = Math.max(1, (int) Math.ceil(len / step));
      for (int j = 1; j <= k; j++) {
        out.add(lerp(pts[i - 1], pts[i], (double) j / k));
      }
    }
    return out.toArray(new double[0][]);
  }

  private double[][] overshoot(double[][] pts, int size, SplittableRandom r) {
    SketchWorldConfig.StrokeNoise n = style.strokeNoise();
    List<double[]> out = new ArrayList<>(List.of(pts));
    if (pts.length >= 2 && r.nextDouble() < n.overshootProbability()) {
      out.add(
          extend(
              pts[pts.length - 2],
              pts[pts.length - 1],
              n.overshoot() * size * (0.4 + r.nextDouble())));
    }
    if (pts.length >= 2 && r.nextDouble() < n.overshootProbability()) {
      out.add(0, extend(pts[1], pts[0], n.overshoot() * size * (0.4 + r.nextDouble())));
    }
    return out.toArray(new double[0][]);
  }

  private static double[] extend(double[] from, double[] to, double by) {
    double len = Math.max(1e-9, Math.hypot(to[0] - from[0], to[1] - from[1]));
    return new double[] {
      to[0] + (to[0] - from[0]) / len * by, to[1] + (to[1] - from[1]) / len * by
    };
  }

  // Smooth sideways displacement: two sines along the arc length, plus a slow drift.
  private double[][] wobble(double[][] pts, int size, SplittableRandom r) {
    double amp = style.strokeNoise().wobble() * size * (0.5 + r.nextDouble());
    double f1 = 1.5 + 2.5 * r.nextDouble();
    double f2 = 4 + 5 * r.nextDouble();
    double ph1 = r.nextDouble() * 2 * Math.PI;
    double ph2 = r.nextDouble() * 2 * Math.PI;
    double[][] out = new double[pts.length][];
    double s = 0;
    for (int i = 0; i < pts.length; i++) {
      if (i > 0) {
        s += Math.hypot(pts[i][0] - pts[i - 1][0], pts[i][1] - pts[i - 1][1]) / size;
      }
      int a = Math.max(0, i - 1);
      int b = Math.min(pts.length - 1, i + 1);
      double tx = pts[b][0] - pts[a][0];
      double ty = pts[b][1] - pts[a][1];
      double len = Math.max(1e-9, Math.hypot(tx, ty));
      double d =
          amp * (Math.sin(2 * Math.PI * f1 * s + ph1) + 0.4 * Math.sin(2 * Math.PI * f2 * s + ph2));
      out[i] = new double[] {pts[i][0] - ty / len * d, pts[i][1] + tx / len * d};
    }
    return out;
  }

  // Maybe removes a stretch in the middle (the pen skipped), giving two strokes.
  private List<double[][]> gap(double[][] pts, SplittableRandom r) {
    SketchWorldConfig.StrokeNoise n = style.strokeNoise();
    if (pts.length < 8 || r.nextDouble() >= n.gapProbability()) {
      return java.util.Collections.singletonList(pts);
    }
    int len = Math.max(1, (int) (pts.length * n.gapLength() * (0.5 + r.nextDouble())));
    int start = 2 + r.nextInt(Math.max(1, pts.length - len - 4));
    int end = Math.min(pts.length - 2, start + len);
    List<double[][]> out = new ArrayList<>();
    out.add(java.util.Arrays.copyOfRange(pts, 0, start));
    out.add(java.util.Arrays.copyOfRange(pts, end, pts.length));
    return out;
  }

  // Uneven pressure: a smooth random profile along the stroke, thinner at the ends.
  private double[] widths(int n, int size, SplittableRandom r) {
    double base = style.strokeWidth() * size * (0.8 + 0.45 * r.nextDouble());
    double pv = style.strokeNoise().pressureVariation();
    double f = 0.5 + 1.5 * r.nextDouble();
    double ph = r.nextDouble() * 2 * Math.PI;
    double[] w = new double[n];
    for (int i = 0; i < n; i++) {
      double t = n == 1 ? 0 : (double) i / (n - 1);
      double taper = Math.min(1, Math.min(t, 1 - t) * 6 + 0.45);
      w[i] = Math.max(0.5, base * (1 + pv * Math.sin(2 * Math.PI * f * t + ph)) * taper);
    }
    return w;
  }

  // A retraced line (gone over twice, slightly off) or a stray tick near the object.
  private void extraStrokes(Icon icon, List<Stroke> strokes, int size, SplittableRandom r) {
    if (icon.strokes().isEmpty()
        || r.nextDouble() >= style.strokeNoise().extraStrokeProbability()) {
      return;
    }
    double[][] src = icon.strokes().get(r.nextInt(icon.strokes().size()));
    double dx = (r.nextDouble() - 0.5) * size * 0.02;
    double dy = (r.nextDouble() - 0.5) * size * 0.02;
    List<double[][]> extra = new ArrayList<>();
    if (r.nextBoolean()) {
      int from = r.nextInt(src.length);
      int to = Math.min(src.length, from + 2 + r.nextInt(Math.max(1, src.length)));
      double[][] part = java.util.Arrays.copyOfRange(src, from, to);
      if (part.length >= 2) {
        double[][] shifted = new double[part.length][];
        for (int i = 0; i < part.length; i++) {
          shifted[i] = new double[] {part[i][0] + dx, part[i][1] + dy};
        }
        extra.add(shifted);
      }
    } else {
      double[] a = src[r.nextInt(src.length)];
      double len = size * (0.02 + 0.03 * r.nextDouble());
      double ang = r.nextDouble() * 2 * Math.PI;
      extra.add(
          new double[][] {
            {a[0] + dx, a[1] + dy},
            {a[0] + dx + len * Math.cos(ang), a[1] + dy + len * Math.sin(ang)}
          });
    }
    strokes.addAll(noisy(extra, null, size, r));
  }

  // ------------------------------------------------------------------ raster

  private BufferedImage raster(List<Stroke> strokes, int size, SplittableRandom r) {
    BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
    Graphics2D g = img.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, size, size);
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
    for (Stroke s : strokes) {
      int ink = 15 + r.nextInt(45);
      g.setColor(new Color(ink, ink, ink));
      for (int i = 1; i < s.pts().length; i++) {
        float wid = (float) (0.5 * (s.widths()[i - 1] + s.widths()[i]));
        g.setStroke(new BasicStroke(wid, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        g.draw(
            new Line2D.Double(s.pts()[i - 1][0], s.pts()[i - 1][1], s.pts()[i][0], s.pts()[i][1]));
      }
    }
    g.dispose();
    return img;
  }

  /** Category → drawn instance ids, for reports. */
  static Map<Category, List<Integer>> drawn(List<InstanceMask> masks) {
    Map<Category, List<Integer>> out = new LinkedHashMap<>();
    for (InstanceMask m : masks) {
      out.computeIfAbsent(m.category(), k -> new ArrayList<>()).add(m.instance());
    }
    return out;
  }
}
