package dev.sketchreal.data.fscoco;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sketchreal.data.DataException;
import dev.sketchreal.data.Preprocess;
import dev.sketchreal.data.Sample;
import dev.sketchreal.data.SampleKind;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An FS-COCO-shaped folder: 2 users, 3 sketches, JPEGs, captions, .npy strokes, a split. */
class FsCocoDatasetTest {
  @TempDir Path root;

  @BeforeEach
  void makeFolder() throws IOException {
    photo("1", "139", 40, 30);
    sketch("1", "139", false);
    caption("1", "139", "A dog and a tree next to a house.");
    strokes("1", "139");
    photo("1", "285", 40, 30);
    sketch("1", "285", true); // white strokes on black: must be accepted
    caption("1", "285", "two trees");
    photo("2", "632", 40, 30);
    sketch("2", "632", false);
    caption("2", "632", "a cat");
    Files.writeString(
        root.resolve("instances.json"),
        """
        {"categories": [{"id": 1, "name": "tree"}, {"id": 2, "name": "house"}, {"id": 3, "name": "dog"}],
         "images": [{"id": 139, "file_name": "139.jpg", "width": 40, "height": 30}],
         "annotations": [
           {"id": 1, "image_id": 139, "category_id": 1, "segmentation": [[0, 0, 10, 0, 10, 10, 0, 10]]},
           {"id": 2, "image_id": 139, "category_id": 2, "segmentation": {"size": [30, 40], "counts": [300, 30, 870]}}
         ]}
        """);
    Files.writeString(root.resolve("val.txt"), "1/139\n632\n");
  }

  @Test
  void readsSketchStrokesCaptionAndMasks() {
    FsCocoDataset ds =
        FsCocoDataset.open(
            root, FsCocoDataset.Options.defaults().withInstances(root.resolve("instances.json")));
    assertThat(ds.ids()).containsExactly("139", "285", "632");
    assertThat(ds.kinds()).contains(SampleKind.HAND_DRAWN, SampleKind.SYNTHETIC);
    Sample s = ds.load("139", SampleKind.HAND_DRAWN);
    assertThat(s.caption()).isEqualTo("A dog and a tree next to a house.");
    assertThat(s.photo()).isPresent();
    assertThat(s.photoMasks()).containsOnlyKeys("tree", "house");
    assertThat(s.photoMasks().get("tree").area()).isEqualTo(100);
    assertThat(s.photoMasks().get("house").area()).isEqualTo(30);
    assertThat(s.categoryWords()).containsOnlyKeys("tree", "house", "dog");
    assertThat(s.sketchMasks()).isEmpty();
    assertThat(s.strokes().orElseThrow().strokes()).hasSize(2);
    assertThat(s.strokes().orElseThrow().strokes().get(0)[1]).containsExactly(20.0, 5.0);
    Sample syn = ds.load("139", SampleKind.SYNTHETIC);
    assertThat(syn.sketchMasks()).contains(syn.photoMasks());
  }

  @Test
  void bothSketchPolaritiesGiveTheSameInkMap() {
    FsCocoDataset ds = FsCocoDataset.open(root, FsCocoDataset.Options.defaults());
    float[] normal = Preprocess.sketch(ds.load("139", SampleKind.HAND_DRAWN).sketch(), 32, 1);
    float[] inverted = Preprocess.sketch(ds.load("285", SampleKind.HAND_DRAWN).sketch(), 32, 1);
    float sum = 0;
    for (int i = 0; i < normal.length; i++) {
      assertThat(inverted[i]).isCloseTo(normal[i], org.assertj.core.data.Offset.offset(0.1f));
      sum += normal[i];
    }
    assertThat(sum / normal.length).isBetween(0.01f, 0.3f); // strokes are 1, paper is 0
  }

  @Test
  void splitFileSelectsIds() {
    FsCocoDataset ds =
        FsCocoDataset.open(
            root, FsCocoDataset.Options.defaults().withSplitFile(root.resolve("val.txt")));
    assertThat(ds.ids()).containsExactly("139", "632");
  }

  @Test
  void badDataIsNamedOrCountedWhenSkipping() throws IOException {
    Files.delete(root.resolve("text/2/632.txt"));
    assertThatThrownBy(() -> FsCocoDataset.open(root, FsCocoDataset.Options.defaults()))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("caption file missing")
        .hasMessageContaining("632.txt");
    FsCocoDataset skipping =
        FsCocoDataset.open(root, FsCocoDataset.Options.defaults().withSkipBad(true));
    assertThat(skipping.ids()).containsExactly("139", "285");
    assertThat(skipping.skipped().count()).isEqualTo(1);

    Files.write(root.resolve("raster_sketches/1/285.jpg"), new byte[] {1, 2, 3, 4});
    assertThatThrownBy(() -> skipping.load("285", SampleKind.HAND_DRAWN))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("285.jpg");
    byte[] npy = Files.readAllBytes(root.resolve("vector_sketches/1/139.npy"));
    Files.write(
        root.resolve("vector_sketches/1/139.npy"), java.util.Arrays.copyOf(npy, npy.length - 9));
    assertThatThrownBy(() -> skipping.load("139", SampleKind.HAND_DRAWN))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("truncated")
        .hasMessageContaining("139.npy");
  }

  @Test
  void photosOfTheWrongSizeForTheAnnotationsAreNamed() throws IOException {
    photo("1", "139", 50, 30);
    FsCocoDataset ds =
        FsCocoDataset.open(
            root, FsCocoDataset.Options.defaults().withInstances(root.resolve("instances.json")));
    assertThatThrownBy(() -> ds.load("139", SampleKind.HAND_DRAWN))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("instances.json")
        .hasMessageContaining("40x30");
  }

  @Test
  void partialFolderWithoutPhotosHasOnlyHandDrawnSamples() throws IOException {
    for (String f : List.of("1/139.jpg", "1/285.jpg", "2/632.jpg")) {
      Files.delete(root.resolve("images").resolve(f));
    }
    Files.delete(root.resolve("images/1"));
    Files.delete(root.resolve("images/2"));
    Files.delete(root.resolve("images"));
    FsCocoDataset ds = FsCocoDataset.open(root, FsCocoDataset.Options.defaults());
    assertThat(ds.kinds()).containsExactly(SampleKind.HAND_DRAWN);
    assertThat(ds.load("632", SampleKind.HAND_DRAWN).photo()).isEmpty();
  }

  private void photo(String user, String id, int w, int h) throws IOException {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(new Color(90, 160, 220));
    g.fillRect(0, 0, w, h);
    g.setColor(new Color(40, 120, 40));
    g.fillRect(0, 0, 10, 10);
    g.dispose();
    write(img, root.resolve("images").resolve(user).resolve(id + ".jpg"));
  }

  private void sketch(String user, String id, boolean inverted) throws IOException {
    BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(inverted ? Color.BLACK : Color.WHITE);
    g.fillRect(0, 0, 64, 64);
    g.setColor(inverted ? Color.WHITE : Color.BLACK);
    g.setStroke(new java.awt.BasicStroke(3));
    g.drawOval(10, 10, 30, 30);
    g.drawLine(5, 55, 60, 50);
    g.dispose();
    write(img, root.resolve("raster_sketches").resolve(user).resolve(id + ".jpg"));
  }

  private void write(BufferedImage img, Path file) throws IOException {
    Files.createDirectories(file.getParent());
    ImageIO.write(img, "jpg", file.toFile());
  }

  private void caption(String user, String id, String text) throws IOException {
    Path f = root.resolve("text").resolve(user).resolve(id + ".txt");
    Files.createDirectories(f.getParent());
    Files.writeString(f, text + "\n");
  }

  // Two strokes: (10,5)-(20,5) and (30,30)-(31,40)-(35,45), float64 like FS-COCO.
  private void strokes(String user, String id) throws IOException {
    double[] rows = {10, 5, 0, 20, 5, 1, 30, 30, 0, 31, 40, 0, 35, 45, 1};
    ByteBuffer b = ByteBuffer.allocate(rows.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (double v : rows) {
      b.putDouble(v);
    }
    Path f = root.resolve("vector_sketches").resolve(user).resolve(id + ".npy");
    Files.createDirectories(f.getParent());
    Files.write(f, NpyTest.npy("<f8", false, new int[] {5, 3}, b.array(), 1));
  }
}
