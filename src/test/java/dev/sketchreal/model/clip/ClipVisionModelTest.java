package dev.sketchreal.model.clip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.sketchreal.nn.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ClipVisionModelTest {
  /** 4 layers, 2 heads, 16×16 pixels in 8×8 patches (a 2×2 grid), quick_gelu. */
  static ClipVisionConfig tinyConfig() {
    return new ClipVisionConfig(16, 24, 8, 4, 2, 3, 16, 8, "quick_gelu", 1e-5);
  }

  @Test
  void freezingAllButTheLastThreeLayersLeavesGradientsOnlyOnThem() {
    try (NDManager manager = NDManager.newBaseManager()) {
      ClipVisionModel model = new ClipVisionModel(tinyConfig(), true);
      model.initialize(manager, new SplittableRandom(7));
      model.freezeAllButLastLayers(3);

      NDManager step = manager.newSubManager();
      NDArray pixels = step.randomNormal(new Shape(2, 3, 16, 16));
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        ClipVisionOutput out = model.forward(pixels);
        NDArray loss =
            out.imageEmbeds().square().sum().add(model.patchEmbeds(out.lastHiddenState()).sum());
        gc.backward(loss);
      }

      List<String> withGradient = new ArrayList<>();
      for (Map.Entry<String, Parameter> e : model.namedParameters().entrySet()) {
        String name = e.getKey();
        NDArray array = e.getValue().array();
        boolean trainable =
            name.startsWith("vision_model.encoder.layers.1.")
                || name.startsWith("vision_model.encoder.layers.2.")
                || name.startsWith("vision_model.encoder.layers.3.");
        assertThat(e.getValue().isTrainable()).as(name).isEqualTo(trainable);
        assertThat(array.hasGradient()).as(name).isEqualTo(trainable);
        if (array.hasGradient()) {
          float gradAbs = array.getGradient().abs().sum().getFloat();
          assertThat(gradAbs).as("gradient magnitude of " + name).isGreaterThan(0f);
          withGradient.add(name);
        }
      }
      // 16 tensors per layer (q/k/v/out weight+bias, 2 norms, fc1, fc2).
      assertThat(withGradient).hasSize(3 * 16);
      step.close();
    }
  }

  @Test
  void runningOnlyTheTailGivesTheSameLastHiddenState() {
    try (NDManager manager = NDManager.newBaseManager()) {
      ClipVisionModel model = new ClipVisionModel(tinyConfig(), true);
      model.initialize(manager, new SplittableRandom(3));
      NDArray pixels = manager.randomNormal(new Shape(3, 3, 16, 16));
      ClipVisionOutput out = model.forward(pixels);
      NDArray head = model.runLayers(model.preLayerNorm(model.embed(pixels)), 0, 1);
      NDArray tail = model.runLayers(head, 1, 4);
      assertThat(tail.sub(out.lastHiddenState()).abs().max().getFloat()).isLessThan(1e-6f);
      assertThat(out.hiddenStates()).hasSize(5);
      assertThat(out.lastHiddenState().getShape()).isEqualTo(new Shape(3, 5, 16));
      assertThat(out.imageEmbeds().getShape()).isEqualTo(new Shape(3, 8));
    }
  }

  @Test
  void patchTokensAndGridView() {
    try (NDManager manager = NDManager.newBaseManager()) {
      ClipVisionModel model = new ClipVisionModel(tinyConfig(), true);
      model.initialize(manager, new SplittableRandom(5));
      NDArray pixels = manager.randomNormal(new Shape(2, 3, 16, 16));
      NDArray tokens = model.patchTokens(pixels);
      assertThat(tokens.getShape()).isEqualTo(new Shape(2, 4, 8));
      NDArray grid = model.toGrid(tokens);
      assertThat(grid.getShape()).isEqualTo(new Shape(2, 8, 2, 2));
      // grid[b, c, y, x] = tokens[b, y*2 + x, c]
      assertThat(grid.get("1, 5, 1, 0").getFloat()).isEqualTo(tokens.get("1, 2, 5").getFloat());
      assertThat(grid.get("0, 3, 0, 1").getFloat()).isEqualTo(tokens.get("0, 1, 3").getFloat());
      // A full sequence with its CLS token is accepted too.
      NDArray last = model.forward(pixels).lastHiddenState();
      assertThat(model.toGrid(last).getShape()).isEqualTo(new Shape(2, 16, 2, 2));
      assertThatThrownBy(() -> model.toGrid(manager.zeros(new Shape(2, 3, 8))))
          .hasMessageContaining("expected 4 patch tokens");
    }
  }

  @Test
  void rejectsPixelsOfTheWrongSize() {
    try (NDManager manager = NDManager.newBaseManager()) {
      ClipVisionModel model = new ClipVisionModel(tinyConfig(), false);
      model.initialize(manager, new SplittableRandom(1));
      assertThatThrownBy(() -> model.forward(manager.zeros(new Shape(1, 3, 32, 32))))
          .hasMessageContaining("(B, 3, 16, 16)");
      assertThat(model.forward(manager.zeros(new Shape(1, 3, 16, 16))).imageEmbeds()).isNull();
      assertThatThrownBy(() -> model.imageEmbeds(manager.zeros(new Shape(1, 3, 16, 16))))
          .isInstanceOf(IllegalStateException.class);
    }
  }
}
