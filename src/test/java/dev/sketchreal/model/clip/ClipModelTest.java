package dev.sketchreal.model.clip;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ClipModelTest {
  static ClipConfig tinyConfig() {
    return new ClipConfig(
        ClipTextModelTest.tinyConfig(99), ClipVisionModelTest.tinyConfig(), 6, 2.6592);
  }

  @Test
  void towersShareTheModelsParametersAndLogitScaleIsAScalar() {
    try (NDManager manager = NDManager.newBaseManager()) {
      ClipModel model = new ClipModel(tinyConfig());
      model.initialize(manager, new SplittableRandom(1));
      assertThat(model.logitScale().shape()).isEqualTo(new Shape());
      assertThat(model.logitScale().array().getFloat()).isEqualTo(2.6592f);
      assertThat(model.namedParameters())
          .containsKeys(
              "logit_scale",
              "text_projection.weight",
              "visual_projection.weight",
              "text_model.final_layer_norm.bias",
              "vision_model.pre_layrnorm.weight");
      assertThat(model.textModel().namedParameters().get("text_projection.weight"))
          .isSameAs(model.namedParameters().get("text_projection.weight"));
      assertThat(model.visionModel().namedParameters().get("vision_model.post_layernorm.weight"))
          .isSameAs(model.namedParameters().get("vision_model.post_layernorm.weight"));
      assertThat(model.textModel().config().projectionDim()).isEqualTo(6);
      assertThat(model.parameterCount())
          .isEqualTo(model.textModel().parameterCount() + model.visionModel().parameterCount() + 1);
    }
  }

  @Test
  void callsLeaveNothingInTheModelsManager() {
    try (NDManager manager = NDManager.newBaseManager()) {
      ClipModel model = new ClipModel(tinyConfig());
      model.initialize(manager, new SplittableRandom(2));
      int before = ((BaseNDManager) manager).getManagedArrays().size();
      try (NDManager call = manager.newSubManager()) {
        NDArray ids = call.create(new long[][] {{98, 3, 99, 99}, {98, 99, 1, 1}});
        NDArray pixels = call.randomNormal(new Shape(2, 3, 16, 16));
        ClipVisionModel vision = model.visionModel();
        ClipTextModel text = model.textModel();
        text.forward(ids, call.create(new long[][] {{1, 1, 1, 0}, {1, 1, 0, 0}}));
        text.encodeForDiffusion(ids, 1);
        vision.toGrid(vision.patchTokens(pixels));
        NDArray logits = model.logitsPerImage(pixels, ids);
        NDArray sim = model.patchTextSimilarity(pixels, model.textEmbeds(ids));
        assertThat(logits.getShape()).isEqualTo(new Shape(2, 2));
        assertThat(sim.getShape()).isEqualTo(new Shape(2, 4, 2));
        assertThat(logits.getManager()).isSameAs(call);
      }
      assertThat(((BaseNDManager) manager).getManagedArrays()).hasSize(before);
    }
  }
}
