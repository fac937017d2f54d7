package dev.sketchreal.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MixedBatchSamplerTest {
  /** In-memory dataset; ids in {@code bad} fail to load. */
  record Fake(List<String> ids, Set<String> bad, SkipLog skipped) implements Dataset {
    @Override
    public String name() {
      return "fake";
    }

    @Override
    public Set<SampleKind> kinds() {
      return EnumSet.allOf(SampleKind.class);
    }

    @Override
    public Sample load(String id, SampleKind kind) {
      if (bad.contains(id)) {
        throw new DataException(Path.of("fake", id + ".png"), "corrupt image");
      }
      BufferedImage img = new BufferedImage(2, 2, BufferedImage.TYPE_BYTE_GRAY);
      return new Sample(
          id,
          kind,
          Optional.empty(),
          img,
          Optional.empty(),
          "c",
          Map.of(),
          Optional.empty(),
          Map.of());
    }
  }

  static Fake fake(int n, Set<String> bad, boolean skip) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add("" + i);
    }
    return new Fake(ids, bad, new SkipLog(skip));
  }

  @Test
  void batchesAreHalfHandDrawnAndSeeded() {
    Fake ds = fake(10, Set.of(), false);
    MixedBatchSampler a = new MixedBatchSampler(ds, ds, 6, 42);
    MixedBatchSampler b = new MixedBatchSampler(ds, ds, 6, 42);
    MixedBatchSampler c = new MixedBatchSampler(ds, ds, 6, 43);
    List<MixedBatchSampler.Ref> first = a.nextRefs();
    assertThat(first.stream().filter(r -> r.kind() == SampleKind.HAND_DRAWN)).hasSize(3);
    assertThat(b.nextRefs()).isEqualTo(first);
    assertThat(c.nextRefs()).isNotEqualTo(first);
    // One epoch of a kind visits every id once: 10 ids, 3 per batch -> after 3 batches 9 distinct.
    Set<String> hand = new HashSet<>();
    first.stream().filter(r -> r.kind() == SampleKind.HAND_DRAWN).forEach(r -> hand.add(r.id()));
    for (int i = 0; i < 2; i++) {
      a.nextRefs().stream()
          .filter(r -> r.kind() == SampleKind.HAND_DRAWN)
          .forEach(r -> hand.add(r.id()));
    }
    assertThat(hand).hasSize(9);
  }

  @Test
  void oddBatchesAlternateTheExtraSample() {
    Fake ds = fake(10, Set.of(), false);
    MixedBatchSampler s = new MixedBatchSampler(ds, ds, 5, 1);
    int hand = 0;
    for (int i = 0; i < 10; i++) {
      hand += (int) s.nextRefs().stream().filter(r -> r.kind() == SampleKind.HAND_DRAWN).count();
    }
    assertThat(hand).isEqualTo(25);
  }

  @Test
  void badSamplesFailUnlessSkippingThenAreCounted() {
    Fake strict = fake(4, Set.of("0", "1", "2", "3"), false);
    assertThatThrownBy(() -> new MixedBatchSampler(strict, strict, 2, 0).next())
        .isInstanceOf(DataException.class)
        .hasMessageContaining(".png");
    Fake lenient = fake(6, Set.of("2"), true);
    MixedBatchSampler s = new MixedBatchSampler(lenient, lenient, 4, 0);
    for (int i = 0; i < 10; i++) {
      List<Sample> batch = s.next();
      assertThat(batch).hasSize(4).noneMatch(x -> x.id().equals("2"));
    }
    assertThat(lenient.skipped().count()).isGreaterThan(0);
    assertThat(lenient.skipped().report()).contains("2.png");
  }
}
