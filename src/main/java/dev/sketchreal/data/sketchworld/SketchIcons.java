package dev.sketchreal.data.sketchworld;

import java.awt.BasicStroke;
import java.awt.Shape;
import java.awt.geom.Area;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The abstracted icon a hurried person draws for each category, as clean polylines plus the filled
 * outline (the object's mask in sketch space). Noise is added later by {@link HandDrawnSketcher}.
 * The icons follow FS-COCO habits: the sun as a circle with rays, clouds as bumpy outlines, trees
 * as lollipops or zig-zag pines, a house as a square with a triangle roof, a car as a box with two
 * wheels, birds as a "v".
 */
final class SketchIcons {
  /**
   * @param strokes polylines, each {@code double[n][2]} in canvas pixels
   * @param closed per stroke: whether it outlines a polygon (so its corners may be cut)
   * @param outline filled outline, the icon's mask
   */
  record Icon(List<double[][]> strokes, List<Boolean> closed, Shape outline) {}

  private SketchIcons() {}

  /** Builds the icon for a category in the box (x, y, w, h), canvas pixels. */
  static Icon icon(
      Category c,
      int variant,
      long shapeSeed,
      double x,
      double y,
      double w,
      double h,
      SketchWorldConfig.Abstraction abs,
      SplittableRandom r) {
    Builder b = new Builder(x, y, w, h, abs, r);
    SplittableRandom shape = new SplittableRandom(shapeSeed);
    switch (c) {
      case SUN -> b.sun();
      case MOON -> b.moon(variant);
      case CLOUD -> b.cloud(shape);
      case MOUNTAIN -> b.mountain(shape);
      case TREE -> b.tree(variant);
      case HOUSE -> b.house();
      case CAR -> b.car();
      case BOAT -> b.boat();
      case BIRD -> b.bird();
      case FLOWER -> b.flower();
      case FENCE -> b.fence();
      case GRASS -> throw new IllegalArgumentException("grass is drawn as ground texture");
    }
    return new Icon(b.strokes, b.closed, b.outline);
  }

  private static final class Builder {
    final double x;
    final double y;
    final double w;
    final double h;
    final SketchWorldConfig.Abstraction abs;
    final SplittableRandom r;
    final List<double[][]> strokes = new ArrayList<>();
    final List<Boolean> closed = new ArrayList<>();
    final Area outline = new Area();

    Builder(
        double x,
        double y,
        double w,
        double h,
        SketchWorldConfig.Abstraction abs,
        SplittableRandom r) {
      this.x = x;
      this.y = y;
      this.w = w;
      this.h = h;
      this.abs = abs;
      this.r = r;
    }

    // Point in box units (u, v) ∈ [0,1]².
    double[] p(double u, double v) {
      return new double[] {x + u * w, y + v * h};
    }

    void stroke(boolean isClosed, double[]... pts) {
      strokes.add(pts);
      closed.add(isClosed);
    }

    boolean detail() {
      return r.nextDouble() >= abs.detailDropProbability();
    }

    void fill(double[][] pts) {
      Path2D path = new Path2D.Double();
      path.moveTo(pts[0][0], pts[0][1]);
      for (int i = 1; i < pts.length; i++) {
        path.lineTo(pts[i][0], pts[i][1]);
      }
      path.closePath();
      outline.add(new Area(path));
    }

    // A hurried loop: starts anywhere, closes with an over- or undershoot, radius drifts.
    double[][] loop(double cu, double cv, double ru, double rv, int n) {
      double start = r.nextDouble() * 2 * Math.PI;
      double sweep = 2 * Math.PI + (r.nextDouble() * 0.7 - 0.25);
      double drift = (r.nextDouble() - 0.5) * 0.16;
      double[][] pts = new double[n + 1][];
      for (int i = 0; i <= n; i++) {
        double t = (double) i / n;
        double a = start + sweep * t;
        double k = 1 + drift * t;
        pts[i] = p(cu + ru * k * Math.cos(a), cv + rv * k * Math.sin(a));
      }
      return pts;
    }

    void disc(double cu, double cv, double ru, double rv) {
      outline.add(
          new Area(
              new Ellipse2D.Double(x + (cu - ru) * w, y + (cv - rv) * h, 2 * ru * w, 2 * rv * h)));
    }

    void sun() {
      stroke(false, loop(0.5, 0.5, 0.5, 0.5, 24));
      disc(0.5, 0.5, 0.5, 0.5);
      if (r.nextDouble() < abs.sunRayProbability()) {
        int rays = 6 + r.nextInt(5);
        double off = r.nextDouble();
        for (int i = 0; i < rays; i++) {
          double a = 2 * Math.PI * (i + off) / rays + 0.15 * (r.nextDouble() - 0.5);
          double r0 = 0.62 + 0.08 * r.nextDouble();
          double r1 = 0.85 + 0.25 * r.nextDouble();
          stroke(
              false,
              p(0.5 + r0 * Math.cos(a), 0.5 + r0 * Math.sin(a)),
              p(0.5 + r1 * Math.cos(a), 0.5 + r1 * Math.sin(a)));
        }
      }
    }

    void moon(int variant) {
      if (variant == 0) {
        stroke(false, loop(0.5, 0.5, 0.5, 0.5, 24));
        disc(0.5, 0.5, 0.5, 0.5);
        return;
      }
      // Crescent: outer arc through the left side, inner curve back between the two tips.
      int n = 18;
      double a0 = -1.1;
      double span = 2 * Math.PI - 2.2;
      List<double[]> pts = new ArrayList<>();
      for (int i = 0; i <= n; i++) {
        double a = a0 - span * i / n;
        pts.add(p(0.5 + 0.5 * Math.cos(a), 0.5 + 0.5 * Math.sin(a)));
      }
      double[] top = pts.get(0);
      double[] bottom = pts.get(n);
      double cx = x + 0.45 * w;
      double cy = y + 0.5 * h;
      for (int i = 1; i <= 10; i++) {
        double t = i / 10.0;
        double px = (1 - t) * (1 - t) * bottom[0] + 2 * t * (1 - t) * cx + t * t * top[0];
        double py = (1 - t) * (1 - t) * bottom[1] + 2 * t * (1 - t) * cy + t * t * top[1];
        pts.add(new double[] {px, py});
      }
      double[][] arr = pts.toArray(new double[0][]);
      stroke(false, arr);
      fill(arr);
    }

    void cloud(SplittableRandom shape) {
      // Flat bottom left to right, then bumps back from right to left; the outer ends of the
      // first and last bump meet the bottom line, inner ends meet each other higher up.
      int bumps = 3 + shape.nextInt(3);
      List<double[]> pts = new ArrayList<>();
      pts.add(p(0.08, 0.9));
      pts.add(p(0.92, 0.9));
      for (int b = 0; b < bumps; b++) {
        double u0 = 0.92 - 0.84 * b / bumps;
        double u1 = 0.92 - 0.84 * (b + 1) / bumps;
        double v0 = b == 0 ? 0.9 : 0.6;
        double v1 = b == bumps - 1 ? 0.9 : 0.6;
        double height = 0.25 + 0.35 * Math.sin(Math.PI * (b + 0.5) / bumps) + 0.1 * r.nextDouble();
        for (int i = 1; i <= 6; i++) {
          double t = i / 6.0;
          double v = v0 + (v1 - v0) * t - height * Math.sin(Math.PI * t);
          pts.add(p(u0 + (u1 - u0) * t, Math.max(0, v)));
        }
      }
      double[][] arr = pts.toArray(new double[0][]);
      stroke(false, arr);
      fill(arr);
    }

    void mountain(SplittableRandom shape) {
      double[] ridge = PhotoShapes.ridge(shape, x, y, w, h);
      double[][] pts = new double[ridge.length / 2][];
      for (int i = 0; i < pts.length; i++) {
        pts[i] = new double[] {ridge[2 * i], ridge[2 * i + 1]};
      }
      stroke(false, pts);
      fill(pts);
      if (detail() && r.nextBoolean()) { // snow-line zig-zag under the peak
        double[] peak = pts[3];
        double span = 0.12 * w;
        double yy = peak[1] + 0.28 * h;
        stroke(
            false,
            new double[] {peak[0] - span, yy},
            new double[] {peak[0] - span / 3, yy + 0.06 * h},
            new double[] {peak[0] + span / 3, yy - 0.02 * h},
            new double[] {peak[0] + span, yy + 0.05 * h});
      }
    }

    void tree(int variant) {
      if (variant == 0) {
        double[][] crown = loop(0.5, 0.33, 0.42, 0.32, 22);
        stroke(false, crown);
        disc(0.5, 0.33, 0.42, 0.32);
        stroke(false, p(0.42, 0.62), p(0.43, 1.0));
        stroke(false, p(0.58, 0.62), p(0.57, 1.0));
        outline.add(
            new Area(new Rectangle2D.Double(x + 0.42 * w, y + 0.55 * h, 0.16 * w, 0.45 * h)));
      } else {
        double[][] zig = {
          p(0.12, 0.8),
          p(0.35, 0.55),
          p(0.2, 0.55),
          p(0.4, 0.3),
          p(0.28, 0.3),
          p(0.5, 0.0),
          p(0.72, 0.3),
          p(0.6, 0.3),
          p(0.8, 0.55),
          p(0.65, 0.55),
          p(0.88, 0.8),
          p(0.12, 0.8)
        };
        stroke(true, zig);
        fill(zig);
        stroke(false, p(0.45, 0.8), p(0.45, 1.0));
        stroke(false, p(0.55, 0.8), p(0.55, 1.0));
        outline.add(
            new Area(new Rectangle2D.Double(x + 0.44 * w, y + 0.78 * h, 0.12 * w, 0.22 * h)));
      }
    }

    void house() {
      double[][] body = {p(0.08, 0.42), p(0.08, 1.0), p(0.92, 1.0), p(0.92, 0.42)};
      stroke(true, body);
      double[][] roof = {p(0.0, 0.45), p(0.5, 0.0), p(1.0, 0.45), p(0.0, 0.45)};
      stroke(true, roof);
      fill(new double[][] {p(0.08, 0.42), p(0.08, 1.0), p(0.92, 1.0), p(0.92, 0.42)});
      fill(roof);
      if (detail()) {
        stroke(true, p(0.42, 1.0), p(0.42, 0.68), p(0.58, 0.68), p(0.58, 1.0));
      }
      if (detail()) {
        double u = r.nextBoolean() ? 0.16 : 0.68;
        double[][] win = {p(u, 0.55), p(u + 0.16, 0.55), p(u + 0.16, 0.7), p(u, 0.7), p(u, 0.55)};
        stroke(true, win);
        if (detail()) {
          stroke(false, p(u + 0.08, 0.55), p(u + 0.08, 0.7));
        }
      }
    }

    void car() {
      double[][] body = {
        p(0.1, 0.8),
        p(0.0, 0.75),
        p(0.0, 0.45),
        p(0.2, 0.42),
        p(0.3, 0.06),
        p(0.7, 0.06),
        p(0.82, 0.42),
        p(1.0, 0.48),
        p(1.0, 0.76),
        p(0.92, 0.8)
      };
      stroke(true, body);
      stroke(false, p(0.38, 0.8), p(0.62, 0.8));
      fill(
          new double[][] {
            p(0.0, 0.8),
            p(0.0, 0.45),
            p(0.2, 0.42),
            p(0.3, 0.06),
            p(0.7, 0.06),
            p(0.82, 0.42),
            p(1.0, 0.48),
            p(1.0, 0.8)
          });
      for (double u : new double[] {0.24, 0.76}) {
        stroke(false, loop(u, 0.8, 0.13, 0.2, 14));
        disc(u, 0.8, 0.13, 0.2);
      }
      if (detail()) {
        stroke(true, p(0.25, 0.42), p(0.34, 0.14), p(0.66, 0.14), p(0.76, 0.42));
      }
    }

    void boat() {
      double[][] hull = {p(0.0, 0.6), p(1.0, 0.6), p(0.82, 1.0), p(0.18, 1.0), p(0.0, 0.6)};
      stroke(true, hull);
      fill(hull);
      stroke(false, p(0.5, 0.6), p(0.5, 0.0));
      outline.add(new Area(new Rectangle2D.Double(x + 0.47 * w, y, 0.06 * w, 0.6 * h)));
      if (detail()) {
        double[][] sail = {p(0.53, 0.04), p(0.53, 0.55), p(0.92, 0.55), p(0.53, 0.04)};
        stroke(true, sail);
        fill(sail);
      }
    }

    void bird() {
      List<double[]> pts = new ArrayList<>();
      for (int i = 0; i <= 8; i++) {
        double t = i / 8.0;
        pts.add(p(0.5 * t, 0.35 - 0.25 * Math.sin(Math.PI * t) + 0.35 * t * t));
      }
      for (int i = 1; i <= 8; i++) {
        double t = i / 8.0;
        pts.add(p(0.5 + 0.5 * t, 0.7 - 0.35 * t * (2 - t) - 0.25 * Math.sin(Math.PI * t) * 0.4));
      }
      double[][] arr = pts.toArray(new double[0][]);
      stroke(false, arr);
      thick(arr, 0.3 * h);
    }

    void flower() {
      List<double[]> petals = new ArrayList<>();
      int n = 40;
      double start = r.nextDouble() * 2 * Math.PI;
      for (int i = 0; i <= n; i++) {
        double a = start + 2 * Math.PI * i / n;
        double rad = 0.2 + 0.28 * Math.abs(Math.cos(2.5 * (a - start)));
        petals.add(p(0.5 + rad * Math.cos(a), 0.3 + rad * Math.sin(a) * w / h));
      }
      stroke(false, petals.toArray(new double[0][]));
      disc(0.5, 0.3, 0.48, 0.48 * w / h);
      if (detail()) {
        stroke(false, loop(0.5, 0.3, 0.1, 0.1 * w / h, 10));
      }
      double[][] stem = {p(0.5, 0.3 + 0.48 * w / h), p(0.52, 1.0)};
      stroke(false, stem);
      thick(stem, Math.max(2, 0.15 * w));
    }

    void fence() {
      int posts = Math.max(3, (int) Math.round(w / (0.5 * h)));
      List<double[][]> parts = new ArrayList<>();
      for (int i = 0; i < posts; i++) {
        double u = 0.03 + 0.94 * i / (posts - 1);
        parts.add(new double[][] {p(u, 0.0), p(u, 1.0)});
      }
      parts.add(new double[][] {p(0.0, 0.35), p(1.0, 0.35)});
      parts.add(new double[][] {p(0.0, 0.7), p(1.0, 0.7)});
      for (double[][] s : parts) {
        stroke(false, s);
        thick(s, Math.max(2, 0.14 * h));
      }
    }

    // Adds a polyline thickened to width d to the outline (for thin icons: birds, stems, posts).
    void thick(double[][] pts, double d) {
      Path2D path = new Path2D.Double();
      path.moveTo(pts[0][0], pts[0][1]);
      for (int i = 1; i < pts.length; i++) {
        path.lineTo(pts[i][0], pts[i][1]);
      }
      outline.add(
          new Area(
              new BasicStroke((float) d, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND)
                  .createStrokedShape(path)));
    }
  }
}
