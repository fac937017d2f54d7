package dev.sketchreal.data.sketchworld;

import dev.sketchreal.data.Images;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Scratch: writes a preview sheet to /tmp (not a test). */
public class PreviewScratch {
  public static void main(String[] args) {
    SketchWorldGenerator gen = new SketchWorldGenerator(SketchWorldConfig.defaults());
    List<ContactSheet.Row> rows = new ArrayList<>();
    long first = args.length > 0 ? Long.parseLong(args[0]) : 0;
    for (long id = first; id < first + 8; id++) {
      var s = gen.generate(7, id);
      rows.add(
          new ContactSheet.Row(
              "" + id,
              s.photo(),
              s.handDrawnSketch(),
              s.syntheticSketch(),
              s.photoCategoryMasks(),
              s.caption()));
    }
    Images.writePng(ContactSheet.render(rows, 160), Path.of("/tmp/sw-preview.png"));
  }
}
