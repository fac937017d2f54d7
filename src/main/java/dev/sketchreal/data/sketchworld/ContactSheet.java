package dev.sketchreal.data.sketchworld;

import dev.sketchreal.data.Mask;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A contact sheet for judging samples at a glance: one row per sample with photo | hand-drawn
 * sketch | synthetic sketch | mask overlay | caption (and the mask colours). Missing items (partial
 * folders) leave their cell grey.
 */
public final class ContactSheet {
  /** One row; any image may be null. Masks are category word → mask in photo space. */
  public record Row(
      String id,
      BufferedImage photo,
      BufferedImage handDrawn,
      BufferedImage synthetic,
      Map<String, Mask> masks,
      String caption) {}

  private static final String[] TITLES = {"photo", "hand-drawn", "synthetic", "masks", "caption"};
  private static final int CAPTION_WIDTH = 230;
  private static final int HEADER = 18;
  private static final int PAD = 4;

  private ContactSheet() {}

  public static BufferedImage render(List<Row> rows, int cell) {
    int width = PAD + 4 * (cell + PAD) + CAPTION_WIDTH + PAD;
    int height = HEADER + rows.size() * (cell + PAD) + PAD;
    BufferedImage sheet = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = sheet.createGraphics();
    g.setRenderingHint(
        RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setRenderingHint(
        RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, width, height);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 11));
    g.setColor(Color.DARK_GRAY);
    for (int c = 0; c < TITLES.length; c++) {
      g.drawString(TITLES[c], PAD + c * (cell + PAD), 13);
    }
    for (int i = 0; i < rows.size(); i++) {
      drawRow(g, rows.get(i), HEADER + i * (cell + PAD), cell);
    }
    g.dispose();
    return sheet;
  }

  private static void drawRow(Graphics2D g, Row row, int y, int cell) {
    BufferedImage overlay =
        row.photo() == null || row.masks() == null ? null : overlay(row.photo(), row.masks());
    BufferedImage[] cells = {row.photo(), row.handDrawn(), row.synthetic(), overlay};
    for (int c = 0; c < cells.length; c++) {
      int x = PAD + c * (cell + PAD);
      if (cells[c] == null) {
        g.setColor(new Color(220, 220, 220));
        g.fillRect(x, y, cell, cell);
      } else {
        g.drawImage(cells[c], x, y, cell, cell, null);
      }
      g.setColor(new Color(200, 200, 200));
      g.drawRect(x, y, cell - 1, cell - 1);
    }
    int tx = PAD + 4 * (cell + PAD);
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    int ty = wrap(g, "#" + row.id() + ": " + row.caption(), tx, y + 12, CAPTION_WIDTH - PAD);
    if (row.masks() != null) {
      legend(g, row.masks(), tx, ty + 6);
    }
  }

  private static int wrap(Graphics2D g, String text, int x, int y, int maxWidth) {
    FontMetrics fm = g.getFontMetrics();
    StringBuilder line = new StringBuilder();
    for (String word : text.split(" ")) {
      if (line.length() > 0 && fm.stringWidth(line + " " + word) > maxWidth) {
        g.drawString(line.toString(), x, y);
        y += fm.getHeight();
        line.setLength(0);
      }
      line.append(line.length() > 0 ? " " : "").append(word);
    }
    g.drawString(line.toString(), x, y);
    return y + fm.getHeight();
  }

  private static void legend(Graphics2D g, Map<String, Mask> masks, int x, int y) {
    int cx = x;
    for (String category : masks.keySet()) {
      g.setColor(colour(category));
      g.fillRect(cx, y - 8, 8, 8);
      g.setColor(Color.DARK_GRAY);
      g.drawString(category, cx + 10, y);
      cx += 14 + g.getFontMetrics().stringWidth(category);
      if (cx > x + CAPTION_WIDTH - 60) {
        cx = x;
        y += 13;
      }
    }
  }

  /** The photo, dimmed, with each category's mask tinted in its colour. */
  public static BufferedImage overlay(BufferedImage photo, Map<String, Mask> masks) {
    int w = photo.getWidth();
    int h = photo.getHeight();
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    List<Map.Entry<String, Mask>> entries = new ArrayList<>(masks.entrySet());
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int p = photo.getRGB(x, y);
        int gray = (((p >> 16) & 0xff) + ((p >> 8) & 0xff) + (p & 0xff)) / 3;
        int r = gray / 2;
        int gr = gray / 2;
        int b = gray / 2;
        for (Map.Entry<String, Mask> e : entries) {
          Mask m = e.getValue();
          if (m.width() == w && m.height() == h && m.get(x, y)) {
            Color c = colour(e.getKey());
            r = (gray / 3 + 2 * c.getRed()) / 3 + 20;
            gr = (gray / 3 + 2 * c.getGreen()) / 3 + 20;
            b = (gray / 3 + 2 * c.getBlue()) / 3 + 20;
          }
        }
        out.setRGB(x, y, (Math.min(255, r) << 16) | (Math.min(255, gr) << 8) | Math.min(255, b));
      }
    }
    return out;
  }

  // One clearly distinct colour per SketchWorld category, in Category order.
  private static final int[] PALETTE = {
    0xE6194B, 0xF5F5F5, 0x4363D8, 0xA0522D, 0x3CB44B, 0xF58231,
    0x911EB4, 0x46F0F0, 0x222222, 0xF032E6, 0xFFE119, 0xBCF60C
  };

  /** A fixed colour per category name. */
  public static Color colour(String category) {
    int index = Category.words().indexOf(category);
    if (index >= 0) {
      return new Color(PALETTE[index]);
    }
    return Color.getHSBColor((category.hashCode() & 0xffff) / 65536f, 0.75f, 0.95f);
  }
}
