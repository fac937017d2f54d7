package dev.sketchreal.data.sketchworld;

import dev.sketchreal.data.sketchworld.SceneGraph.SceneObject;
import java.awt.Color;
import java.awt.Shape;
import java.awt.geom.Area;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.geom.RoundRectangle2D;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The photo geometry of each object: a list of coloured parts in pixel coordinates. The union of
 * the parts is the object's silhouette, so the photo and its masks come from the same shapes.
 */
final class PhotoShapes {
  /**
   * One painted part.
   *
   * @param shading 0 = flat (self-lit), 1 = full light-to-shadow gradient
   */
  record Part(Shape shape, Color color, double shading) {}

  private PhotoShapes() {}

  static List<Part> parts(SceneObject o, int size, boolean night) {
    double x = o.x() * size;
    double y = o.y() * size;
    double w = o.w() * size;
    double h = o.h() * size;
    SplittableRandom r = new SplittableRandom(o.shapeSeed());
    List<Part> parts = new ArrayList<>();
    switch (o.category()) {
      case SUN -> parts.add(new Part(new Ellipse2D.Double(x, y, w, h), colour(o), 0));
      case MOON -> parts.add(new Part(moon(x, y, w, h, o.variant()), colour(o), 0));
      case CLOUD ->
          parts.add(
              new Part(cloud(r, x, y, w, h), night ? new Color(150, 155, 170) : colour(o), 0.5));
      case MOUNTAIN -> mountain(parts, r, o, x, y, w, h);
      case TREE -> tree(parts, r, o, x, y, w, h);
      case HOUSE -> house(parts, o, x, y, w, h, night);
      case CAR -> car(parts, o, x, y, w, h);
      case BOAT -> boat(parts, o, x, y, w, h);
      case BIRD -> parts.add(new Part(bird(x, y, w, h), colour(o), 0.2));
      case FLOWER -> flower(parts, o, x, y, w, h);
      case FENCE -> fence(parts, o, x, y, w, h);
      case GRASS -> parts.add(new Part(new Rectangle2D.Double(x, y, w, h), colour(o), 0));
    }
    return parts;
  }

  static Area silhouette(List<Part> parts) {
    Area a = new Area();
    for (Part p : parts) {
      a.add(new Area(p.shape()));
    }
    return a;
  }

  /** RGB of a colour word, tuned per category where the word means different things. */
  static Color colour(SceneObject o) {
    String c = o.colour();
    return switch (o.category()) {
      case SUN -> c.equals("golden") ? new Color(255, 200, 60) : new Color(255, 232, 110);
      case MOON -> new Color(236, 236, 215);
      case CLOUD -> c.equals("grey") ? new Color(190, 195, 205) : new Color(248, 248, 250);
      case MOUNTAIN ->
          switch (c) {
            case "blue" -> new Color(95, 115, 160);
            case "brown" -> new Color(130, 105, 80);
            case "snowy" -> new Color(120, 125, 140);
            default -> new Color(125, 125, 130);
          };
      case TREE ->
          switch (c) {
            case "dark green" -> new Color(30, 100, 45);
            case "orange" -> new Color(220, 120, 35);
            default -> new Color(60, 150, 55);
          };
      case GRASS -> new Color(80, 160, 60);
      default -> named(c);
    };
  }

  private static Color named(String c) {
    return switch (c) {
      case "red" -> new Color(200, 45, 40);
      case "blue" -> new Color(50, 90, 190);
      case "yellow" -> new Color(235, 200, 50);
      case "white" -> new Color(240, 240, 235);
      case "brown", "wooden" -> new Color(140, 95, 55);
      case "black", "dark" -> new Color(35, 35, 40);
      case "green" -> new Color(50, 150, 70);
      case "pink" -> new Color(240, 130, 180);
      case "purple" -> new Color(140, 70, 170);
      default -> new Color(128, 128, 128);
    };
  }

  private static Shape moon(double x, double y, double w, double h, int variant) {
    Area disc = new Area(new Ellipse2D.Double(x, y, w, h));
    if (variant == 1) { // crescent
      disc.subtract(new Area(new Ellipse2D.Double(x + 0.35 * w, y - 0.12 * h, w, h)));
    }
    return disc;
  }

  // Overlapping puffs on a flat bottom.
  static Shape cloud(SplittableRandom r, double x, double y, double w, double h) {
    Area a = new Area(new RoundRectangle2D.Double(x, y + 0.5 * h, w, 0.5 * h, 0.5 * h, 0.5 * h));
    int puffs = 3 + r.nextInt(3);
    for (int i = 0; i < puffs; i++) {
      double t = (i + 0.5) / puffs;
      double rad = h * (0.3 + 0.28 * Math.sin(Math.PI * t) + 0.08 * r.nextDouble());
      double cx = x + w * (0.08 + 0.84 * t);
      double cy = y + h - rad * 1.05;
      a.add(new Area(new Ellipse2D.Double(cx - rad, cy - rad, 2 * rad, 2 * rad)));
    }
    return a;
  }

  /** Ridge points (x, y pairs) from left foot over the peak to the right foot. */
  static double[] ridge(SplittableRandom r, double x, double y, double w, double h) {
    double peak = 0.35 + 0.3 * r.nextDouble();
    double[] ts = {
      0, peak * 0.35, peak * 0.7, peak, peak + (1 - peak) * 0.4, peak + (1 - peak) * 0.75, 1
    };
    double[] pts = new double[ts.length * 2];
    for (int i = 0; i < ts.length; i++) {
      double t = ts[i];
      double height = t <= peak ? t / peak : (1 - t) / (1 - peak);
      double jag = (i == 0 || i == ts.length - 1 || t == peak) ? 0 : 0.12 * (r.nextDouble() - 0.5);
      pts[2 * i] = x + w * t;
      pts[2 * i + 1] = y + h * (1 - Math.min(1, Math.max(0, height + jag)));
    }
    return pts;
  }

  private static void mountain(
      List<Part> parts, SplittableRandom r, SceneObject o, double x, double y, double w, double h) {
    double[] pts = ridge(r, x, y, w, h);
    Path2D body = poly(pts);
    Color c = colour(o);
    parts.add(new Part(body, c, 0.9));
    int peakIndex = 3;
    double px = pts[2 * peakIndex];
    double py = pts[2 * peakIndex + 1];
    // Shadow side: right of a line from the peak down to the base.
    Area shadow = new Area(body);
    shadow.intersect(
        new Area(
            poly(new double[] {px, py, px + 0.08 * w, y + h, x + w + 1, y + h, x + w + 1, y - 1})));
    parts.add(new Part(shadow, c.darker(), 0.3));
    if (o.colour().equals("snowy") || h > 0.25 * w) {
      Area cap = new Area(body);
      double capY = y + h * 0.3;
      cap.intersect(
          new Area(
              poly(
                  new double[] {
                    x,
                    y - 1,
                    x + w,
                    y - 1,
                    x + w,
                    capY,
                    px + 0.1 * w,
                    capY + 0.06 * h,
                    px,
                    capY - 0.04 * h,
                    px - 0.1 * w,
                    capY + 0.05 * h,
                    x,
                    capY
                  })));
      parts.add(new Part(cap, new Color(245, 245, 250), 0.4));
    }
  }

  private static void tree(
      List<Part> parts, SplittableRandom r, SceneObject o, double x, double y, double w, double h) {
    Color trunk = new Color(110, 75, 45);
    Color leaves = colour(o);
    if (o.variant() == 0) { // round crown
      parts.add(
          new Part(
              new Rectangle2D.Double(x + 0.42 * w, y + 0.5 * h, 0.16 * w, 0.5 * h), trunk, 0.7));
      Area crown = new Area();
      for (int i = 0; i < 4; i++) {
        double cx = x + w * (0.3 + 0.4 * r.nextDouble());
        double cy = y + h * (0.22 + 0.2 * r.nextDouble());
        double rad = w * (0.25 + 0.1 * r.nextDouble());
        crown.add(new Area(new Ellipse2D.Double(cx - rad, cy - rad, 2 * rad, 2 * rad)));
      }
      crown.add(new Area(new Ellipse2D.Double(x + 0.1 * w, y + 0.02 * h, 0.8 * w, 0.62 * h)));
      parts.add(new Part(crown, leaves, 1));
    } else { // pine: stacked triangles
      parts.add(
          new Part(
              new Rectangle2D.Double(x + 0.44 * w, y + 0.78 * h, 0.12 * w, 0.22 * h), trunk, 0.7));
      Area crown = new Area();
      for (int i = 0; i < 3; i++) {
        double top = y + h * (0.0 + 0.2 * i);
        double bottom = y + h * (0.38 + 0.2 * i);
        double half = w * (0.28 + 0.11 * i);
        crown.add(
            new Area(
                poly(
                    new double[] {
                      x + w / 2, top, x + w / 2 + half, bottom, x + w / 2 - half, bottom
                    })));
      }
      parts.add(new Part(crown, o.colour().equals("orange") ? leaves : leaves.darker(), 1));
    }
  }

  private static void house(
      List<Part> parts, SceneObject o, double x, double y, double w, double h, boolean night) {
    Color wall = colour(o);
    Color roof = o.colour().equals("red") ? new Color(110, 60, 50) : new Color(170, 55, 45);
    parts.add(
        new Part(
            new Rectangle2D.Double(x + 0.06 * w, y + 0.42 * h, 0.88 * w, 0.58 * h), wall, 0.8));
    parts.add(
        new Part(
            poly(new double[] {x, y + 0.45 * h, x + 0.5 * w, y, x + w, y + 0.45 * h}), roof, 0.8));
    parts.add(
        new Part(
            new Rectangle2D.Double(x + 0.42 * w, y + 0.68 * h, 0.16 * w, 0.32 * h),
            new Color(90, 60, 40),
            0.3));
    Color glass = night ? new Color(255, 215, 110) : new Color(160, 200, 230);
    parts.add(
        new Part(new Rectangle2D.Double(x + 0.16 * w, y + 0.55 * h, 0.16 * w, 0.14 * h), glass, 0));
    parts.add(
        new Part(new Rectangle2D.Double(x + 0.68 * w, y + 0.55 * h, 0.16 * w, 0.14 * h), glass, 0));
  }

  private static void car(List<Part> parts, SceneObject o, double x, double y, double w, double h) {
    Color body = colour(o);
    parts.add(
        new Part(
            poly(
                new double[] {
                  x + 0.22 * w,
                  y + 0.42 * h,
                  x + 0.32 * w,
                  y + 0.05 * h,
                  x + 0.7 * w,
                  y + 0.05 * h,
                  x + 0.84 * w,
                  y + 0.42 * h
                }),
            body,
            0.8));
    parts.add(
        new Part(
            new RoundRectangle2D.Double(x, y + 0.38 * h, w, 0.42 * h, 0.2 * h, 0.2 * h),
            body,
            0.8));
    parts.add(
        new Part(
            poly(
                new double[] {
                  x + 0.3 * w,
                  y + 0.4 * h,
                  x + 0.37 * w,
                  y + 0.13 * h,
                  x + 0.66 * w,
                  y + 0.13 * h,
                  x + 0.76 * w,
                  y + 0.4 * h
                }),
            new Color(170, 200, 220),
            0.3));
    for (double cx : new double[] {0.24, 0.76}) {
      double rad = 0.2 * h;
      parts.add(
          new Part(
              new Ellipse2D.Double(x + cx * w - rad, y + 0.8 * h - rad, 2 * rad, 2 * rad),
              new Color(30, 30, 30),
              0.2));
      parts.add(
          new Part(
              new Ellipse2D.Double(
                  x + cx * w - rad / 2.5, y + 0.8 * h - rad / 2.5, rad / 1.25, rad / 1.25),
              new Color(170, 170, 170),
              0));
    }
  }

  private static void boat(
      List<Part> parts, SceneObject o, double x, double y, double w, double h) {
    parts.add(
        new Part(
            new Rectangle2D.Double(x + 0.48 * w, y, 0.04 * w, 0.62 * h),
            new Color(100, 70, 40),
            0.3));
    parts.add(
        new Part(
            poly(
                new double[] {
                  x + 0.53 * w, y + 0.04 * h, x + 0.53 * w, y + 0.56 * h, x + 0.92 * w, y + 0.56 * h
                }),
            new Color(245, 240, 225),
            0.6));
    parts.add(
        new Part(
            poly(
                new double[] {
                  x + 0.46 * w, y + 0.12 * h, x + 0.46 * w, y + 0.56 * h, x + 0.15 * w, y + 0.56 * h
                }),
            new Color(235, 230, 215),
            0.6));
    parts.add(
        new Part(
            poly(
                new double[] {
                  x, y + 0.6 * h, x + w, y + 0.6 * h, x + 0.82 * w, y + h, x + 0.18 * w, y + h
                }),
            colour(o),
            0.8));
  }

  // A gull-like "m" shape: two curved wings joined at the body.
  static Shape bird(double x, double y, double w, double h) {
    Path2D p = new Path2D.Double();
    p.moveTo(x, y + 0.35 * h);
    p.quadTo(x + 0.25 * w, y - 0.1 * h, x + 0.5 * w, y + 0.6 * h);
    p.quadTo(x + 0.75 * w, y - 0.1 * h, x + w, y + 0.35 * h);
    p.quadTo(x + 0.75 * w, y + 0.25 * h, x + 0.5 * w, y + h);
    p.quadTo(x + 0.25 * w, y + 0.25 * h, x, y + 0.35 * h);
    p.closePath();
    return p;
  }

  private static void flower(
      List<Part> parts, SceneObject o, double x, double y, double w, double h) {
    parts.add(
        new Part(
            new Rectangle2D.Double(x + 0.44 * w, y + 0.35 * h, 0.12 * w, 0.65 * h),
            new Color(40, 120, 40),
            0.3));
    double cx = x + 0.5 * w;
    double cy = y + 0.3 * h;
    double pr = 0.24 * w;
    Area petals = new Area();
    for (int i = 0; i < 5; i++) {
      double a = 2 * Math.PI * i / 5;
      double px = cx + Math.cos(a) * 0.26 * w;
      double py = cy + Math.sin(a) * 0.26 * w;
      petals.add(new Area(new Ellipse2D.Double(px - pr, py - pr, 2 * pr, 2 * pr)));
    }
    parts.add(new Part(petals, colour(o), 0.4));
    parts.add(
        new Part(
            new Ellipse2D.Double(cx - 0.14 * w, cy - 0.14 * w, 0.28 * w, 0.28 * w),
            new Color(250, 210, 60),
            0));
  }

  private static void fence(
      List<Part> parts, SceneObject o, double x, double y, double w, double h) {
    Color c = colour(o);
    Area wood = new Area();
    wood.add(new Area(new Rectangle2D.Double(x, y + 0.3 * h, w, 0.13 * h)));
    wood.add(new Area(new Rectangle2D.Double(x, y + 0.65 * h, w, 0.13 * h)));
    int posts = Math.max(3, (int) Math.round(w / (0.45 * h)));
    double pw = Math.max(1.5, 0.12 * h);
    for (int i = 0; i < posts; i++) {
      double px = x + (w - pw) * i / (posts - 1);
      wood.add(
          new Area(
              poly(
                  new double[] {
                    px,
                    y + 0.12 * h,
                    px + pw / 2,
                    y,
                    px + pw,
                    y + 0.12 * h,
                    px + pw,
                    y + h,
                    px,
                    y + h
                  })));
    }
    parts.add(new Part(wood, c, 0.7));
  }

  static Path2D poly(double[] xy) {
    Path2D p = new Path2D.Double();
    p.moveTo(xy[0], xy[1]);
    for (int i = 2; i < xy.length; i += 2) {
      p.lineTo(xy[i], xy[i + 1]);
    }
    p.closePath();
    return p;
  }
}
