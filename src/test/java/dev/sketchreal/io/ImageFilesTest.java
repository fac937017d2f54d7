package dev.sketchreal.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFilesTest {
  @TempDir Path dir;

  @Test
  void readsPngAndJpeg() throws Exception {
    BufferedImage img = new BufferedImage(20, 10, BufferedImage.TYPE_INT_RGB);
    img.setRGB(3, 4, 0xff0000);
    Path png = dir.resolve("a.png");
    PngWriter.write(png, img, Map.of());
    BufferedImage back = ImageFiles.read(png);
    assertThat(back.getWidth()).isEqualTo(20);
    assertThat(back.getRGB(3, 4) & 0xffffff).isEqualTo(0xff0000);
    Path jpg = dir.resolve("a.jpg");
    ImageIO.write(img, "jpg", jpg.toFile());
    assertThat(ImageFiles.read(jpg).getHeight()).isEqualTo(10);
  }

  @Test
  void missingFile() {
    Path absent = dir.resolve("absent.png");
    assertThatThrownBy(() -> ImageFiles.read(absent))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining(absent.toString());
  }

  @Test
  void unknownFormat() throws Exception {
    Path file = Files.writeString(dir.resolve("sketch.png"), "this is not an image");
    assertThatThrownBy(() -> ImageFiles.read(file))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("not a readable image");
  }

  @Test
  void truncatedImage() throws Exception {
    byte[] png = PngWriter.encode(noise(64, 64), Map.of());
    Path file = Files.write(dir.resolve("cut.png"), Arrays.copyOf(png, png.length / 2));
    assertThatThrownBy(() -> ImageFiles.read(file))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("corrupt");
  }

  @Test
  void hugeImageIsRefusedFromItsHeader() throws Exception {
    // A 100000 x 100000 PNG header with no pixel data: decoding would need 40 GB.
    ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(100_000).putInt(100_000);
    ihdr.put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
    byte[] bomb =
        PngChunks.concat(
            PngChunks.SIGNATURE,
            PngChunks.chunk("IHDR", ihdr.array()),
            PngChunks.chunk("IEND", new byte[0]));
    Path file = Files.write(dir.resolve("bomb.png"), bomb);
    assertThatThrownBy(() -> ImageFiles.read(file))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("100000x100000");
  }

  @Test
  void configurableLimits() throws Exception {
    Path file = dir.resolve("wide.png");
    PngWriter.write(file, new BufferedImage(40, 10, BufferedImage.TYPE_INT_RGB), Map.of());
    assertThatThrownBy(() -> ImageFiles.read(file, new ImageFiles.Limits(32, 32, 10_000)))
        .hasMessageContaining("40x10");
    assertThatThrownBy(() -> ImageFiles.read(file, new ImageFiles.Limits(64, 64, 399)))
        .hasMessageContaining("400 pixels");
    assertThat(ImageFiles.read(file, new ImageFiles.Limits(40, 10, 400)).getWidth()).isEqualTo(40);
  }

  private static BufferedImage noise(int w, int h) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    java.util.Random random = new java.util.Random(1);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, random.nextInt(0x1000000));
      }
    }
    return img;
  }
}
