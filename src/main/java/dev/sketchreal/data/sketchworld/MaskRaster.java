package dev.sketchreal.data.sketchworld;

import dev.sketchreal.data.Mask;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.util.ArrayList;
import java.util.List;

/** Exact masks of shapes: a pixel belongs to a shape when its centre is inside it. */
final class MaskRaster {
  private MaskRaster() {}

  static Mask rasterize(Shape shape, int size) {
    BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
    g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
    g.setColor(Color.WHITE);
    g.fill(shape);
    g.dispose();
    byte[] px = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
    boolean[] bits = new boolean[px.length];
    for (int i = 0; i < px.length; i++) {
      bits[i] = px[i] != 0;
    }
    return new Mask(size, size, bits);
  }

  /**
   * Visible masks from full silhouettes in back-to-front order: each one minus everything in front
   * of it.
   */
  static List<Mask> visible(List<Mask> silhouettes) {
    List<Mask> out = new ArrayList<>(silhouettes);
    if (silhouettes.isEmpty()) {
      return out;
    }
    Mask front = new Mask(silhouettes.get(0).width(), silhouettes.get(0).height());
    for (int i = silhouettes.size() - 1; i >= 0; i--) {
      out.set(i, silhouettes.get(i).andNot(front));
      front = front.or(silhouettes.get(i));
    }
    return out;
  }
}
