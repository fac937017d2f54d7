package dev.sketchreal.train.backbone;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * {@code sketchreal train tokenizer} settings: target vocabulary size (bytes and specials
 * included), minimum pair frequency, {@code model_max_length}, the pad token ({@code <|endoftext|>}
 * or {@code !}), the split whose captions are the corpus, and extra texts added to it (e.g. words
 * users are likely to type that the captions lack).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TokenizerTrainConfig(
    int vocabSize,
    int minFrequency,
    int modelMaxLength,
    String padToken,
    String split,
    int limit,
    List<String> extraTexts) {
  public TokenizerTrainConfig {
    vocabSize = vocabSize <= 0 ? 4096 : vocabSize;
    minFrequency = Math.max(1, minFrequency);
    modelMaxLength = modelMaxLength <= 0 ? 77 : modelMaxLength;
    padToken = padToken == null ? BpeTrainer.EOS : padToken;
    split = split == null ? "train" : split;
    extraTexts = extraTexts == null ? List.of() : List.copyOf(extraTexts);
  }
}
