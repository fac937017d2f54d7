package dev.sketchreal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sketchreal.testing.FixtureSets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TextToImageTest {
  static StableDiffusion model;

  @BeforeAll
  static void load() throws Exception {
    model = StableDiffusion.load(FixtureSets.all().get(0).dir());
  }

  @AfterAll
  static void close() {
    model.close();
  }

  private static GenerationRequest request(long seed, int steps, double guidance) {
    int size = model.defaultImageSize();
    return new GenerationRequest("a red house", "", seed, steps, guidance, size, size, 0);
  }

  @Test
  void reportsEveryStepWithTheSchedulesTimesteps() {
    List<int[]> steps = new ArrayList<>();
    GeneratedImage image =
        new TextToImage(model)
            .generate(
                request(3, 5, 7.5),
                (step, total, t) -> steps.add(new int[] {step, total, t}),
                Cancellation.NEVER);
    assertThat(steps).hasSize(5);
    assertThat(steps.get(0)).containsExactly(1, 5, 801); // leading spacing, offset 1
    assertThat(steps.get(4)).containsExactly(5, 5, 1);
    assertThat(image.width()).isEqualTo(model.defaultImageSize());
    for (float v : image.pixels()) {
      assertThat(v).isBetween(0f, 1f);
    }
  }

  @Test
  void isAPureFunctionOfTheRequest() {
    TextToImage pipeline = new TextToImage(model);
    float[] a =
        pipeline.generate(request(7, 3, 5), ProgressListener.NONE, Cancellation.NEVER).pixels();
    float[] b =
        pipeline.generate(request(7, 3, 5), ProgressListener.NONE, Cancellation.NEVER).pixels();
    float[] c =
        pipeline.generate(request(8, 3, 5), ProgressListener.NONE, Cancellation.NEVER).pixels();
    assertThat(a).isEqualTo(b);
    assertThat(a).isNotEqualTo(c);
  }

  @Test
  void decodingAfterEveryStepIsTheImageAndEarlierIsAPreview() {
    TextToImage pipeline = new TextToImage(model);
    GenerationRequest r = request(7, 4, 5);
    float[] full = pipeline.generate(r, ProgressListener.NONE, Cancellation.NEVER).pixels();
    float[] all = pipeline.generate(r, ProgressListener.NONE, Cancellation.NEVER, 4).pixels();
    float[] early = pipeline.generate(r, ProgressListener.NONE, Cancellation.NEVER, 2).pixels();
    assertThat(all).isEqualTo(full);
    assertThat(early).isNotEqualTo(full).hasSameSizeAs(full);
  }

  @Test
  void guidanceChangesTheImage() {
    TextToImage pipeline = new TextToImage(model);
    float[] plain =
        pipeline.generate(request(5, 3, 1), ProgressListener.NONE, Cancellation.NEVER).pixels();
    float[] guided =
        pipeline.generate(request(5, 3, 9), ProgressListener.NONE, Cancellation.NEVER).pixels();
    assertThat(plain).isNotEqualTo(guided);
  }

  @Test
  void cancellationStopsBetweenSteps() {
    Cancellation cancel = new Cancellation();
    List<Integer> seen = new ArrayList<>();
    assertThatThrownBy(
            () ->
                new TextToImage(model)
                    .generate(
                        request(1, 10, 7.5),
                        (step, total, t) -> {
                          seen.add(step);
                          if (step == 2) {
                            cancel.cancel();
                          }
                        },
                        cancel))
        .isInstanceOf(CancellationException.class);
    assertThat(seen).containsExactly(1, 2);
  }
}
