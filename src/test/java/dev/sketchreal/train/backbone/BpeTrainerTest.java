package dev.sketchreal.train.backbone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sketchreal.model.clip.ClipTokenizer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BpeTrainerTest {
  static final List<String> CAPTIONS =
      List.of(
          "a photo of two red boats on the sea under a golden sun",
          "a scene with a blue house left of a red car, grey clouds in the sky",
          "two yellow flowers on a lawn of grass, a bird in the sky",
          "a red car in front of a blue house on a sandy beach",
          "some grey clouds over two brown mountains under a starry sky");

  @Test
  void roundTripsThroughClipTokenizerWithEosPadding(@TempDir Path dir) throws Exception {
    BpeTrainer.Result r = BpeTrainer.train(CAPTIONS, 1000, 2);
    assertThat(r.merges()).isNotEmpty();
    BpeTrainer.write(r, dir, 77, BpeTrainer.EOS);
    ClipTokenizer tok = ClipTokenizer.load(dir);

    assertThat(tok.vocabSize()).isEqualTo(r.vocab().size());
    assertThat(tok.bosId()).isEqualTo(r.vocab().size() - 2);
    assertThat(tok.eosId()).isEqualTo(r.vocab().size() - 1);
    assertThat(tok.padId()).isEqualTo(tok.eosId());
    assertThat(tok.maxLength()).isEqualTo(77);
    for (String caption : CAPTIONS) {
      ClipTokenizer.Encoding e = tok.encode(caption);
      assertThat(e.ids()[0]).isEqualTo(tok.bosId());
      assertThat(e.ids()[e.length() - 1]).isEqualTo(tok.eosId());
      assertThat(Arrays.stream(e.ids(), e.length(), e.ids().length))
          .allMatch(i -> i == tok.padId());
      assertThat(BpeTrainer.decode(tok, e.ids())).isEqualTo(caption.replace(",", " ,").strip());
    }
    // frequent training words are single tokens
    assertThat(tok.tokenize("the sky")).containsExactly("the</w>", "sky</w>");
    // unseen words fall back to bytes and still round-trip
    int[] ids = tok.encode("zebra über").ids();
    assertThat(BpeTrainer.decode(tok, ids)).isEqualTo("zebra über");
  }

  @Test
  void sd2StylePaddingUsesExclamationMarkAtIdZero(@TempDir Path dir) throws Exception {
    BpeTrainer.Result r = BpeTrainer.train(CAPTIONS, 600, 2);
    BpeTrainer.write(r, dir, 16, "!");
    ClipTokenizer tok = ClipTokenizer.load(dir);
    assertThat(tok.padId()).isZero();
    assertThat(tok.padToken()).isEqualTo("!");
    ClipTokenizer.Encoding e = tok.encode("a red car");
    assertThat(e.length()).isEqualTo(5);
    assertThat(Arrays.stream(e.ids(), 5, 16)).allMatch(i -> i == 0);
  }

  @Test
  void stopsAtTheTargetSizeAndIsDeterministic() {
    BpeTrainer.Result a = BpeTrainer.train(CAPTIONS, 530, 1);
    BpeTrainer.Result b = BpeTrainer.train(CAPTIONS, 530, 1);
    assertThat(a.merges()).hasSize(16);
    assertThat(a.vocab()).isEqualTo(b.vocab());
    assertThat(a.vocab()).containsKeys("!", "a</w>", BpeTrainer.BOS, BpeTrainer.EOS);
    assertThat(a.vocab().get("!")).isZero();
  }
}
