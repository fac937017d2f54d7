package dev.sketchreal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.sketchreal.nn.Module;
import dev.sketchreal.sketch.Modulation;
import dev.sketchreal.sketch.ModulationConfig;
import dev.sketchreal.sketch.SketchModulator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SketchToImageTest {
  @TempDir Path tmp;

  private static GenerationRequest request(StableDiffusion sd, int steps) {
    int size = sd.defaultImageSize();
    return new GenerationRequest("a house and a tree", "", 11, steps, 7.5, size, size, 0);
  }

  private static NDArray strokes(NDManager manager) {
    // a filled square in the upper left: any non-trivial drawing
    float[] ink = new float[32 * 32];
    for (int y = 4; y < 14; y++) {
      for (int x = 4; x < 14; x++) {
        ink[y * 32 + x] = 1f;
      }
    }
    return manager.create(ink, new Shape(1, 1, 32, 32));
  }

  @Test
  void untrainedModulatorIsExactlyTheBackbone() throws Exception {
    ModulationConfig config = TinySketchModel.config(ModulationConfig.Variant.SEMANTIC_BRANCHES);
    Path folder = TinySketchModel.create(tmp.resolve("m"), config, false);
    try (SketchingRealityModel model = SketchingRealityModel.load(folder);
        NDManager manager = NDManager.newBaseManager()) {
      GenerationRequest request = request(model.backbone(), 10);
      float[] withSketch =
          new SketchToImage(model)
              .generate(
                  request,
                  strokes(manager),
                  SketchToImage.SketchSettings.DEFAULT,
                  ProgressListener.NONE,
                  Cancellation.NEVER)
              .pixels();
      float[] textOnly =
          new TextToImage(model.backbone())
              .generate(request, ProgressListener.NONE, Cancellation.NEVER)
              .pixels();
      assertThat(withSketch).isEqualTo(textOnly);
    }
  }

  @Test
  void trainedModulatorChangesTheImageAndStrengthZeroDoesNot() throws Exception {
    ModulationConfig config = TinySketchModel.config(ModulationConfig.Variant.SEMANTIC_BRANCHES);
    Path folder = TinySketchModel.create(tmp.resolve("m"), config, true);
    try (SketchingRealityModel model = SketchingRealityModel.load(folder);
        NDManager manager = NDManager.newBaseManager()) {
      GenerationRequest request = request(model.backbone(), 10);
      SketchToImage pipeline = new SketchToImage(model);
      float[] modulated =
          pipeline
              .generate(
                  request,
                  strokes(manager),
                  SketchToImage.SketchSettings.DEFAULT,
                  ProgressListener.NONE,
                  Cancellation.NEVER)
              .pixels();
      float[] off =
          pipeline
              .generate(
                  request,
                  strokes(manager),
                  new SketchToImage.SketchSettings(0.0, null, null),
                  ProgressListener.NONE,
                  Cancellation.NEVER)
              .pixels();
      float[] textOnly =
          new TextToImage(model.backbone())
              .generate(request, ProgressListener.NONE, Cancellation.NEVER)
              .pixels();
      assertThat(modulated).isNotEqualTo(textOnly);
      assertThat(off).isEqualTo(textOnly);
    }
  }

  @Test
  void modulationRunsExactlyAtTheNoisiestTimesteps() throws Exception {
    ModulationConfig config = TinySketchModel.config(ModulationConfig.Variant.SEMANTIC_BRANCHES);
    Path folder = TinySketchModel.create(tmp.resolve("m"), config, false);
    try (SketchingRealityModel loaded = SketchingRealityModel.load(folder);
        NDManager manager = NDManager.newBaseManager()) {
      List<Integer> modulatedAt = new ArrayList<>();
      SketchModulator real = loaded.modulator();
      SketchModulator counting =
          new SketchModulator() {
            @Override
            public Modulation forward(NDArray sketch, NDArray zt, NDArray eps, NDArray t) {
              modulatedAt.add((int) t.toLongArray()[0]);
              return real.forward(sketch, zt, eps, t);
            }

            @Override
            public Module module() {
              return real.module();
            }

            @Override
            public ModulationConfig config() {
              return real.config();
            }
          };
      SketchingRealityModel model =
          new SketchingRealityModel(loaded.backbone(), counting, loaded.conditioner());
      List<Integer> all = new ArrayList<>();
      new SketchToImage(model)
          .generate(
              request(model.backbone(), 50),
              strokes(manager),
              SketchToImage.SketchSettings.DEFAULT,
              (s, n, t) -> all.add(t),
              Cancellation.NEVER);
      // 50 leading DDIM steps: 981, 961, ..., 1; t >= 900 are the first five
      assertThat(modulatedAt).containsExactly(981, 961, 941, 921, 901);
      assertThat(all).hasSize(50);
    }
  }
}
