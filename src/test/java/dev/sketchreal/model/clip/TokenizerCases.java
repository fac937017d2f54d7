package dev.sketchreal.model.clip;

import dev.sketchreal.testing.FixtureSets.FixtureSet;

/** The {@code tokenizer.*} cases of a fixture set (run by {@code ReferenceParityTest}). */
public final class TokenizerCases {
  private TokenizerCases() {}

  /** Token strings, lengths and special ids against the manifest; ids and masks exactly. */
  public static void check(FixtureSet set) {
    ClipTokenizerTest.tokenStringsLengthsAndSpecialIdsMatchManifest(set);
    ClipTokenizerTest.idsAndMasksMatchReference(set);
  }
}
