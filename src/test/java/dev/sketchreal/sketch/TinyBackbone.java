package dev.sketchreal.sketch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sketchreal.model.unet.UNet2DConditionModel;
import dev.sketchreal.model.unet.UNetConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;

/** The sd2-tiny fixture UNet (2 levels, 32/64 channels, context 32) and test data helpers. */
public final class TinyBackbone {
  private TinyBackbone() {}

  public static Path fixtureDir() {
    String configured = System.getProperty("fixtures.dir", "");
    Path root = configured.isBlank() ? Path.of("..", "shared", "fixtures") : Path.of(configured);
    Path dir = root.resolve("sd2-tiny").toAbsolutePath().normalize();
    Assumptions.assumeTrue(Files.isDirectory(dir), "fixture set not found: " + dir);
    return dir;
  }

  /** A frozen tiny UNet with seeded random weights. */
  public static UNet2DConditionModel frozenUNet(NDManager manager, long seed) throws IOException {
    UNetConfig config =
        new ObjectMapper()
            .readValue(fixtureDir().resolve("unet/config.json").toFile(), UNetConfig.class);
    UNet2DConditionModel unet = new UNet2DConditionModel(config);
    unet.initialize(manager, new SplittableRandom(seed));
    unet.setTrainable(false);
    return unet;
  }

  /** A linear ᾱ schedule like SD's scaled_linear (β from 0.00085 to 0.012, T = 1000). */
  public static float[] alphasCumprod() {
    float[] out = new float[1000];
    double start = Math.sqrt(0.00085);
    double end = Math.sqrt(0.012);
    double prod = 1;
    for (int t = 0; t < 1000; t++) {
      double s = start + (end - start) * t / 999.0;
      prod *= 1 - s * s;
      out[t] = (float) prod;
    }
    return out;
  }

  /** Seeded N(0, 1) values. */
  public static NDArray normal(NDManager manager, SplittableRandom random, long... shape) {
    Shape s = new Shape(shape);
    float[] v = new float[Math.toIntExact(s.size())];
    for (int i = 0; i < v.length; i++) {
      double u1 = 1.0 - random.nextDouble();
      double u2 = random.nextDouble();
      v[i] = (float) (Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
    }
    return manager.create(v, s);
  }
}
