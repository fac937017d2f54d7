package dev.sketchreal.data.sketchworld;

import dev.sketchreal.data.sketchworld.PhotoShapes.Part;
import dev.sketchreal.data.sketchworld.SceneGraph.SceneObject;
import dev.sketchreal.data.sketchworld.SceneGraph.Sky;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.LinearGradientPaint;
import java.awt.RadialGradientPaint;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.util.SplittableRandom;

/**
 * Paints a scene graph into an RGB photo: sky gradient (with stars at night), ground with its
 * texture (grass blades, sand speckles, snow drifts, water streaks and the light's reflection),
 * objects shaded by a gradient away from the sun or moon, cast shadows, a colour tint for dusk and
 * night, and per-pixel texture noise.
 */
final class PhotoRenderer {
  private final SketchWorldConfig.Photo style;

  PhotoRenderer(SketchWorldConfig.Photo style) {
    this.style = style;
  }

  /** Light: unit vector from the lit side to the shadow side, and a colour tint (multiplier). */
  private record Light(double dx, double dy, float[] tint, double lightX) {}

  BufferedImage render(SceneGraph scene, int size, SplittableRandom r) {
    BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_SPEED);
    Light light = light(scene);
    sky(g, scene, size, r);
    ground(g, scene, size, light, r);
    boolean night = scene.sky() == Sky.NIGHT;
    for (SceneObject o : scene.objects()) {
      if (o.category() == Category.GRASS) {
        continue; // painted with the ground
      }
      if (o.category() == Category.SUN || o.category() == Category.MOON) {
        glow(g, o, size, scene.sky());
      }
      if (!o.category().inSky()) {
        shadow(g, o, size, light, night);
      }
      for (Part p : PhotoShapes.parts(o, size, night)) {
        paintPart(g, p, light, o.category().inSky() && p.shading() == 0);
      }
    }
    g.dispose();
    addNoise(img, r);
    return img;
  }

  private static Light light(SceneGraph scene) {
    double lightX = 0.25;
    for (SceneObject o : scene.objects()) {
      if (o.category() == Category.SUN || o.category() == Category.MOON) {
        lightX = o.centerX();
      }
    }
    double dx = (0.5 - lightX) * 1.6;
    double dy = scene.sky() == Sky.SUNSET ? 0.5 : 1.0;
    double n = Math.hypot(dx, dy);
    float[] tint =
        switch (scene.sky()) {
          case DAY -> new float[] {1f, 1f, 1f};
          case SUNSET -> new float[] {1.05f, 0.82f, 0.72f};
          case NIGHT -> new float[] {0.42f, 0.48f, 0.68f};
        };
    return new Light(dx / n, dy / n, tint, lightX);
  }

  private void sky(Graphics2D g, SceneGraph scene, int size, SplittableRandom r) {
    float hz = (float) (scene.horizon() * size);
    Color[] colours =
        switch (scene.sky()) {
          case DAY ->
              new Color[] {
                new Color(60, 115, 205), new Color(120, 170, 230), new Color(190, 218, 242)
              };
          case SUNSET ->
              new Color[] {
                new Color(50, 45, 105), new Color(205, 95, 95), new Color(252, 185, 105)
              };
          case NIGHT ->
              new Color[] {new Color(6, 10, 30), new Color(18, 26, 60), new Color(40, 52, 92)};
        };
    g.setPaint(
        new LinearGradientPaint(0, 0, 0, Math.max(1, hz), new float[] {0f, 0.55f, 1f}, colours));
    g.fill(new Rectangle2D.Double(0, 0, size, hz + 1));
    if (scene.sky() == Sky.NIGHT) {
      int stars = 25 + r.nextInt(30);
      for (int i = 0; i < stars; i++) {
        int b = 150 + r.nextInt(106);
        g.setColor(new Color(b, b, Math.min(255, b + 20)));
        double sx = r.nextDouble() * size;
        double sy = r.nextDouble() * hz * 0.9;
        double d = size / 128.0 * (0.6 + 0.8 * r.nextDouble());
        g.fill(new Ellipse2D.Double(sx, sy, d, d));
      }
    }
  }

  private void ground(Graphics2D g, SceneGraph scene, int size, Light light, SplittableRandom r) {
    double hz = scene.horizon() * size;
    Color[] c =
        switch (scene.ground()) {
          case GRASS -> new Color[] {new Color(120, 175, 75), new Color(45, 120, 38)};
          case SAND -> new Color[] {new Color(235, 212, 160), new Color(205, 172, 112)};
          case SNOW -> new Color[] {new Color(232, 238, 248), new Color(205, 218, 238)};
          case WATER -> new Color[] {new Color(95, 145, 195), new Color(25, 70, 135)};
        };
    g.setPaint(
        new GradientPaint(0, (float) hz, tint(c[0], light, 0), 0, size, tint(c[1], light, 0)));
    g.fill(new Rectangle2D.Double(0, hz, size, size - hz));
    double scale = size / 128.0;
    switch (scene.ground()) {
      case GRASS -> grassBlades(g, hz, size, scale, light, r);
      case SAND ->
          speckles(g, hz, size, scale, light, r, new Color(170, 140, 90), new Color(250, 235, 200));
      case SNOW -> speckles(g, hz, size, scale, light, r, new Color(190, 205, 230), Color.WHITE);
      case WATER -> water(g, scene, hz, size, scale, light, r);
    }
  }

  private void grassBlades(
      Graphics2D g, double hz, int size, double scale, Light light, SplittableRandom r) {
    int blades = (int) (size * (size - hz) / 14);
    g.setStroke(new BasicStroke((float) Math.max(0.6, 0.8 * scale)));
    for (int i = 0; i < blades; i++) {
      double bx = r.nextDouble() * size;
      double by = hz + r.nextDouble() * (size - hz);
      double depth = (by - hz) / (size - hz);
      double len = (1.0 + 3.5 * depth) * scale * (0.6 + 0.8 * r.nextDouble());
      int green = 90 + r.nextInt(90);
      g.setColor(tint(new Color(30 + r.nextInt(50), green, 25 + r.nextInt(30)), light, 0));
      g.draw(new Line2D.Double(bx, by, bx + (r.nextDouble() - 0.5) * len * 0.6, by - len));
    }
  }

  private void speckles(
      Graphics2D g,
      double hz,
      int size,
      double scale,
      Light light,
      SplittableRandom r,
      Color dark,
      Color bright) {
    int n = (int) (size * (size - hz) / 30);
    for (int i = 0; i < n; i++) {
      double sx = r.nextDouble() * size;
      double sy = hz + r.nextDouble() * (size - hz);
      double depth = (sy - hz) / (size - hz);
      double d = (0.5 + 1.6 * depth) * scale * (0.5 + r.nextDouble());
      Color c = r.nextBoolean() ? dark : bright;
      g.setColor(tint(new Color(c.getRed(), c.getGreen(), c.getBlue(), 90), light, 90));
      g.fill(new Ellipse2D.Double(sx, sy, d * 2.2, d));
    }
  }

  private void water(
      Graphics2D g,
      SceneGraph scene,
      double hz,
      int size,
      double scale,
      Light light,
      SplittableRandom r) {
    int n = (int) (size * (size - hz) / 45);
    g.setStroke(new BasicStroke((float) Math.max(0.7, scale)));
    for (int i = 0; i < n; i++) {
      double wy = hz + r.nextDouble() * (size - hz);
      double depth = (wy - hz) / (size - hz);
      double len = (2 + 9 * depth) * scale * (0.5 + r.nextDouble());
      double wx = r.nextDouble() * size;
      g.setColor(tint(new Color(170, 205, 235, 110), light, 110));
      g.draw(new Line2D.Double(wx, wy, wx + len, wy));
    }
    boolean hasLight =
        scene.objects().stream()
            .anyMatch(o -> o.category() == Category.SUN || o.category() == Category.MOON);
    if (hasLight) { // glitter column under the sun or moon
      Color glint =
          scene.sky() == Sky.NIGHT ? new Color(220, 225, 200, 150) : new Color(255, 230, 160, 170);
      g.setColor(glint);
      for (double wy = hz + 1.5 * scale; wy < size; wy += (1.6 + r.nextDouble() * 1.5) * scale) {
        double depth = (wy - hz) / (size - hz);
        double half = (2 + 10 * depth) * scale * (0.4 + 0.6 * r.nextDouble());
        double cx = light.lightX() * size + (r.nextDouble() - 0.5) * 4 * scale;
        g.draw(new Line2D.Double(cx - half, wy, cx + half, wy));
      }
    }
  }

  private static void glow(Graphics2D g, SceneObject o, int size, Sky sky) {
    double cx = o.centerX() * size;
    double cy = (o.y() + o.h() / 2) * size;
    float rad = (float) (o.w() * size * 1.6);
    Color inner = sky == Sky.NIGHT ? new Color(220, 225, 255, 70) : new Color(255, 240, 170, 150);
    Color outer = new Color(inner.getRed(), inner.getGreen(), inner.getBlue(), 0);
    g.setPaint(
        new RadialGradientPaint(
            (float) cx, (float) cy, rad, new float[] {0f, 1f}, new Color[] {inner, outer}));
    g.fill(new Ellipse2D.Double(cx - rad, cy - rad, 2 * rad, 2 * rad));
  }

  private void shadow(Graphics2D g, SceneObject o, int size, Light light, boolean night) {
    double w = o.w() * size;
    double h = Math.max(1.5, 0.14 * o.h() * size);
    double cx = o.centerX() * size + light.dx() * 0.3 * w;
    double cy = o.bottom() * size;
    int alpha = (int) (255 * style.shadowOpacity() * (night ? 0.5 : 1));
    g.setColor(new Color(0, 0, 0, alpha));
    g.fill(new Ellipse2D.Double(cx - 0.6 * w, cy - h / 2, 1.2 * w, h));
  }

  private void paintPart(Graphics2D g, Part p, Light light, boolean selfLit) {
    Color base = selfLit ? p.color() : tint(p.color(), light, 255);
    double s = p.shading() * style.shading();
    if (s <= 0) {
      g.setColor(base);
    } else {
      Rectangle2D b = p.shape().getBounds2D();
      double ext = 0.5 * Math.hypot(b.getWidth(), b.getHeight());
      float x0 = (float) (b.getCenterX() - light.dx() * ext);
      float y0 = (float) (b.getCenterY() - light.dy() * ext);
      float x1 = (float) (b.getCenterX() + light.dx() * ext);
      float y1 = (float) (b.getCenterY() + light.dy() * ext);
      g.setPaint(
          new GradientPaint(x0, y0, scale(base, 1 + 0.3 * s), x1, y1, scale(base, 1 - 0.5 * s)));
    }
    g.fill(p.shape());
  }

  private static Color tint(Color c, Light light, int alpha) {
    float[] t = light.tint();
    int a = alpha == 0 ? 255 : alpha;
    return new Color(
        clamp(c.getRed() * t[0]), clamp(c.getGreen() * t[1]), clamp(c.getBlue() * t[2]), a);
  }

  private static Color scale(Color c, double f) {
    return new Color(
        clamp((float) (c.getRed() * f)),
        clamp((float) (c.getGreen() * f)),
        clamp((float) (c.getBlue() * f)),
        c.getAlpha());
  }

  private static int clamp(float v) {
    return Math.max(0, Math.min(255, Math.round(v)));
  }

  // Film-grain-like noise: mostly luminance, a little per channel.
  private void addNoise(BufferedImage img, SplittableRandom r) {
    int[] px = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
    double amp = style.textureNoise() * 255;
    if (amp <= 0) {
      return;
    }
    for (int i = 0; i < px.length; i++) {
      int lum = (int) Math.round((r.nextDouble() * 2 - 1) * amp);
      int p = px[i];
      int red = Math.max(0, Math.min(255, ((p >> 16) & 0xff) + lum));
      int grn = Math.max(0, Math.min(255, ((p >> 8) & 0xff) + lum));
      int blu = Math.max(0, Math.min(255, (p & 0xff) + lum));
      px[i] = (red << 16) | (grn << 8) | blu;
    }
  }
}
