package dev.sketchreal.model.clip;

import java.util.Arrays;

/**
 * A string whose every UTF-16 unit remembers the span {@code [start, end)} of the original text it
 * came from. Text clean-up steps (entity unescaping, quote uncurling, whitespace collapse,
 * lower-casing) map a TrackedText to a new one, so token positions can be traced back to the
 * characters of the prompt the user typed.
 */
final class TrackedText {
  private final StringBuilder text = new StringBuilder();
  private int[] start = new int[16];
  private int[] end = new int[16];

  /** The characters of {@code s}, each mapped to itself at {@code offset + i}. */
  static TrackedText identity(String s, int offset) {
    TrackedText t = new TrackedText();
    for (int i = 0; i < s.length(); i++) {
      t.append(s.charAt(i), offset + i, offset + i + 1);
    }
    return t;
  }

  void append(char c, int from, int to) {
    int n = text.length();
    if (n == start.length) {
      start = Arrays.copyOf(start, n * 2);
      end = Arrays.copyOf(end, n * 2);
    }
    text.append(c);
    start[n] = from;
    end[n] = to;
  }

  /** Appends every unit of {@code s} with the same source span. */
  void append(CharSequence s, int from, int to) {
    for (int i = 0; i < s.length(); i++) {
      append(s.charAt(i), from, to);
    }
  }

  /** Copies units {@code [i, j)} of {@code other} with their spans. */
  void appendFrom(TrackedText other, int i, int j) {
    for (int k = i; k < j; k++) {
      append(other.text.charAt(k), other.start[k], other.end[k]);
    }
  }

  int length() {
    return text.length();
  }

  char charAt(int i) {
    return text.charAt(i);
  }

  String text() {
    return text.toString();
  }

  int start(int i) {
    return start[i];
  }

  int end(int i) {
    return end[i];
  }

  /** Source span start of units {@code [i, j)} (min over them); {@code j > i}. */
  int spanStart(int i, int j) {
    int s = Integer.MAX_VALUE;
    for (int k = i; k < j; k++) {
      s = Math.min(s, start[k]);
    }
    return s;
  }

  /** Source span end of units {@code [i, j)} (max over them); {@code j > i}. */
  int spanEnd(int i, int j) {
    int e = Integer.MIN_VALUE;
    for (int k = i; k < j; k++) {
      e = Math.max(e, end[k]);
    }
    return e;
  }

  /** Units {@code [i, j)} with their spans. */
  TrackedText substring(int i, int j) {
    TrackedText t = new TrackedText();
    t.appendFrom(this, i, j);
    return t;
  }
}
